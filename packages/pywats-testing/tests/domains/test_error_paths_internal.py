"""The fake's INTERNAL areas refuse malformed bodies and parameters and unknown ids with
the status and reason WATS answers ("The request is invalid. …" for 400s, "… not found"
for 404s). Plain httpx over loopback, no contract mode, so the areas' own checks answer."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

UNKNOWN = "7a0e8f5e-1111-4c2d-8e9f-0a1b2c3d4e5f"
MI = "/api/internal/ManualInspection"
RAW = object()  # a body sent as the bytes b"{not json"

# (method, path, query, JSON body, status, a fragment of the reason)
CASES: list[tuple[str, str, dict[str, str], Any, int, str]] = [
    # ManualInspection
    ("GET", f"{MI}/GetTestSequenceDefinitions", {"isGlobalDefinitions": "x"}, None, 400, "not valid"),
    ("GET", f"{MI}/GetTestSequenceDefinition", {"definitionId": UNKNOWN}, None, 404, "not found"),
    ("GET", f"{MI}/GetDefinitionCopy/{UNKNOWN}", {}, None, 404, "not found"),
    ("GET", f"{MI}/GetInstancesCount/{UNKNOWN}", {}, None, 404, "not found"),
    ("GET", f"{MI}/GetRelations/{UNKNOWN}", {}, None, 404, "not found"),
    ("GET", f"{MI}/GetRelationConflicts/{UNKNOWN}", {}, None, 404, "not found"),
    ("GET", f"{MI}/GetRelationConflictsNew/{UNKNOWN}", {}, None, 404, "not found"),
    ("GET", f"{MI}/GetWatswwfContent/{UNKNOWN}", {}, None, 404, "not found"),
    ("GET", f"{MI}/GetMiDetails/{UNKNOWN}", {}, None, 404, "not found"),
    ("GET", f"{MI}/GetMiDetailsNew/{UNKNOWN}", {}, None, 404, "not found"),
    ("GET", f"{MI}/GetTestSequenceDefinitionXaml", {"definitionId": UNKNOWN}, None, 404, "not found"),
    ("POST", f"{MI}/PostDefinition", {}, [1], 400, "expected a JSON object"),
    ("POST", f"{MI}/PostDefinition", {}, RAW, 400, "The request is invalid."),
    ("POST", f"{MI}/PostDefinition", {"createDefaultXaml": "x"}, {"Name": "D"}, 400, "not valid"),
    ("POST", f"{MI}/PostDefinition", {}, {"Description": "no name"}, 400, "needs a Name"),
    ("PUT", f"{MI}/PutDefinitionNew", {}, "x", 400, "expected a JSON object"),
    ("PUT", f"{MI}/PutDefinitionNew", {}, {"id": UNKNOWN}, 404, "not found"),
    ("POST", f"{MI}/PostRelation", {}, [], 400, "expected a JSON object"),
    ("POST", f"{MI}/PostRelation", {}, {"TestSequenceDefinitionId": UNKNOWN}, 404, "not found"),
    # a definition id that is a number, not a string: was a 500
    ("POST", f"{MI}/PostRelation", {}, {"TestSequenceDefinitionId": 5}, 404, "definition '5' not found"),
    ("PUT", f"{MI}/PutSequence", {}, [{"definitionId": 5}], 404, "definition '5' not found"),
    ("PUT", f"{MI}/PutRelation", {}, 5, 400, "expected a JSON object"),
    ("PUT", f"{MI}/PutRelation", {}, {"TestSequenceRelationId": UNKNOWN}, 404, "not found"),
    ("PUT", f"{MI}/DeleteRelationNew", {}, {"id": UNKNOWN}, 400, "expected a JSON array"),
    ("GET", f"{MI}/GetSequences", {"serialNumber": "S"}, None, 400, "partNumber, revision, batchNumber is required"),
    ("PUT", f"{MI}/PutSequence", {}, {}, 400, "expected a JSON array"),
    ("PUT", f"{MI}/PutSequence", {"submit": "x"}, [], 400, "not valid"),
    ("PUT", f"{MI}/PutSequence", {}, [], 400, "Expected steps"),
    ("PUT", f"{MI}/PutSequence", {}, [1], 400, "Expected steps"),
    ("PUT", f"{MI}/PutSequence", {}, [{"definitionId": UNKNOWN}], 404, "not found"),
    ("PUT", f"{MI}/PutTestSequenceDefinitionXaml", {"definitionId": UNKNOWN}, 1, 400, "expected a JSON object"),
    ("PUT", f"{MI}/PutTestSequenceDefinitionXaml", {"definitionId": UNKNOWN}, "<x/>", 404, "not found"),
    ("PUT", f"{MI}/ValidateMiscInfo", {}, [], 400, "expected a JSON object"),
    ("PUT", f"{MI}/ValidateMiscInfo", {}, {"regex": "(", "value": "a"}, 400, "The request is invalid."),
    ("PUT", f"{MI}/PutStringTest", {}, [], 400, "expected a JSON object"),
    ("PUT", f"{MI}/PutStringTest", {}, {"definitionId": UNKNOWN}, 404, "No inspection"),
    # Product, Process, Blob
    ("GET", "/api/internal/Product/Bom", {"partNumber": "P"}, None, 400, "partNumber and revision are required"),
    ("GET", "/api/internal/Product/Bom", {"partNumber": "P", "revision": "A"}, None, 404, "not found"),
    ("PUT", "/api/internal/Product/BOM", {"format": "xml"}, [], 400, "'xml' is not supported"),
    ("PUT", "/api/internal/Product/BOM", {"format": "json", "partNumber": "P", "revision": "A"}, [], 404, "not found"),
    ("GET", "/api/internal/Product/GetProductByPN", {"PN": "NOPE"}, None, 404, "not found"),
    ("POST", "/api/internal/Product/PostProductRevisionRelation", {}, RAW, 400, "The request is invalid."),
    ("POST", "/api/internal/Product/PostProductRevisionRelation", {}, [], 400, "Expected a relation"),
    ("POST", "/api/internal/Product/PostProductRevisionRelation", {}, {"ParentProductRevisionId": UNKNOWN}, 400, "existing product revisions"),
    ("PUT", "/api/internal/Product/PutProductRevisionRelation", {}, {"ProductRevisionRelationId": UNKNOWN}, 404, "not found"),
    ("DELETE", "/api/internal/Product/DeleteProductRevisionRelation", {"productRevisionRelationId": UNKNOWN}, None, 404, "not found"),
    ("PUT", "/api/internal/Product/PutProductCategories", {}, RAW, 400, "The request is invalid."),
    ("PUT", "/api/internal/Product/PutProductCategories", {}, [{"Description": "x"}], 400, "needs a Name"),
    ("GET", "/api/internal/Process/GetProcess/99999", {}, None, 404, "not found"),
    ("GET", "/api/internal/Process/GetRepairOperation/99999", {}, None, 404, "not found"),
    ("POST", "/api/internal/Blob/Asset", {"assetId": UNKNOWN}, None, 400, "filename is required"),
    ("POST", "/api/internal/Blob/Asset", {"assetId": UNKNOWN, "filename": "f"}, None, 404, "not found"),
    ("GET", "/api/internal/Blob/Asset", {"assetId": UNKNOWN, "filename": "f"}, None, 404, "not found"),
    ("DELETE", "/api/internal/Blob/Assets", {"assetId": UNKNOWN}, RAW, 400, "The request is invalid."),
    ("DELETE", "/api/internal/Blob/Assets", {"assetId": UNKNOWN}, {"f": 1}, 400, "array of file names"),
    ("DELETE", "/api/internal/Blob/Assets", {"assetId": UNKNOWN}, ["f"], 404, "not found"),
    # Production
    ("GET", "/api/internal/Production/GetUnit", {}, None, 400, "serialNumber is required"),
    ("GET", "/api/internal/Production/GetUnit", {"serialNumber": "NOPE", "partNumber": "NOPE"}, None, 404, "not found"),
    # Software
    ("GET", f"/api/internal/Software/File/{UNKNOWN}", {}, None, 404, "not found"),
    ("POST", "/api/internal/Software/PostPackageFolder", {"packageId": UNKNOWN}, RAW, 400, "The request is invalid."),
    ("POST", "/api/internal/Software/PostPackageFolder", {"packageId": UNKNOWN}, {}, 400, "needs a name"),
    ("POST", "/api/internal/Software/PostPackageFolder", {"packageId": UNKNOWN}, {"name": "bin"}, 404, "not found"),
    ("POST", "/api/internal/Software/UpdatePackageFolder", {}, {"id": UNKNOWN, "name": "x"}, 404, "not found"),
    ("POST", "/api/internal/Software/DeletePackageFolder", {"packageFolderId": UNKNOWN}, None, 404, "not found"),
    ("GET", "/api/internal/Software/GetPackageHistory", {"status": "x"}, None, 400, "The request is invalid."),
    ("GET", "/api/internal/Software/GetPackageHistory", {"allVersions": "x"}, None, 400, "not valid"),
    ("GET", "/api/internal/Software/Log", {"packageId": UNKNOWN}, None, 400, "downloadSize is a number"),
    ("GET", "/api/internal/Software/Log", {"packageId": UNKNOWN, "downloadSize": "1"}, None, 404, "not found"),
    ("GET", "/api/internal/Software/GetPackageDownloadHistory", {"clientId": "x"}, None, 400, "clientId is a number"),
    ("GET", "/api/internal/Software/GetSoftwareEntityDetails", {"packageId": UNKNOWN}, None, 404, "not found"),
    # UnitFlow and App
    ("GET", "/api/internal/UnitFlow/Nodes", {}, None, 400, "filter is required"),
    ("GET", "/api/internal/UnitFlow/Links", {"filter": "{oops"}, None, 400, "filter is not a JSON object"),
    ("GET", "/api/internal/UnitFlow/Units", {"filter": "[1]"}, None, 400, "filter is not a JSON object"),
    ("POST", "/api/internal/UnitFlow/SN", {}, {"a": 1}, 400, "Expected unit ids"),
    ("POST", "/api/internal/UnitFlow/SN", {}, 5, 400, "Expected unit ids"),
    ("POST", "/api/internal/UnitFlow/SplitBy", {}, {"partNumber": "P"}, 400, "splitBy is required"),
    ("POST", "/api/internal/UnitFlow/UnitOrder", {}, [1, 2], 400, "Expected units"),
    ("GET", "/api/internal/App/MeasurementList", {}, None, 400, "stepFilters, sequenceFilters is required"),
    ("GET", "/api/internal/App/StepStatusList", {"stepFilters": "x"}, None, 400, "sequenceFilters is required"),
    ("GET", "/api/internal/App/TopFailed", {"count": "many"}, None, 400, "count is a number"),
]


@pytest.mark.parametrize(
    ("method", "path", "query", "body", "status", "reason"),
    CASES,
    ids=[f"{c[0]} {c[1]} {sorted(c[2])} {c[4]}" for c in CASES],
)
def test_the_internal_areas_refuse(
    api: httpx.Client,
    method: str,
    path: str,
    query: dict[str, str],
    body: Any,
    status: int,
    reason: str,
) -> None:
    if body is RAW:
        answer = api.request(method, path, params=query, content=b"{not json")
    else:
        answer = api.request(method, path, params=query, json=body)
    assert answer.status_code == status, answer.text
    assert reason.lower() in answer.text.lower()
