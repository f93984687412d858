"""The internal routes olreppe/pyWATS wraps: each one the internal specification has gets
exactly one pywats method, and pywats calls no other internal route.

The list is what olreppe/pyWATS's library calls under ``api/internal/`` in the areas
Process, ManualInspection, UnitFlow, Product, Production, Software, App, Mes, Blob and
Trigger (``src/pywats/domains/*/async_repository.py`` at c1427d6, method and route of
each call). The internal specification is read from the reference files
(``PYWATS_REFERENCE_DIR``); without it the tests skip.
"""

from __future__ import annotations

from _contract import Spec
from test_spec_walk import METHODS

OLREPPE_INTERNAL_CALLS = (
    ("POST", "/api/internal/UnitFlow"),
    ("GET", "/api/internal/UnitFlow/Links"),
    ("GET", "/api/internal/UnitFlow/Nodes"),
    ("POST", "/api/internal/UnitFlow/SN"),
    ("POST", "/api/internal/UnitFlow/SplitBy"),
    ("POST", "/api/internal/UnitFlow/UnitOrder"),
    ("GET", "/api/internal/UnitFlow/Units"),
    ("GET", "/api/internal/App/MeasurementList"),
    ("POST", "/api/internal/App/MeasurementList"),
    ("GET", "/api/internal/App/StepStatusList"),
    ("POST", "/api/internal/App/StepStatusList"),
    ("GET", "/api/internal/App/TopFailed"),
    ("POST", "/api/internal/App/TopFailed"),
    ("POST", "/api/internal/Trigger/GetAlarmAndNotificationLogs"),
    ("POST", "/api/internal/Blob/Asset"),
    ("GET", "/api/internal/Blob/Asset"),
    ("GET", "/api/internal/Blob/Asset/List/{id}"),
    ("DELETE", "/api/internal/Blob/Assets"),
    ("GET", "/api/internal/ManualInspection/GetTestSequenceDefinitions"),
    ("GET", "/api/internal/ManualInspection/GetTestSequenceDefinition"),
    ("GET", "/api/internal/ManualInspection/GetDefinitionCopy/{id}"),
    ("GET", "/api/internal/ManualInspection/GetInstancesCount/{id}"),
    ("POST", "/api/internal/ManualInspection/PostDefinition"),
    ("PUT", "/api/internal/ManualInspection/PutDefinitionNew"),
    ("GET", "/api/internal/ManualInspection/GetRelations/{id}"),
    ("GET", "/api/internal/ManualInspection/GetRelationConflicts/{id}"),
    ("GET", "/api/internal/ManualInspection/GetRelationConflictsNew/{id}"),
    ("POST", "/api/internal/ManualInspection/PostRelation"),
    ("PUT", "/api/internal/ManualInspection/PutRelation"),
    ("PUT", "/api/internal/ManualInspection/DeleteRelationNew"),
    ("GET", "/api/internal/ManualInspection/GetSequences"),
    ("PUT", "/api/internal/ManualInspection/PutSequence"),
    ("DELETE", "/api/internal/ManualInspection/DeleteSequence/{id}"),
    ("GET", "/api/internal/ManualInspection/GetMiDetails/{id}"),
    ("GET", "/api/internal/ManualInspection/GetMiDetailsNew/{id}"),
    ("GET", "/api/internal/ManualInspection/GetTestSequenceDefinitionXaml"),
    ("PUT", "/api/internal/ManualInspection/PutTestSequenceDefinitionXaml"),
    ("GET", "/api/internal/ManualInspection/GetWatswwfContent/{id}"),
    ("PUT", "/api/internal/ManualInspection/ValidateMiscInfo"),
    ("PUT", "/api/internal/ManualInspection/PutStringTest"),
    ("GET", "/api/internal/Process/GetProcesses"),
    ("GET", "/api/internal/Process/GetProcess/{id}"),
    ("GET", "/api/internal/Process/GetRepairOperations"),
    ("GET", "/api/internal/Process/GetRepairOperation/{id}"),
    ("GET", "/api/internal/Product/Bom"),
    ("PUT", "/api/internal/Product/BOM"),
    ("GET", "/api/internal/Product/GetProductInfo"),
    ("GET", "/api/internal/Product/GetProductByPN"),
    ("POST", "/api/internal/Product/PostProductRevisionRelation"),
    ("PUT", "/api/internal/Product/PutProductRevisionRelation"),
    ("DELETE", "/api/internal/Product/DeleteProductRevisionRelation"),
    ("GET", "/api/internal/Product/GetGroupsForProduct"),
    ("GET", "/api/internal/Product/GetProductCategories"),
    ("PUT", "/api/internal/Product/PutProductCategories"),
    ("GET", "/api/internal/Product/GetProductTags"),
    ("PUT", "/api/internal/Product/PutProductTags"),
    ("GET", "/api/internal/Product/GetRevisionTags"),
    ("PUT", "/api/internal/Product/PutRevisionTags"),
    ("GET", "/api/internal/Mes/GetUnitPhases"),
    ("GET", "/api/internal/Production/isConnected"),
    ("GET", "/api/internal/Production/GetSites"),
    ("GET", "/api/internal/Production/GetUnit"),
    ("GET", "/api/internal/Production/GetUnitInfo"),
    ("GET", "/api/internal/Production/GetUnitHierarchy"),
    ("GET", "/api/internal/Production/GetUnitStateHistory"),
    ("GET", "/api/internal/Production/GetUnitPhase"),
    ("GET", "/api/internal/Production/GetUnitProcess"),
    ("GET", "/api/internal/Production/GetUnitContents"),
    ("POST", "/api/internal/Production/CreateUnit"),
    ("POST", "/api/internal/Production/AddChildUnit"),
    ("POST", "/api/internal/Production/RemoveChildUnit"),
    ("POST", "/api/internal/Production/RemoveAllChildUnits"),
    ("GET", "/api/internal/Production/CheckChildUnits"),
    ("GET", "/api/internal/Production/SerialNumbers"),
    ("GET", "/api/internal/Production/SerialNumbers/Count"),
    ("PUT", "/api/internal/Production/SerialNumbers/Free"),
    ("DELETE", "/api/internal/Production/SerialNumbers/Free"),
    ("GET", "/api/internal/Production/SerialNumbers/Ranges"),
    ("GET", "/api/internal/Production/SerialNumbers/Statistics"),
    ("GET", "/api/internal/Software/isConnected"),
    ("GET", "/api/internal/Software/File/{id}"),
    ("GET", "/api/internal/Software/CheckFile"),
    ("POST", "/api/internal/Software/PostPackageFolder"),
    ("POST", "/api/internal/Software/UpdatePackageFolder"),
    ("POST", "/api/internal/Software/DeletePackageFolder"),
    ("POST", "/api/internal/Software/DeletePackageFolderFiles"),
    ("GET", "/api/internal/Software/GetPackageHistory"),
    ("GET", "/api/internal/Software/GetPackageDownloadHistory"),
    ("GET", "/api/internal/Software/GetRevokedPackages"),
    ("GET", "/api/internal/Software/GetAvailablePackages"),
    ("GET", "/api/internal/Software/GetSoftwareEntityDetails"),
    ("GET", "/api/internal/Software/Log"),
)

# Calls of olreppe/pyWATS that neither specification has (wats-facts §4.10: do not build
# on unverified routes); pywats leaves them out.
NOT_IN_ANY_SPEC = {
    ("GET", "/api/internal/Blob/Asset/List/{id}"),
    ("DELETE", "/api/internal/ManualInspection/DeleteSequence/{id}"),
    ("GET", "/api/internal/Product/GetGroupsForProduct"),
    ("GET", "/api/internal/Product/GetProductTags"),
    ("PUT", "/api/internal/Product/PutProductTags"),
    ("GET", "/api/internal/Product/GetRevisionTags"),
    ("PUT", "/api/internal/Product/PutRevisionTags"),
}
AREAS = {"Process", "ManualInspection", "UnitFlow", "Product", "Production", "Software"}
AREAS |= {"App", "Mes", "Blob", "Trigger"}


def _key(method: str, path: str) -> str:
    return f"{method} {path.lower()}"


def _spec_keys(internal_spec: Spec) -> dict[str, str]:
    """Case-folded key -> the spec's own key (routes match case-insensitively)."""
    return {
        k.split(" ", 1)[0] + " " + k.split(" ", 1)[1].lower(): k for k in internal_spec.operations
    }


def _client_methods() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, op in METHODS.items():
        if op.internal:
            found.setdefault(_key(op.method, op.path), []).append(name)
    return found


def test_each_olreppe_call_the_spec_has_has_exactly_one_client_method(
    internal_spec: Spec,
) -> None:
    in_spec = _spec_keys(internal_spec)
    methods = _client_methods()
    problems = []
    for method, path in OLREPPE_INTERNAL_CALLS:
        key = _key(method, path)
        if (method, path) in NOT_IN_ANY_SPEC:
            continue
        if key not in in_spec:
            problems.append(f"{method} {path}: not in the internal spec")
        elif len(methods.get(key, [])) != 1:
            problems.append(f"{method} {path}: client methods {methods.get(key, [])}")
    assert not problems, problems


def test_the_calls_left_out_are_in_no_spec(internal_spec: Spec, spec: Spec) -> None:
    in_spec = set(_spec_keys(internal_spec)) | {
        k.split(" ", 1)[0] + " " + k.split(" ", 1)[1].lower() for k in spec.operations
    }
    methods = _client_methods()
    for method, path in sorted(NOT_IN_ANY_SPEC):
        assert (method, path) in OLREPPE_INTERNAL_CALLS
        assert _key(method, path) not in in_spec, f"{method} {path} is in a spec: wrap it"
        assert _key(method, path) not in methods


def test_pywats_calls_no_internal_route_beyond_olreppes() -> None:
    theirs = {_key(m, p) for m, p in OLREPPE_INTERNAL_CALLS}
    extra = sorted(key for key in _client_methods() if key not in theirs)
    assert not extra, f"internal routes olreppe/pyWATS never called: {extra}"


def test_every_area_of_the_scope_is_covered() -> None:
    covered = {op.path.split("/")[3] for op in METHODS.values() if op.internal}
    assert covered == AREAS
