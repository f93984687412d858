"""``wats.internal.manual_inspection``: test sequence definitions, what they apply to,
the sequences an operator runs, and their XAML.

**Internal** (``/api/internal/ManualInspection/...``): the vendor may change these routes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pywats import _operations as ops
from pywats._async._api import AsyncApi
from pywats._operation import operation
from pywats._payload import JsonValue, dump, dump_list
from pywats.internal import (
    MiMiscInfo,
    MiStep,
    RelationConflict,
    TestSequenceDefinition,
    TestSequenceRelation,
)

__all__ = ["AsyncInternalManualInspection"]

_Definition = TestSequenceDefinition | Mapping[str, Any]
_Relation = TestSequenceRelation | Mapping[str, Any]


class AsyncInternalManualInspection:
    def __init__(self, api: AsyncApi) -> None:
        self._api = api

    @operation(ops.ManualInspection_GetTestSequenceDefinitions)
    async def definitions(self, *, is_global: bool = False) -> list[TestSequenceDefinition]:
        """The test sequence definitions (the global ones, or this site's). INTERNAL."""
        return await self._api.model_list(
            ops.ManualInspection_GetTestSequenceDefinitions,
            TestSequenceDefinition,
            params={"isGlobalDefinitions": is_global},
        )

    @operation(ops.ManualInspection_GetTestSequenceDefinition)
    async def definition(self, definition_id: str) -> TestSequenceDefinition | None:
        """One test sequence definition. INTERNAL: may change without notice."""
        return await self._api.found(
            ops.ManualInspection_GetTestSequenceDefinition,
            TestSequenceDefinition,
            params={"definitionId": definition_id},
        )

    @operation(ops.ManualInspection_GetDefinitionCopy)
    async def definition_copy(self, definition_id: str) -> TestSequenceDefinition:
        """A new draft copied from a definition (its next version). INTERNAL."""
        return await self._api.model(
            ops.ManualInspection_GetDefinitionCopy,
            TestSequenceDefinition,
            path={"Id": definition_id},
        )

    @operation(ops.ManualInspection_GetInstancesCount)
    async def instances_count(self, definition_id: str) -> int:
        """How many sequences were run from a definition. INTERNAL: may change."""
        body = await self._api.json(
            ops.ManualInspection_GetInstancesCount, path={"Id": definition_id}
        )
        return int(body or 0)

    @operation(ops.ManualInspection_PostDefinition)
    async def create_definition(
        self,
        definition: _Definition,
        *,
        create_default_xaml: bool | None = None,
        return_as_production_manager_entity: bool | None = None,
    ) -> TestSequenceDefinition:
        """Create a test sequence definition (a draft). INTERNAL: may change."""
        return await self._api.model(
            ops.ManualInspection_PostDefinition,
            TestSequenceDefinition,
            params={
                "createDefaultXaml": create_default_xaml,
                "returnAsProductionManagerEntity": return_as_production_manager_entity,
            },
            json=dump(definition),
        )

    @operation(ops.ManualInspection_PutDefinitionNew)
    async def update_definition(self, entity: Mapping[str, Any]) -> TestSequenceDefinition:
        """Save a changed definition, sent as the web UI's production-manager entity
        (spec: ``ProductionManagerEntity``, camelCase: ``id``, ``name``, ``description``,
        ``status`` ...). INTERNAL: may change without notice."""
        return await self._api.model(
            ops.ManualInspection_PutDefinitionNew, TestSequenceDefinition, json=dict(entity)
        )

    @operation(ops.ManualInspection_GetRelations)
    async def relations(self, definition_id: str) -> list[TestSequenceRelation]:
        """What a definition applies to. INTERNAL: may change without notice."""
        return await self._api.model_list(
            ops.ManualInspection_GetRelations, TestSequenceRelation, path={"Id": definition_id}
        )

    @operation(ops.ManualInspection_GetRelationConflicts)
    async def relation_conflicts(self, definition_id: str) -> JsonValue:
        """Other definitions whose relations overlap this one's (the older answer shape).
        INTERNAL: may change without notice."""
        return await self._api.json(
            ops.ManualInspection_GetRelationConflicts, path={"Id": definition_id}
        )

    @operation(ops.ManualInspection_GetRelationConflictsNew)
    async def relation_conflicts_new(self, definition_id: str) -> list[RelationConflict]:
        """Other definitions whose relations overlap this one's (id, name, version).
        INTERNAL: may change without notice."""
        return await self._api.model_list(
            ops.ManualInspection_GetRelationConflictsNew,
            RelationConflict,
            path={"Id": definition_id},
        )

    @operation(ops.ManualInspection_PostRelation)
    async def create_relation(self, relation: _Relation) -> TestSequenceRelation:
        """Apply a definition to a product, revision or process. INTERNAL."""
        return await self._api.model(
            ops.ManualInspection_PostRelation, TestSequenceRelation, json=dump(relation)
        )

    @operation(ops.ManualInspection_PutRelation)
    async def update_relation(self, relation: _Relation) -> TestSequenceRelation:
        """Change a relation. INTERNAL: may change without notice."""
        return await self._api.model(
            ops.ManualInspection_PutRelation, TestSequenceRelation, json=dump(relation)
        )

    @operation(ops.ManualInspection_DeleteRelationNew)
    async def delete_relations(self, relation_ids: Iterable[str]) -> JsonValue:
        """Remove relations by id (WATS does this with a PUT). INTERNAL: may change."""
        return await self._api.action(
            ops.ManualInspection_DeleteRelationNew, json=[str(i) for i in relation_ids]
        )

    @operation(ops.ManualInspection_GetSequences)
    async def sequences(
        self,
        serial_number: str,
        part_number: str,
        revision: str,
        batch_number: str,
        *,
        status: int | None = None,
        station_name: str | None = None,
    ) -> JsonValue:
        """The inspection sequences that apply to a unit. INTERNAL: may change."""
        return await self._api.json(
            ops.ManualInspection_GetSequences,
            params={
                "serialNumber": serial_number,
                "partNumber": part_number,
                "revision": revision,
                "batchNumber": batch_number,
                "status": status,
                "stationName": station_name,
            },
        )

    @operation(ops.ManualInspection_PutSequence)
    async def save_sequence(
        self,
        steps: Iterable[MiStep | Mapping[str, Any]],
        *,
        submit: bool | None = None,
        return_root_sequence: bool | None = None,
    ) -> JsonValue:
        """Save an operator's steps (and submit the result). INTERNAL: may change."""
        return await self._api.json(
            ops.ManualInspection_PutSequence,
            params={"submit": submit, "returnRootSequence": return_root_sequence},
            json=dump_list(steps),
        )

    @operation(ops.ManualInspection_GetMiDetails)
    async def details(self, unit_id: str) -> JsonValue:
        """The inspection results of a unit (the older answer shape). INTERNAL."""
        return await self._api.json(ops.ManualInspection_GetMiDetails, path={"id": unit_id})

    @operation(ops.ManualInspection_GetMiDetailsNew)
    async def details_new(self, unit_id: str) -> JsonValue:
        """The inspection results of a unit. INTERNAL: may change without notice."""
        return await self._api.json(ops.ManualInspection_GetMiDetailsNew, path={"id": unit_id})

    @operation(ops.ManualInspection_GetTestSequenceDefinitionXaml)
    async def xaml(self, definition_id: str) -> JsonValue:
        """A definition's workflow as XAML. INTERNAL: may change without notice."""
        return await self._api.json(
            ops.ManualInspection_GetTestSequenceDefinitionXaml,
            params={"definitionId": definition_id},
        )

    @operation(ops.ManualInspection_PutTestSequenceDefinitionXaml)
    async def save_xaml(
        self, definition_id: str, xaml: str, *, username: str | None = None
    ) -> JsonValue:
        """Replace a definition's XAML (the document as one JSON string). INTERNAL."""
        return await self._api.action(
            ops.ManualInspection_PutTestSequenceDefinitionXaml,
            params={"definitionId": definition_id, "username": username},
            json=xaml,
        )

    @operation(ops.ManualInspection_GetWatswwfContent)
    async def wwf_content(self, definition_id: str) -> JsonValue:
        """A definition's workflow as WATS stores it. INTERNAL: may change."""
        return await self._api.json(
            ops.ManualInspection_GetWatswwfContent, path={"Id": definition_id}
        )

    @operation(ops.ManualInspection_ValidateMiscInfo)
    async def validate_misc_info(self, misc_info: MiMiscInfo | Mapping[str, Any]) -> JsonValue:
        """Check a misc-info value against its field's rule. INTERNAL: may change."""
        return await self._api.json(ops.ManualInspection_ValidateMiscInfo, json=dump(misc_info))

    @operation(ops.ManualInspection_PutStringTest)
    async def save_string_test(self, step: MiStep | Mapping[str, Any]) -> JsonValue:
        """Save the value of a string-test step. INTERNAL: may change without notice."""
        return await self._api.json(ops.ManualInspection_PutStringTest, json=dump(step))
