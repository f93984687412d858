"""Each area of the fake refuses what WATS refuses, with the status and reason: missing
or malformed parameters, unknown things, moves the API does not allow. Plain HTTP, no
contract mode, so the areas' own checks answer."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from pywats_testing import FakeWatsServer

UNKNOWN = "7a0e8f5e-1111-4c2d-8e9f-0a1b2c3d4e5f"

# (method, path, query, JSON body, status, a fragment of the reason)
CASES: list[tuple[str, str, dict[str, str], Any, int, str]] = [
    ("PUT", "/api/Product", {}, {"name": "no part number"}, 400, "partNumber is required"),
    ("PUT", "/api/Product/Revision", {}, {"PartNumber": "X"}, 400, "revision is required"),
    ("PUT", "/api/Products", {}, {"not": "a list"}, 400, "JSON array"),
    (
        "PUT",
        "/api/Products/Revisions",
        {},
        [{"PartNumber": "NOPE", "revision": "A"}],
        400,
        "not found",
    ),
    ("PUT", "/api/Product/Vendors", {}, [{}], 400, "VendorName is required"),
    ("DELETE", "/api/Product/Vendors", {}, "x", 400, "JSON array"),
    ("PUT", "/api/Product/Vendors", {}, "x", 400, "JSON array"),
    ("POST", "/api/Product/ProductGroupFilter", {"productGroup": "G"}, None, 400, "required"),
    (
        "POST",
        "/api/Product/ProductGroupFilter",
        {"productGroup": "G", "partNumber": "P", "exclude": "maybe"},
        None,
        400,
        "not valid",
    ),
    ("GET", "/api/Product/ProductGroupsByProduct", {}, None, 400, "partNumber is required"),
    ("GET", "/api/Product/Query", {"$filter": "name eq"}, None, 400, ""),
    ("GET", "/api/Product/Query", {"$bogus": "1"}, None, 400, "not supported"),
    ("GET", "/api/Product/X/A", {}, None, 404, "not found"),
    ("PUT", "/api/Production/Units", {}, "x", 400, "array of units"),
    ("PUT", "/api/Production/Units", {}, [{"serialNumber": "S"}], 400, "required"),
    ("PUT", "/api/Production/Batches", {}, "x", 400, "array of batches"),
    ("PUT", "/api/Production/Batches", {}, [{}], 400, "batchNumber is required"),
    ("GET", "/api/Production/Unit/S/P", {}, None, 404, "not found"),
    (
        "PUT",
        "/api/Production/SetUnitPhase",
        {"serialNumber": "S", "partNumber": "P"},
        None,
        400,
        "phase is required",
    ),
    (
        "PUT",
        "/api/Production/SetUnitPhase",
        {"serialNumber": "S", "partNumber": "P", "phase": "x"},
        None,
        400,
        "not valid",
    ),
    (
        "PUT",
        "/api/Production/SetUnitPhase",
        {"serialNumber": "S", "partNumber": "P", "phase": "3"},
        None,
        400,
        "does not exist",
    ),
    (
        "PUT",
        "/api/Production/SetUnitPhase",
        {"serialNumber": "S", "partNumber": "P", "phase": "2"},
        None,
        404,
        "not found",
    ),
    (
        "PUT",
        "/api/Production/SetUnitProcess",
        {"serialNumber": "S", "partNumber": "P", "processName": "SW Debug"},
        None,
        404,
        "not found",
    ),
    ("POST", "/api/Production/AddChildUnit", {"parentSerialNumber": "S"}, None, 400, "required"),
    (
        "POST",
        "/api/Production/AddChildUnit",
        {
            "parentSerialNumber": "S",
            "parentPartNumber": "P",
            "childSerialNumber": "C",
            "childPartNumber": "P",
            "checkPartNumber": "1",
            "checkRevision": "1",
        },
        None,
        404,
        "not found",
    ),
    (
        "POST",
        "/api/Production/RemoveChildUnit",
        {
            "parentSerialNumber": "S",
            "parentPartNumber": "P",
            "childSerialNumber": "C",
            "childPartNumber": "P",
        },
        None,
        404,
        "not found",
    ),
    (
        "GET",
        "/api/Production/CheckChildUnits",
        {"parentSerialNumber": "S", "parentPartNumber": "P"},
        None,
        404,
        "not found",
    ),
    ("GET", "/api/Production/UnitVerification", {}, None, 400, "serialNumber is required"),
    ("GET", "/api/Production/Units/Changes", {}, None, 400, "maxCount is required"),
    ("GET", "/api/Production/Units/Changes", {"maxCount": "x"}, None, 400, "not valid"),
    ("DELETE", "/api/Production/Units/Changes/x", {}, None, 400, "number"),
    ("DELETE", "/api/Production/Units/Changes/99", {}, None, 404, "not found"),
    ("GET", "/api/Asset/Log", {"$top": "-1"}, None, 400, "Invalid value"),
    ("GET", "/api/Asset", {"$orderby": "nothing"}, None, 400, "Could not find"),
    ("PUT", "/api/Asset/Types", {}, {}, 400, "typeName is required"),
    ("GET", "/api/Asset/Status", {}, None, 400, "id or serialNumber"),
    ("GET", "/api/Asset/Status", {"serialNumber": "NONE"}, None, 404, "not found"),
    ("GET", "/api/Asset/SubAssets", {"serialNumber": "NONE"}, None, 404, "not found"),
    ("PUT", "/api/Asset/Count", {"serialNumber": "A", "totalCount": "x"}, None, 400, "invalid"),
    ("PUT", "/api/Asset/Count", {"serialNumber": "A"}, None, 400, "totalCount or incrementBy"),
    (
        "PUT",
        "/api/Asset/Count",
        {"serialNumber": "NONE", "totalCount": "1"},
        None,
        404,
        "not found",
    ),
    ("POST", "/api/Asset/ResetRunningCount", {"serialNumber": "NONE"}, None, 404, "not found"),
    ("POST", "/api/Asset/Calibration", {"serialNumber": "NONE"}, None, 404, "not found"),
    ("PUT", "/api/Asset/State", {"state": "x"}, None, 400, "number"),
    ("PUT", "/api/Asset/State", {"state": "9"}, None, 400, "0..6"),
    ("PUT", "/api/Asset/State", {"state": "1", "serialNumber": "NONE"}, None, 404, "not found"),
    ("POST", "/api/Asset/Message", {"serialNumber": "NONE"}, {}, 400, "content is required"),
    ("POST", "/api/Asset/Message", {"serialNumber": "NONE"}, {"content": "x"}, 404, "not found"),
    ("PUT", "/api/Asset", {}, {"serialNumber": "A"}, 400, "required"),
    ("DELETE", "/api/Asset", {"serialNumber": "NONE"}, None, 404, "not found"),
    ("GET", "/api/Asset/NONE", {}, None, 404, "not found"),
    ("POST", "/api/Software/Package", {}, {}, 400, "name is required"),
    ("GET", f"/api/Software/Package/{UNKNOWN}", {}, None, 404, "not found"),
    ("PUT", f"/api/Software/Package/{UNKNOWN}", {}, {}, 404, "not found"),
    ("DELETE", f"/api/Software/Package/{UNKNOWN}", {}, None, 404, "not found"),
    (
        "GET",
        "/api/Software/PackageByName",
        {"name": "X", "status": "Bogus"},
        None,
        400,
        "valid status",
    ),
    (
        "GET",
        "/api/Software/PackageByName",
        {"name": "X", "status": "Draft"},
        None,
        404,
        "No Draft package",
    ),
    ("DELETE", "/api/Software/PackageByName", {"name": "X"}, None, 400, "required"),
    (
        "DELETE",
        "/api/Software/PackageByName",
        {"name": "X", "version": "1"},
        None,
        404,
        "not found",
    ),
    ("GET", "/api/Software/PackagesByTag", {"tag": "a=b"}, None, 400, "required"),
    ("GET", f"/api/Software/PackageFiles/{UNKNOWN}", {}, None, 404, "not found"),
    (
        "POST",
        f"/api/Software/PackageStatus/{UNKNOWN}",
        {"status": "x"},
        None,
        400,
        "status must be",
    ),
    (
        "POST",
        f"/api/Software/PackageStatus/{UNKNOWN}",
        {"status": "Pending"},
        None,
        404,
        "not found",
    ),
    ("POST", f"/api/Software/Package/UploadZip/{UNKNOWN}", {}, None, 400, "multipart"),
    (
        "POST",
        f"/api/Software/Package/FileAttribute/{UNKNOWN}",
        {},
        None,
        400,
        "attribute is required",
    ),
    (
        "POST",
        f"/api/Software/Package/FileAttribute/{UNKNOWN}",
        {"attribute": "X"},
        None,
        404,
        "not found",
    ),
    ("GET", "/api/RootCause/Tickets", {"status": "1"}, None, 400, "required numbers"),
    ("GET", "/api/RootCause/Tickets", {"status": "1", "view": "7"}, None, 400, "view must be"),
    ("GET", "/api/RootCause/Ticket", {"ticketId": UNKNOWN}, None, 404, "not found"),
    ("POST", "/api/RootCause/Ticket", {}, {}, 400, "subject is required"),
    ("PUT", "/api/RootCause/Ticket", {}, {"ticketId": UNKNOWN}, 404, "not found"),
    ("POST", "/api/RootCause/ArchiveTickets", {}, [UNKNOWN], 404, "not found"),
    ("POST", "/api/RootCause/Attachment", {}, None, 400, "multipart"),
    ("GET", "/api/RootCause/Attachment", {"attachmentId": UNKNOWN}, None, 404, "not found"),
    ("GET", "/api/SystemManager/Client", {}, None, 400, "name or identifier"),
    ("GET", "/api/SystemManager/Client", {"name": "none"}, None, 404, "not found"),
    (
        "PUT",
        "/api/SystemManager/Client",
        {"moveWithHistory": "maybe"},
        {"clientId": 1},
        400,
        "not valid",
    ),
    ("PUT", "/api/SystemManager/Client", {}, {"clientId": 99}, 404, "not found"),
    ("GET", "/api/SystemManager/ClientLog/NONE", {}, None, 404, "not found"),
    ("POST", "/api/SystemManager/Level", {}, [], 400, "array of level names"),
    ("GET", "/api/App/ProductGroups", {"includeFilters": "maybe"}, None, 400, "not valid"),
    ("GET", "/api/SCIM/v2/Users", {"filter": 'name sw "x"'}, None, 400, "Unsupported filter"),
    ("GET", "/api/SCIM/v2/Users", {"startIndex": "x"}, None, 400, "numbers"),
    ("POST", "/api/SCIM/v2/Users", {}, {}, 400, "userName is required"),
    ("GET", "/api/SCIM/v2/Users/userName=nobody", {}, None, 404, "not found"),
    ("PATCH", "/api/SCIM/v2/Users/nobody", {}, {"Operations": []}, 404, "not found"),
    ("DELETE", "/api/SCIM/v2/Users/nobody", {}, None, 404, "not found"),
    ("GET", "/api/SCIM/v2/Token", {"duration": "x"}, None, 400, "days"),
    (
        "PUT",
        "/api/BarcodeIdentifiers/BarcodeIdentifier",
        {},
        {"pattern": "("},
        400,
        "not a regular expression",
    ),
    ("PUT", "/api/BarcodeIdentifiers/BarcodeIdentifier", {}, {}, 400, "pattern is required"),
    ("DELETE", "/api/BarcodeIdentifiers/BarcodeIdentifier/x", {}, None, 400, "number"),
    (
        "POST",
        "/api/Production/SerialNumbers/Take",
        {"serialNumberType": "MAC", "quantity": "1", "onlyInSequence": "maybe"},
        None,
        400,
        "The value 'maybe' is not valid for onlyInSequence",
    ),
    (
        "POST",
        f"/api/Software/Package/UploadZip/{UNKNOWN}",
        {"cleanInstall": "maybe"},
        None,
        400,
        "The value 'maybe' is not valid for cleanInstall",
    ),
    ("DELETE", "/api/BarcodeIdentifiers/BarcodeIdentifier/9", {}, None, 404, "not found"),
    ("GET", "/api/BarcodeIdentifiers/IdentifyBarcode", {}, None, 400, "code is required"),
    ("POST", "/api/Production/SerialNumbers/Take", {}, None, 400, "serialNumberType is required"),
    (
        "POST",
        "/api/Production/SerialNumbers/Take",
        {"serialNumberType": "MAC", "quantity": "x"},
        None,
        400,
        "number",
    ),
    (
        "POST",
        "/api/Production/SerialNumbers/Take",
        {"serialNumberType": "MAC", "quantity": "0"},
        None,
        400,
        "at least 1",
    ),
    (
        "GET",
        "/api/Production/SerialNumbers/ByRange",
        {"serialNumberType": "MAC"},
        None,
        400,
        "required",
    ),
    (
        "GET",
        "/api/Production/SerialNumbers",
        {"serialNumberType": "MAC"},
        None,
        400,
        "format is required",
    ),
    (
        "PUT",
        "/api/Production/SerialNumbers",
        {"serialNumberType": "MAC", "format": "csv"},
        None,
        400,
        "multipart",
    ),
    ("GET", "/api/Workflow/StartTest", {}, None, 400, "required"),
    (
        "GET",
        "/api/Workflow/EndTest",
        {"serialNumber": "S", "partNumber": "P", "passed": "maybe"},
        None,
        400,
        "not valid",
    ),
    (
        "GET",
        "/api/Workflow/EndTest",
        {"serialNumber": "S", "partNumber": "P"},
        None,
        404,
        "not found",
    ),
    ("GET", "/api/Export/none.zip", {}, None, 404, "not found"),
    ("GET", f"/api/Report/Certificate/{UNKNOWN}", {}, None, 404, "not found"),
    ("GET", "/api/App/CommonUserSettings", {"UserName": "nobody"}, None, 404, "not found"),
    ("POST", "/api/App/SerialNumberHistory", {}, {}, 400, "serialNumber"),
    ("GET", "/api/App/VolumeYield", {"days": "x"}, None, 400, "days is a number"),
    ("GET", "/api/App/WorstYield", {"days": "1"}, None, 400, "required"),
    (
        "GET",
        "/api/App/TopFailed",
        {"days": "1", "productGroupId": "g", "levelId": "l", "count": "x"},
        None,
        400,
        "count is a number",
    ),
]


@pytest.mark.parametrize(
    ("method", "path", "query", "body", "status", "reason"),
    CASES,
    ids=[f"{c[0]} {c[1]} {sorted(c[2])}" for c in CASES],
)
def test_the_fake_refuses(
    api: httpx.Client,
    method: str,
    path: str,
    query: dict[str, str],
    body: Any,
    status: int,
    reason: str,
) -> None:
    answer = api.request(method, path, params=query, json=body)
    assert answer.status_code == status, answer.text
    assert reason.lower() in answer.text.lower()


@pytest.mark.parametrize("what", ["units", "batches"])
def test_a_body_that_is_not_an_array_is_refused_in_one_sentence(
    api: httpx.Client, what: str
) -> None:
    answer = api.put(f"/api/Production/{what.capitalize()}", json="x")
    assert answer.status_code == 400
    assert answer.json() == {"Message": f"The request is invalid. expected a JSON array of {what}"}


def test_an_unknown_serial_number_type_is_refused(api: httpx.Client) -> None:
    answer = api.get("/api/Production/SerialNumbers/Types")
    assert [t["name"] for t in answer.json()] == ["MAC"]
    refused = api.post(
        "/api/Production/SerialNumbers/Take", params={"serialNumberType": "X", "quantity": "1"}
    )
    assert refused.status_code == 400
    assert "does not exist" in refused.text


def test_refusals_leave_state_unchanged(fake_wats: FakeWatsServer, api: httpx.Client) -> None:
    api.put("/api/Production/Units", json=[{"serialNumber": "S", "partNumber": "NOPE"}])
    assert fake_wats.app.mes.units == {}
