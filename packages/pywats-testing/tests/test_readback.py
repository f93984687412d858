"""Read-back as the real server does it (docs/wire-facts.md#reading-reports-back),
attachments, and SQLite state."""

from __future__ import annotations

import base64
import io
import json
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from pywats_testing import FakeWatsServer


def _loop_summaries(step: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    loop = step.get("loop")
    if isinstance(loop, dict) and loop.get("idx") is None and loop.get("num") is not None:
        found.append(loop)
    for child in step.get("steps") or []:
        found.extend(_loop_summaries(child))
    return found


def test_readback_adds_output_fields_and_exports_loops_like_wats(
    api: httpx.Client, make_report: Callable[..., dict[str, Any]]
) -> None:
    report = make_report(
        binaryData=[], subUnits=[{"partType": "PCBA ", "pn": "X", "sn": "1", "rev": "A  "}]
    )
    iteration = {
        "id": 0,
        "group": "M",
        "stepType": "ET_NLT",
        "name": "L",
        "status": "P",
        "numericMeas": [{"name": None, "status": "P", "value": 1.0, "compOp": "LOG"}],
    }
    steps = [
        {
            **iteration,
            "id": 10,
            "loop": {"idx": None, "num": 2, "endingIndex": 1, "passed": 2, "failed": 0},
        },
        {**iteration, "id": 11, "loop": {"idx": 0}},
        {**iteration, "id": 12, "loop": {"idx": 1}},
    ]
    report["root"]["steps"] = steps
    assert api.post("/api/Report/WSJF", json=report).status_code == 200, "valid loop refused"
    back = api.get(f"/api/Report/Wsjf/{report['id'].upper()}").json()
    assert back["processName"] == "SW Debug"
    assert back["origin"]
    assert back["productName"] is None
    assert back["assetStats"] == []
    assert "binaryData" not in back
    assert back["subUnits"][0]["partType"] == "PCBA"
    assert back["subUnits"][0]["rev"] == "A"
    # The real server exports num == endingIndex == n, which its own validator refuses.
    assert [(s["num"], s["endingIndex"]) for s in _loop_summaries(back["root"])] == [(2, 2)]
    resubmit = api.post("/api/Report/WSJF", json=back)
    assert resubmit.status_code == 400
    assert "endingIndex is required to be the same as highest index." in resubmit.json()["Message"]


def test_detail_level_zero_is_identifying_data_only(
    api: httpx.Client, make_report: Callable[..., dict[str, Any]]
) -> None:
    report = make_report()
    api.post("/api/Report/WSJF", json=report)
    slim = api.get(f"/api/Report/Wsjf/{report['id']}", params={"detailLevel": 0}).json()
    assert slim["sn"] == "SN-1"
    assert "root" not in slim
    assert "uut" not in slim


def test_unknown_or_malformed_report_ids_are_404(api: httpx.Client) -> None:
    assert api.get(f"/api/Report/Wsjf/{uuid.uuid4()}").status_code == 404
    assert api.get("/api/Report/Wsjf/not-a-guid").status_code == 404
    assert api.get(f"/api/Report/Attachments/{uuid.uuid4()}").status_code == 404


def test_wsxf_readback_uses_upper_case_ids(
    api: httpx.Client, make_report: Callable[..., dict[str, Any]]
) -> None:
    report = make_report()
    api.post("/api/Report/WSJF", json=report)
    xml = api.get(f"/api/Report/Wsxf/{report['id']}")
    assert xml.status_code == 200
    assert xml.headers["content-type"].startswith("application/xml")
    assert f'ID="{report["id"].upper()}"'.encode() in xml.content


def test_attachments_by_step_and_as_zip(
    api: httpx.Client, make_report: Callable[..., dict[str, Any]]
) -> None:
    payload = b"\x89PNG fake image bytes"
    report = make_report()
    report["root"]["steps"].append(
        {
            "id": 3,
            "group": "M",
            "stepType": "WATS_AttachFile",
            "name": "Photo",
            "status": "D",
            "attachment": {
                "name": "photo.png",
                "contentType": "image/png",
                "data": base64.b64encode(payload).decode(),
            },
        }
    )
    assert api.post("/api/Report/WSJF", json=report).status_code == 200
    one = api.get("/api/Report/Attachment", params={"reportId": report["id"], "stepId": 3})
    assert one.status_code == 200
    assert one.content == payload
    assert one.headers["content-type"] == "image/png"
    assert (
        api.get(
            "/api/Report/Attachment", params={"reportId": report["id"], "stepId": 2}
        ).status_code
        == 404
    )
    assert api.get("/api/Report/Attachment", params={"reportId": report["id"]}).status_code == 400
    archive = zipfile.ZipFile(
        io.BytesIO(api.get(f"/api/Report/Attachments/{report['id']}").content)
    )
    assert archive.read("photo.png") == payload
    stripped = api.get(f"/api/Report/Wsjf/{report['id']}", params={"includeAttachments": "false"})
    assert stripped.json()["root"]["steps"][-1]["attachment"]["data"] is None


def test_uur_attachment_by_id(fake_wats: FakeWatsServer, api: httpx.Client, examples: Path) -> None:
    body = (examples / "virinco-examples" / "WATS - WSJF UUR Example file.json").read_bytes()
    report = json.loads(body)
    assert api.post("/api/Report/WSJF", content=body).status_code == 200
    attachment = next(
        a
        for unit in report["subUnits"]
        for f in unit.get("failures") or []
        for a in f.get("attachments") or []
    )
    got = api.get(
        "/api/Report/Attachment",
        params={"reportId": report["id"], "attachmentId": attachment["id"]},
    )
    assert got.status_code == 200
    assert got.content == base64.b64decode(attachment["data"])


def test_sqlite_state_survives_a_restart(
    tmp_path: Path, make_report: Callable[..., dict[str, Any]]
) -> None:
    db = tmp_path / "state.sqlite"
    report = make_report()
    with FakeWatsServer(token="t", db_path=db) as fake:
        headers = {"Authorization": "Basic t", "Idempotency-Key": "k"}
        assert (
            httpx.post(f"{fake.url}/api/Report/WSJF", json=report, headers=headers).status_code
            == 200
        )
        passcode = fake.register_station("AABBCCDDEEFF", "st")
    with FakeWatsServer(token="t", db_path=db) as fake:
        assert fake.commits(report["id"]) == 1
        stored = fake.state.get_report(report["id"])
        assert stored is not None
        assert stored.source_format == "WSJF"
        assert stored.document["sn"] == report["sn"]
        assert json.loads(stored.raw) == report
        again = httpx.post(f"{fake.url}/api/Report/WSJF", json=report, headers=headers)
        assert again.headers["idempotent-replayed"] == "true"
        assert fake.replays(report["id"]) == 1
        station = fake.station_credential("AABBCCDDEEFF", passcode)
        ping = httpx.get(
            f"{fake.url}/api/internal/Client/Ping", headers={"Authorization": f"Basic {station}"}
        )
        assert ping.status_code == 200
    with FakeWatsServer(token="t", db_path=db) as fake:
        assert fake.replays(report["id"]) == 1
