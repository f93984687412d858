"""Contract: the fake serves only routes of the real Swagger, and answers in its schemas.

The Swagger 2.0 specs (captured from a live WATS server) are read from the reference
directory. Two liberties are taken when turning their definitions into JSON Schema, both
stated here: every property may be ``null`` (Swagger 2.0 cannot say "nullable", and
ASP.NET writes ``null`` for unset values), and a bare ``{"type": "object"}`` response
means "untyped" (that is how Swashbuckle documents ``IHttpActionResult`` actions, several
of which return arrays or strings). In the other direction we are stricter than the spec:
an object may carry only the properties its definition declares, so the fake cannot
invent fields.
"""

from __future__ import annotations

import copy
import json
import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest

from pywats_testing import FakeWatsServer


def _load(examples: Path, name: str) -> dict[str, Any]:
    return json.loads((examples / "openapi" / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def specs(examples: Path) -> list[dict[str, Any]]:
    return [_load(examples, "openapi_public.json"), _load(examples, "openapi_internal.json")]


def _segments(path: str) -> list[str]:
    return [
        "{}" if re.fullmatch(r"\{[^}]+\}", s) else s.lower() for s in path.strip("/").split("/")
    ]


def _find_operation(specs: list[dict[str, Any]], method: str, path: str) -> dict[str, Any] | None:
    wanted = _segments(path)
    for spec in specs:
        for spec_path, operations in spec["paths"].items():
            if _segments(spec_path) == wanted and method.lower() in operations:
                return operations[method.lower()]  # type: ignore[no-any-return]
    return None


def test_every_route_of_the_fake_is_in_the_real_swagger(
    fake_wats: FakeWatsServer, specs: list[dict[str, Any]]
) -> None:
    listed = httpx.get(f"{fake_wats.url}/_fake/routes").json()
    assert len(listed) == len(FakeWatsServer.routes()) >= 13
    missing = [
        f"{route['method']} {route['path']}"
        for route in listed
        if _find_operation(specs, route["method"], route["path"]) is None
    ]
    assert missing == []


def test_the_fake_serves_every_operation_of_the_public_spec(specs: list[dict[str, Any]]) -> None:
    served = {(method, tuple(_segments(path))) for method, path in FakeWatsServer.routes()}
    operations = [
        (method.upper(), path)
        for path, item in specs[0]["paths"].items()
        for method in item
        if method in ("get", "put", "post", "delete", "patch")
    ]
    missing = [f"{m} {p}" for m, p in operations if (m, tuple(_segments(p))) not in served]
    assert missing == []
    assert len(operations) == 126


def test_the_contract_check_itself_rejects_invented_routes(specs: list[dict[str, Any]]) -> None:
    assert _find_operation(specs, "GET", "/api/report/wsjf/{reportId}") is not None
    assert _find_operation(specs, "POST", "/api/Report/UUT/{id}") is None  # pyWATS invention
    assert _find_operation(specs, "DELETE", "/api/App/Version") is None


def _nullable(schema: Any) -> Any:
    if isinstance(schema, dict):
        out = {k: _nullable(v) for k, v in schema.items()}
        if isinstance(out.get("type"), str) and "properties" not in out:
            out["type"] = [out["type"], "null"]
        if "$ref" in out:
            out = {"anyOf": [{"$ref": out["$ref"]}, {"type": "null"}]}
        if isinstance(out.get("properties"), dict):
            out.setdefault("additionalProperties", False)
            out["type"] = ["object", "null"]
        return out
    if isinstance(schema, list):
        return [_nullable(item) for item in schema]
    return schema


@pytest.fixture(scope="module")
def definitions(specs: list[dict[str, Any]]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for spec in specs:
        merged.update(copy.deepcopy(spec["definitions"]))
    return _nullable(merged)  # type: ignore[no-any-return]


def _validate(instance: Any, schema: dict[str, Any], definitions: dict[str, Any]) -> None:
    if schema == {"type": "object"}:
        pytest.fail("untyped response: validate against a named definition instead")
    root = {**_nullable(schema), "definitions": definitions}
    jsonschema.Draft4Validator(root, format_checker=jsonschema.FormatChecker()).validate(instance)


def _response_schema(specs: list[dict[str, Any]], method: str, path: str) -> dict[str, Any]:
    operation = _find_operation(specs, method, path)
    assert operation is not None
    return operation["responses"]["200"]["schema"]  # type: ignore[no-any-return]


def _wsjf_report_schema() -> dict[str, Any]:
    return {"$ref": "#/definitions/Virinco.WATS.Schemas.WSJF.Report"}


@pytest.fixture
def loaded(
    fake_wats: FakeWatsServer, examples: Path, make_report: Callable[..., dict[str, Any]]
) -> dict[str, Any]:
    """The fake with the official UUT and UUR examples and one small report stored."""
    headers = {"Authorization": f"Basic {fake_wats.token}", "Content-Type": "application/json"}
    ids = {}
    for name in ("WATS - WSJF UUT Example file.json", "WATS - WSJF UUR Example file.json"):
        body = (examples / "virinco-examples" / name).read_bytes()
        answer = httpx.post(f"{fake_wats.url}/api/Report/WSJF", content=body, headers=headers)
        assert answer.status_code == 200, answer.text
        ids[name] = answer.json()["ID"]
    small = make_report()
    assert (
        httpx.post(f"{fake_wats.url}/api/Report/WSJF", json=small, headers=headers).status_code
        == 200
    )
    return {
        "uut": ids["WATS - WSJF UUT Example file.json"],
        "uur": ids["WATS - WSJF UUR Example file.json"],
        "small": small["id"],
    }


def test_success_responses_validate_against_the_spec(
    fake_wats: FakeWatsServer,
    specs: list[dict[str, Any]],
    definitions: dict[str, Any],
    loaded: dict[str, Any],
    make_report: Callable[..., dict[str, Any]],
) -> None:
    auth = {"Authorization": f"Basic {fake_wats.token}"}
    url = fake_wats.url
    checked = []

    def check(
        method: str, path: str, answer: httpx.Response, schema: dict[str, Any] | None = None
    ) -> None:
        assert answer.status_code == 200, answer.text
        _validate(answer.json(), schema or _response_schema(specs, method, path), definitions)
        checked.append(f"{method} {path}")

    check("GET", "/api/App/Version", httpx.get(f"{url}/api/App/Version", headers=auth))
    # App/Processes is untyped in the spec; its items follow the public API's camelCase.
    processes = httpx.get(f"{url}/api/App/Processes", headers=auth)
    assert processes.status_code == 200
    assert {p["code"] for p in processes.json()} >= {10, 90, 500}
    check(
        "GET",
        "/api/internal/Process/GetProcesses",
        httpx.get(f"{url}/api/internal/Process/GetProcesses", headers=auth),
    )
    new = make_report(id=str(uuid.uuid4()))
    check("POST", "/api/Report/WSJF", httpx.post(f"{url}/api/Report/WSJF", json=new, headers=auth))
    for key in ("uut", "uur", "small"):
        check(
            "GET",
            "/api/Report/Wsjf/{id}",
            httpx.get(f"{url}/api/Report/Wsjf/{loaded[key]}", headers=auth),
            _wsjf_report_schema(),
        )
    expand = "subunits,miscinfo,assets,attachments,uurSubUnits,uurMiscInfo,uurAttachments"
    headers = httpx.get(
        f"{url}/api/Report/Query/Header", params={"$expand": expand, "$top": "100"}, headers=auth
    )
    check("GET", "/api/Report/Query/Header", headers)
    assert len(headers.json()) == 4
    check(
        "GET",
        "/api/internal/Client/Ping",
        httpx.get(f"{url}/api/internal/Client/Ping", headers=auth),
    )
    info = httpx.get(f"{url}/api/internal/Client/ServerInfo", headers=auth)
    check("GET", "/api/internal/Client/ServerInfo", info)
    assert info.json()["Version"] == "2026.1.5.324"
    misc = httpx.get(f"{url}/api/Report/Query/HeaderByMiscInfo", headers=auth)
    check("GET", "/api/Report/Query/HeaderByMiscInfo", misc)
    assert {row["uuid"] for row in misc.json()} == {loaded["uut"], loaded["small"], new["id"]}
    assert len(checked) == 10


def test_the_schema_check_catches_a_wrong_type(
    specs: list[dict[str, Any]], definitions: dict[str, Any]
) -> None:
    schema = _response_schema(specs, "POST", "/api/Report/WSJF")
    with pytest.raises(jsonschema.ValidationError):
        _validate({"ID": "x", "uuid": str(uuid.uuid4()), "Report_ID": 1}, schema, definitions)
    with pytest.raises(jsonschema.ValidationError):
        _validate({"ID": str(uuid.uuid4()), "Invented": 1}, schema, definitions)
