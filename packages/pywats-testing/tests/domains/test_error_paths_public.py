"""The fake's public areas (Asset, Software, SystemManager, App) refuse bad parameters and
unknown ids with WATS's status and reason, and a body that is not JSON, or not the JSON a
route takes, is a 400 "The request is invalid. …" on every route, never a 500. Plain httpx
over loopback, no contract mode, so the areas' own checks answer."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from pywats_testing import FakeWatsServer

UNKNOWN = "7a0e8f5e-1111-4c2d-8e9f-0a1b2c3d4e5f"
PKG = "/api/Software/Package"

# (method, path, query, JSON body, status, a fragment of the reason)
CASES: list[tuple[str, str, dict[str, str], Any, int, str]] = [
    # Asset
    ("GET", "/api/Asset/SubAssets", {}, None, 400, "Specify the asset by id or serialNumber"),
    ("GET", "/api/Asset/SubAssets", {"id": UNKNOWN}, None, 404, f"Asset '{UNKNOWN}' not found"),
    ("GET", "/api/Asset/Status", {"serialNumber": "NOPE"}, None, 404, "Asset 'NOPE' not found"),
    (
        "PUT",
        "/api/Asset/Count",
        {"serialNumber": "NOPE"},
        None,
        400,
        "Specify totalCount or incrementBy",
    ),
    (
        "PUT",
        "/api/Asset/Count",
        {"serialNumber": "S", "totalCount": "x"},
        None,
        400,
        "The request is invalid.",
    ),
    (
        "PUT",
        "/api/Asset/Count",
        {"serialNumber": "NOPE", "totalCount": "1"},
        None,
        404,
        "not found",
    ),
    (
        "PUT",
        "/api/Asset/State",
        {"serialNumber": "NOPE", "state": "x"},
        None,
        400,
        "state is a number",
    ),
    (
        "PUT",
        "/api/Asset/State",
        {"serialNumber": "NOPE", "state": "9"},
        None,
        400,
        "state must be 0..6",
    ),
    ("POST", "/api/Asset/Message", {"serialNumber": "NOPE"}, {}, 400, "content is required"),
    ("PUT", "/api/Asset", {}, {}, 400, "serialNumber and typeId are required"),
    ("PUT", "/api/Asset", {}, {"serialNumber": "A", "typeId": UNKNOWN}, 400, "type"),
    ("PUT", "/api/Asset/Types", {}, {}, 400, "typeName is required"),
    ("GET", f"/api/Asset/{UNKNOWN}", {}, None, 404, "not found"),
    (
        "GET",
        "/api/Asset",
        {"$filter": "bogus eq"},
        None,
        400,
        "Could not find a property named 'bogus'",
    ),
    ("GET", "/api/Asset/Log", {"$top": "x"}, None, 400, "Invalid value 'x' for $top"),
    ("DELETE", "/api/Asset", {}, None, 400, "Specify the asset by id or serialNumber"),
    ("POST", "/api/Asset/ResetRunningCount", {"serialNumber": "NOPE"}, None, 404, "not found"),
    ("POST", "/api/Asset/Calibration", {"serialNumber": "NOPE"}, None, 404, "not found"),
    ("POST", "/api/Asset/Maintenance", {"serialNumber": "NOPE"}, None, 404, "not found"),
    # Software
    ("POST", PKG, {}, {}, 400, "name is required"),
    ("GET", f"{PKG}/{UNKNOWN}", {}, None, 404, f"Package '{UNKNOWN}' not found"),
    ("PUT", f"{PKG}/{UNKNOWN}", {}, {"name": "x"}, 404, "not found"),
    ("DELETE", f"{PKG}/{UNKNOWN}", {}, None, 404, "not found"),
    (
        "GET",
        "/api/Software/PackageByName",
        {"name": "x", "status": "bogus"},
        None,
        400,
        "a valid status",
    ),
    (
        "GET",
        "/api/Software/PackageByName",
        {"name": "x", "status": "Released"},
        None,
        404,
        "No Released package named 'x'",
    ),
    (
        "DELETE",
        "/api/Software/PackageByName",
        {"name": "x"},
        None,
        400,
        "name and version are required",
    ),
    (
        "DELETE",
        "/api/Software/PackageByName",
        {"name": "x", "version": "1"},
        None,
        404,
        "version 1 not found",
    ),
    ("GET", "/api/Software/PackagesByTag", {"tag": "x"}, None, 400, "a valid status"),
    ("GET", f"/api/Software/PackageFiles/{UNKNOWN}", {}, None, 404, "not found"),
    (
        "POST",
        f"/api/Software/PackageStatus/{UNKNOWN}",
        {"status": "bogus"},
        None,
        400,
        "status must be one of",
    ),
    (
        "POST",
        f"/api/Software/PackageStatus/{UNKNOWN}",
        {"status": "Released"},
        None,
        404,
        "not found",
    ),
    ("POST", f"{PKG}/UploadZip/{UNKNOWN}", {}, None, 400, "not a zip in a multipart form"),
    ("POST", f"{PKG}/FileAttribute/{UNKNOWN}", {}, None, 400, "attribute is required"),
    ("POST", f"{PKG}/FileAttribute/{UNKNOWN}", {"attribute": "1"}, None, 404, "Package file"),
    # SystemManager and App
    ("GET", "/api/SystemManager/Client", {}, None, 400, "Specify name or identifier"),
    ("GET", "/api/SystemManager/Client", {"name": "nope"}, None, 404, "Client 'nope' not found"),
    ("GET", "/api/SystemManager/ClientLog/nope", {}, None, 404, "Client 'nope' not found"),
    (
        "PUT",
        "/api/SystemManager/Client",
        {"moveWithHistory": "x"},
        {},
        400,
        "not valid for moveWithHistory",
    ),
    ("PUT", "/api/SystemManager/Client", {}, {"clientId": 99}, 404, "Client 99 not found"),
    ("GET", "/api/SystemManager/Level", {}, None, 400, "hierarchy names the levels"),
    ("POST", "/api/SystemManager/Level", {}, {"a": 1}, 400, "Expected a JSON array of level names"),
    (
        "POST",
        "/api/SystemManager/Level",
        {},
        ["top", ""],
        400,
        "Expected a JSON array of level names",
    ),
    (
        "GET",
        "/api/App/ProductGroups",
        {"includeFilters": "x"},
        None,
        400,
        "not valid for includeFilters",
    ),
    ("GET", "/api/App/RelatedRepairHistory", {}, None, 400, "partNumber and revision are required"),
    (
        "POST",
        "/api/App/DynamicYield",
        {"dimensions": "bogus"},
        {},
        400,
        "'bogus' is not a supported dimension",
    ),
    (
        "POST",
        "/api/App/DynamicRepair",
        {"dimensions": "partNumber;bogus desc"},
        {},
        400,
        "'bogus' is not a supported",
    ),
    # a number that is not one: was a 500
    (
        "POST",
        "/api/App/DynamicYield",
        {},
        {"dateGrouping": "x"},
        400,
        "dateGrouping must be an integer, not 'x'",
    ),
    ("POST", "/api/App/DynamicRepair", {}, {"dateGrouping": [1]}, 400, "must be an integer"),
]

# Routes that take a JSON object body: an array, a string or broken JSON was a 500.
OBJECT_BODY_ROUTES = [
    ("PUT", "/api/SystemManager/Client", {}),
    ("POST", "/api/App/DynamicYield", {}),
    ("POST", "/api/App/DynamicRepair", {}),
    ("POST", "/api/App/UutReport", {}),
    ("POST", "/api/App/TopFailed", {}),
    ("POST", "/api/App/VolumeYield", {}),
    ("PUT", "/api/Asset", {}),
    ("PUT", "/api/BarcodeIdentifiers/BarcodeIdentifier", {}),
    ("POST", "/api/internal/UnitFlow", {}),
    ("POST", "/api/internal/UnitFlow/SplitBy", {}),
    ("POST", "/api/internal/App/MeasurementList", {"stepFilters": "a", "sequenceFilters": "b"}),
    ("POST", "/api/internal/Trigger/GetAlarmAndNotificationLogs", {}),
]


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]} {c[1]} {sorted(c[2])} {c[4]}" for c in CASES])
def test_the_public_areas_refuse(
    refused: Any, case: tuple[str, str, dict[str, str], Any, int, str]
) -> None:
    refused(*case)


@pytest.mark.parametrize(("method", "path", "query"), OBJECT_BODY_ROUTES, ids=lambda v: str(v))
@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"[1]", "The request is invalid. expected a JSON object"),
        (b'"text"', "The request is invalid. expected a JSON object"),
        (b"{oops", "The request is invalid. The body is not JSON"),
    ],
    ids=["array", "string", "broken"],
)
def test_a_body_that_is_not_an_object_is_a_400(
    api: httpx.Client, method: str, path: str, query: dict[str, str], content: bytes, reason: str
) -> None:
    answer = api.request(
        method, path, params=query, content=content, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 400, answer.text
    assert answer.json() == {"Message": answer.json()["Message"]}
    assert answer.json()["Message"].startswith(reason)


def test_a_null_date_grouping_is_the_default(api: httpx.Client) -> None:
    with_null = api.post("/api/App/DynamicYield", json={"partNumber": "P", "dateGrouping": None})
    assert with_null.status_code == 200, with_null.text
    assert with_null.json() == api.post("/api/App/DynamicYield", json={"partNumber": "P"}).json()


def test_a_refused_client_change_changes_nothing(
    fake_wats: FakeWatsServer, api: httpx.Client
) -> None:
    before = api.get("/api/SystemManager/Clients").json()
    assert api.put("/api/SystemManager/Client", content=b"[1]").status_code == 400
    assert api.put("/api/SystemManager/Client", json={"clientId": 99}).status_code == 404
    assert api.get("/api/SystemManager/Clients").json() == before
    assert fake_wats.app.mes.client_settings == {}
