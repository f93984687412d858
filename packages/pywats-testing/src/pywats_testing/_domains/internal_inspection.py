"""WATS area ManualInspection, internal routes (``/api/internal/ManualInspection/...``):
test sequence definitions with their versions and XAML, the relations that say what a
definition applies to, the sequences operators run and their results.

Definitions are kept in PascalCase (spec: ``Mes.MI.TestSequenceDefinition``); relations
likewise (``Mes.MI.TestSequenceRelation``); steps in camelCase (``Mes.MI.Step``).
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from .._framework import Refusal, Reply, Request, RouteTable, or_404, refusing
from .._mes import new_id, now_iso

if TYPE_CHECKING:
    from .._app import FakeWatsApp

__all__ = ["routes"]

routes: RouteTable[FakeWatsApp] = RouteTable()

DEFAULT_XAML = '<Activity x:Class="ManualInspection" />'  # [inferred]


def _store(app: FakeWatsApp, name: str) -> dict[str, Any]:
    found: dict[str, Any] = app.mes.internal.setdefault(name, {})
    return found


def _body(request: Request, kind: type) -> Any:
    with refusing():
        value = json.loads(request.body or b"null")
    if not isinstance(value, kind):
        what = "array" if kind is list else "object"
        raise Refusal(400, f"The request is invalid. expected a JSON {what}")
    return value


def _definition(app: FakeWatsApp, definition_id: object) -> dict[str, Any]:
    found = _store(app, "mi_definitions").get(str(definition_id or "").lower())
    if found is None:
        raise Refusal(404, f"Test sequence definition '{definition_id}' not found")
    return dict(found)


def _new_definition(app: FakeWatsApp, fields: dict[str, Any]) -> dict[str, Any]:
    definition = {
        "Status": 0,
        "IsGlobal": False,
        **fields,
        "TestSequenceDefinitionId": new_id(),
        "Version": int(fields.get("Version") or 1),
        "Created": now_iso(),
        "CreatedBy": "pywats-testing",
    }
    _store(app, "mi_definitions")[definition["TestSequenceDefinitionId"]] = definition
    return definition


@routes.get("/api/internal/ManualInspection/GetTestSequenceDefinitions")
async def mi_definitions(app: FakeWatsApp, request: Request) -> Reply:
    wanted = request.flag("isGlobalDefinitions")
    rows = _store(app, "mi_definitions").values()
    return Reply.json([d for d in rows if bool(d.get("IsGlobal")) == bool(wanted)])


@routes.get("/api/internal/ManualInspection/GetTestSequenceDefinition")
async def mi_definition(app: FakeWatsApp, request: Request) -> Reply:
    return Reply.json(_definition(app, request.param("definitionId")))


@routes.get("/api/internal/ManualInspection/GetDefinitionCopy/{Id}")
async def mi_definition_copy(app: FakeWatsApp, request: Request) -> Reply:
    with app.mes.lock:
        found = _definition(app, request.path_params["Id"])
        same = [
            d["Version"]
            for d in _store(app, "mi_definitions").values()
            if d.get("Name") == found.get("Name")
        ]
        copy = _new_definition(app, {**found, "Version": max(same) + 1, "Status": 0})
        xaml = _store(app, "mi_xaml").get(found["TestSequenceDefinitionId"])
        if xaml is not None:
            _store(app, "mi_xaml")[copy["TestSequenceDefinitionId"]] = xaml
    return Reply.json(copy)


@routes.get("/api/internal/ManualInspection/GetInstancesCount/{Id}")
async def mi_instances_count(app: FakeWatsApp, request: Request) -> Reply:
    found = _definition(app, request.path_params["Id"])
    runs = _store(app, "mi_runs").values()
    return Reply.json(
        sum(
            1
            for r in runs
            if r["definitionId"] == found["TestSequenceDefinitionId"] and r["submitted"]
        )
    )


@routes.post("/api/internal/ManualInspection/PostDefinition")
async def mi_post_definition(app: FakeWatsApp, request: Request) -> Reply:
    body = _body(request, dict)
    default_xaml = request.flag("createDefaultXaml")
    if not body.get("Name"):
        return Reply.message(400, "The request is invalid. A definition needs a Name.")
    with app.mes.lock:
        created = _new_definition(app, body)
        if default_xaml:
            _store(app, "mi_xaml")[created["TestSequenceDefinitionId"]] = DEFAULT_XAML
    return Reply.json(created)


# ProductionManagerEntity (camelCase) field -> TestSequenceDefinition field.
_ENTITY_FIELDS = {
    "name": "Name",
    "description": "Description",
    "status": "Status",
    "isGlobal": "IsGlobal",
    "logOperator": "LogOperator",
}


@routes.put("/api/internal/ManualInspection/PutDefinitionNew")
async def mi_put_definition(app: FakeWatsApp, request: Request) -> Reply:
    entity = _body(request, dict)
    with app.mes.lock:
        stored = or_404(
            _store(app, "mi_definitions").get(str(entity.get("id") or "").lower()),
            f"Test sequence definition '{entity.get('id')}'",
        )
        stored.update(
            {ours: entity[theirs] for theirs, ours in _ENTITY_FIELDS.items() if theirs in entity}
        )
        stored.update(Modified=now_iso(), ModifiedBy="pywats-testing")
        return Reply.json(stored)


def _relations(app: FakeWatsApp, definition_id: str) -> list[dict[str, Any]]:
    return [
        r
        for r in _store(app, "mi_relations").values()
        if r["TestSequenceDefinitionId"] == definition_id
    ]


@routes.get("/api/internal/ManualInspection/GetRelations/{Id}")
async def mi_relations(app: FakeWatsApp, request: Request) -> Reply:
    found = _definition(app, request.path_params["Id"])
    return Reply.json(_relations(app, found["TestSequenceDefinitionId"]))


def _conflicts(app: FakeWatsApp, request: Request) -> list[dict[str, Any]]:
    found = _definition(app, request.path_params["Id"])
    mine = {
        (r.get("EntitySchema"), r.get("EntityName"), r.get("EntityValue"))
        for r in _relations(app, found["TestSequenceDefinitionId"])
    }
    out = []
    for other in _store(app, "mi_definitions").values():
        if other["TestSequenceDefinitionId"] == found["TestSequenceDefinitionId"]:
            continue
        theirs = {
            (r.get("EntitySchema"), r.get("EntityName"), r.get("EntityValue"))
            for r in _relations(app, other["TestSequenceDefinitionId"])
        }
        if mine & theirs:
            out.append(
                {
                    "id": other["TestSequenceDefinitionId"],
                    "name": other.get("Name"),
                    "version": other.get("Version"),
                }
            )
    return out


@routes.get("/api/internal/ManualInspection/GetRelationConflicts/{Id}")
async def mi_relation_conflicts(app: FakeWatsApp, request: Request) -> Reply:
    # The older route answers the conflicting definitions' ids only [inferred].
    return Reply.json([c["id"] for c in _conflicts(app, request)])


@routes.get("/api/internal/ManualInspection/GetRelationConflictsNew/{Id}")
async def mi_relation_conflicts_new(app: FakeWatsApp, request: Request) -> Reply:
    return Reply.json(_conflicts(app, request))


@routes.post("/api/internal/ManualInspection/PostRelation")
async def mi_post_relation(app: FakeWatsApp, request: Request) -> Reply:
    body = _body(request, dict)
    with app.mes.lock:
        found = _definition(app, body.get("TestSequenceDefinitionId"))
        relation = {
            "Status": 1,
            **body,
            "TestSequenceRelationId": new_id(),
            "TestSequenceDefinitionId": found["TestSequenceDefinitionId"],
        }
        _store(app, "mi_relations")[relation["TestSequenceRelationId"]] = relation
    return Reply.json(relation)


@routes.put("/api/internal/ManualInspection/PutRelation")
async def mi_put_relation(app: FakeWatsApp, request: Request) -> Reply:
    body = _body(request, dict)
    with app.mes.lock:
        stored = or_404(
            _store(app, "mi_relations").get(str(body.get("TestSequenceRelationId")).lower()),
            "Test sequence relation",
        )
        fixed = ("TestSequenceRelationId", "TestSequenceDefinitionId")
        stored.update({k: v for k, v in body.items() if v is not None and k not in fixed})
        return Reply.json(stored)


@routes.put("/api/internal/ManualInspection/DeleteRelationNew")
async def mi_delete_relations(app: FakeWatsApp, request: Request) -> Reply:
    ids = [str(i).lower() for i in _body(request, list)]
    with app.mes.lock:
        removed = [i for i in ids if _store(app, "mi_relations").pop(i, None) is not None]
    return Reply.json(removed)


@routes.get("/api/internal/ManualInspection/GetSequences")
async def mi_sequences(app: FakeWatsApp, request: Request) -> Reply:
    """The released definitions related to the unit's part number or revision."""
    serial, part, revision, _ = request.required(
        "serialNumber", "partNumber", "revision", "batchNumber"
    )
    keys = {part.lower(), revision.lower()}
    out = []
    for definition in _store(app, "mi_definitions").values():
        related = _relations(app, definition["TestSequenceDefinitionId"])
        if any(str(r.get("EntityValue") or "").lower() in keys for r in related):
            out.append({**definition, "serialNumber": serial})
    return Reply.json(out)


@routes.put("/api/internal/ManualInspection/PutSequence")
async def mi_put_sequence(app: FakeWatsApp, request: Request) -> Reply:
    """Store an operator's steps as one run of the first step's definition."""
    steps = _body(request, list)
    submit = request.flag("submit") or False
    if not steps or not all(isinstance(s, dict) for s in steps):
        return Reply.message(400, "The request is invalid. Expected steps.")
    with app.mes.lock:
        found = _definition(app, steps[0].get("definitionId"))
        run = {
            "id": new_id(),
            "definitionId": found["TestSequenceDefinitionId"],
            "steps": steps,
            "submitted": submit,
            "date": now_iso(),
        }
        _store(app, "mi_runs")[run["id"]] = run
    return Reply.json(run)


def _run(app: FakeWatsApp, request: Request) -> dict[str, Any]:
    found = _store(app, "mi_runs").get(request.path_params["id"].lower())
    if found is None:
        raise Refusal(404, f"Inspection '{request.path_params['id']}' not found")
    return dict(found)


@routes.get("/api/internal/ManualInspection/GetMiDetails/{id}")
async def mi_details(app: FakeWatsApp, request: Request) -> Reply:
    return Reply.json(_run(app, request))


@routes.get("/api/internal/ManualInspection/GetMiDetailsNew/{id}")
async def mi_details_new(app: FakeWatsApp, request: Request) -> Reply:
    found = _run(app, request)
    passed = sum(1 for s in found["steps"] if s.get("result") == 1)
    return Reply.json({**found, "stepCount": len(found["steps"]), "passedCount": passed})


@routes.get("/api/internal/ManualInspection/GetTestSequenceDefinitionXaml")
async def mi_xaml(app: FakeWatsApp, request: Request) -> Reply:
    found = _definition(app, request.param("definitionId"))
    return Reply.json(_store(app, "mi_xaml").get(found["TestSequenceDefinitionId"], ""))


@routes.put("/api/internal/ManualInspection/PutTestSequenceDefinitionXaml")
async def mi_put_xaml(app: FakeWatsApp, request: Request) -> Reply:
    xaml = _body(request, str)
    with app.mes.lock:
        found = _definition(app, request.param("definitionId"))
        _store(app, "mi_xaml")[found["TestSequenceDefinitionId"]] = xaml
    return Reply.json(True)


@routes.get("/api/internal/ManualInspection/GetWatswwfContent/{Id}")
async def mi_wwf_content(app: FakeWatsApp, request: Request) -> Reply:
    found = _definition(app, request.path_params["Id"])
    xaml = _store(app, "mi_xaml").get(found["TestSequenceDefinitionId"], "")
    return Reply.json({"definitionId": found["TestSequenceDefinitionId"], "content": xaml})


@routes.put("/api/internal/ManualInspection/ValidateMiscInfo")
async def mi_validate_misc_info(app: FakeWatsApp, request: Request) -> Reply:
    info = _body(request, dict)
    with refusing(errors=(re.error,)):
        rule = re.compile(str(info.get("regex") or ".*"))
    return Reply.json({**info, "isValid": rule.fullmatch(str(info.get("value") or "")) is not None})


@routes.put("/api/internal/ManualInspection/PutStringTest")
async def mi_put_string_test(app: FakeWatsApp, request: Request) -> Reply:
    """Store a string-test step's value in its run (``definitionId`` names the run's
    definition; the newest run of it takes the step)."""
    step = _body(request, dict)
    with app.mes.lock:
        runs = [
            r
            for r in _store(app, "mi_runs").values()
            if r["definitionId"] == str(step.get("definitionId") or "").lower()
        ]
        if not runs:
            return Reply.message(404, f"No inspection of definition '{step.get('definitionId')}'")
        run = max(runs, key=lambda r: r["date"])
        run["steps"] = [s for s in run["steps"] if s.get("id") != step.get("id")] + [step]
    return Reply.json(step)
