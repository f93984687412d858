"""The fake's validator: the real server's 400 text for the export, and the official
examples accepted."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from pywats_testing import FakeWatsServer

_PREFIX = "Report submission failed (400): "  # pyWATS's own wording in the log, not WATS's


def _server_message(log: bytes) -> str:
    """The verbatim 400 body of the first failed submission in the client log.

    The log was written on Windows, which turned each "\n" into "\r\n": log lines end in
    "\r\n", and the server's own "\r\n" between problem lines became "\r\r\n".
    """
    text = log.decode("utf-8")
    start = text.index(_PREFIX) + len(_PREFIX)
    end = start + re.search(r"(?<!\r)\r\n", text[start:]).start()  # type: ignore[union-attr]
    return text[start:end].replace("\r\r\n", "\r\n")


@pytest.mark.parametrize("shape", ["message-object", "text", "json-string"])
def test_the_export_is_rejected_with_the_real_servers_message(examples: Path, shape: str) -> None:
    expected = _server_message((examples / "server-errors" / "service_error.txt").read_bytes())
    assert len(expected.split("\r\n")) == 50
    body = (examples / "server-exports" / "uut-wsjf-export.json").read_bytes()
    with FakeWatsServer(validation_error_shape=shape) as fake:  # type: ignore[arg-type]
        answer = httpx.post(
            f"{fake.url}/api/Report/WSJF",
            content=body,
            headers={"Authorization": f"Basic {fake.token}", "Content-Type": "application/json"},
        )
        assert fake.reports() == []
    assert answer.status_code == 400
    if shape == "message-object":
        text = answer.json()["Message"]
    elif shape == "json-string":
        text = answer.json()
    else:
        assert answer.headers["content-type"].startswith("text/plain")
        text = answer.text
    assert text == expected  # the same lines, the same order, the same separators


@pytest.mark.parametrize(
    "name",
    [
        "virinco-examples/WATS - WSJF UUT Example file.json",
        "virinco-examples/WATS - WSJF UUR Example file.json",
        "server-exports/uur_example.json",
    ],
)
def test_the_official_examples_are_accepted(
    fake_wats: FakeWatsServer, api: httpx.Client, examples: Path, name: str
) -> None:
    body = (examples / name).read_bytes()
    answer = api.post(
        "/api/Report/WSJF", content=body, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert set(result) == {"ID", "uuid", "Report_ID"}
    assert fake_wats.commits(result["ID"]) == 1


def test_the_wsxf_export_gets_the_same_message_as_the_wsjf_export(
    fake_wats: FakeWatsServer, api: httpx.Client, examples: Path
) -> None:
    expected = _server_message((examples / "server-errors" / "service_error.txt").read_bytes())
    body = (examples / "server-exports" / "uut-wsxf-export.xml").read_bytes()
    answer = api.post("/api/Report/WSXF", content=body, headers={"Content-Type": "application/xml"})
    assert answer.status_code == 400
    assert answer.json()["Message"] == expected
    assert fake_wats.reports() == []


def test_the_old_virinco_wsxf_example_breaks_only_the_status_rule(
    fake_wats: FakeWatsServer, api: httpx.Client, examples: Path
) -> None:
    """Its failed steps carry measurements marked Passed. The fake applies the WSJF rules
    to WSXF as well [inferred], so this example from an older WATS is refused, for that
    reason alone."""
    body = (examples / "virinco-examples" / "uut-wsxf.xml").read_bytes()
    answer = api.post("/api/Report/WSXF", content=body, headers={"Content-Type": "application/xml"})
    assert answer.status_code == 400
    lines = answer.json()["Message"].split("\r\n")
    assert len(lines) == 17
    assert all(
        line.endswith(": Status cannot be different from measurement status.") for line in lines
    )


def test_unknown_process_and_wrong_process_name_are_rejected(
    api: httpx.Client, make_report: object
) -> None:
    report = make_report(processCode=4242)  # type: ignore[operator]
    answer = api.post("/api/Report/WSJF", json=report)
    assert answer.status_code == 400
    assert "4242" in answer.json()["Message"]
    wrong_case = make_report(processName="sw debug")  # type: ignore[operator]
    answer = api.post("/api/Report/WSJF", json=wrong_case)
    assert answer.status_code == 400
    assert api.post("/api/Report/WSJF", json=make_report(processName="SW Debug")).status_code == 200  # type: ignore[operator]


def test_malformed_json_gets_a_400_naming_the_problem(api: httpx.Client) -> None:
    answer = api.post(
        "/api/Report/WSJF",
        content=b'{"type": "T", "id": ',
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 400
    assert "JSON" in answer.json()["Message"]
