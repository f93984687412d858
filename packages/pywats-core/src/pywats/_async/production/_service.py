"""The Production domain: units and their phases, box build, batches, serial numbers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pywats import _operations as ops
from pywats._async._api import AsyncApi
from pywats._operation import operation
from pywats._payload import JsonValue, dump_list
from pywats._queries import SerialNumberQuery, box_query, serial_range_query
from pywats.models import (
    ProductionBatch,
    PublicUnitVerificationGrade,
    SerialNumberType,
    Unit,
    UnitChange,
)

__all__ = ["AsyncProductionService"]


class AsyncProductionService:
    def __init__(self, api: AsyncApi) -> None:
        self._api = api

    @operation(ops.Production_GetUnitPublic)
    async def unit(self, serial_number: str, part_number: str) -> Unit | None:
        """One unit, by serial number and part number."""
        return await self._api.found(
            ops.Production_GetUnitPublic,
            Unit,
            path={"serialNumber": serial_number, "partNumber": part_number},
        )

    @operation(ops.Production_PutUnits)
    async def save_units(self, units: Iterable[Unit | Mapping[str, Any]]) -> JsonValue:
        """Create or update units (serial number, part number, revision, batch ...)."""
        return await self._api.action(ops.Production_PutUnits, json=dump_list(units))

    @operation(ops.Production_PutBatches)
    async def save_batches(
        self, batches: Iterable[ProductionBatch | Mapping[str, Any]]
    ) -> JsonValue:
        """Create or update production batches (batch number and size)."""
        return await self._api.action(ops.Production_PutBatches, json=dump_list(batches))

    @operation(ops.Production_SetUnitPhasePublic)
    async def set_unit_phase(self, serial_number: str, part_number: str, phase: int) -> None:
        """Move a unit to a production phase (by the phase's id)."""
        await self._api.action(
            ops.Production_SetUnitPhasePublic,
            params={"serialNumber": serial_number, "partNumber": part_number, "phase": phase},
        )

    @operation(ops.Production_SetUnitProcessPublic)
    async def set_unit_process(
        self, serial_number: str, part_number: str, process_name: str
    ) -> None:
        """Set the process a unit is at (by the process's name, as the API requires)."""
        await self._api.action(
            ops.Production_SetUnitProcessPublic,
            params={
                "serialNumber": serial_number,
                "partNumber": part_number,
                "processName": process_name,
            },
        )

    @operation(ops.Production_AddChildUnitPublic)
    async def add_child_unit(
        self,
        parent_serial_number: str,
        parent_part_number: str,
        child_serial_number: str,
        child_part_number: str,
        *,
        check_part_number: str,
        check_revision: str,
    ) -> JsonValue:
        """Put a child unit into a parent (box build)."""
        return await self._api.action(
            ops.Production_AddChildUnitPublic,
            params={
                **box_query(
                    parent_serial_number, parent_part_number, child_serial_number, child_part_number
                ),
                "checkPartNumber": check_part_number,
                "checkRevision": check_revision,
            },
        )

    @operation(ops.Production_RemoveChildUnitPublic)
    async def remove_child_unit(
        self,
        parent_serial_number: str,
        parent_part_number: str,
        child_serial_number: str,
        child_part_number: str,
    ) -> JsonValue:
        """Take a child unit out of its parent."""
        return await self._api.action(
            ops.Production_RemoveChildUnitPublic,
            params=box_query(
                parent_serial_number, parent_part_number, child_serial_number, child_part_number
            ),
        )

    @operation(ops.Production_CheckChildUnitsPublic)
    async def check_child_units(
        self, parent_serial_number: str, parent_part_number: str
    ) -> JsonValue:
        """Whether a parent unit has the children its box-build template asks for."""
        return await self._api.json(
            ops.Production_CheckChildUnitsPublic,
            params={
                "parentSerialNumber": parent_serial_number,
                "parentPartNumber": parent_part_number,
            },
        )

    @operation(ops.Production_GetUnitVerification)
    async def verify_unit(
        self, serial_number: str, *, part_number: str | None = None
    ) -> PublicUnitVerificationGrade | None:
        """The unit's verification grade: which processes it passed, and how."""
        return await self._api.found(
            ops.Production_GetUnitVerification,
            PublicUnitVerificationGrade,
            params={"serialNumber": serial_number, "partNumber": part_number},
        )

    @operation(ops.Production_GetUnitChanges)
    async def unit_changes(self, max_count: int = 1000) -> list[UnitChange]:
        """Unit changes not yet acknowledged, oldest first, at most ``max_count``."""
        return await self._api.model_list(
            ops.Production_GetUnitChanges, UnitChange, params={"maxCount": max_count}
        )

    @operation(ops.Production_DeleteUnitChange)
    async def acknowledge_unit_change(self, change_id: int) -> None:
        """Acknowledge (delete) one unit change, so it is not returned again."""
        await self._api.action(ops.Production_DeleteUnitChange, path={"id": change_id})

    @operation(ops.Production_GetSerialNumberTypesPublic)
    async def serial_number_types(self) -> list[SerialNumberType]:
        """The serial-number types the server can hand out."""
        return await self._api.model_list(
            ops.Production_GetSerialNumberTypesPublic, SerialNumberType
        )

    @operation(ops.Production_TakeSerialNumbers)
    async def take_serial_numbers(
        self,
        serial_number_type: str,
        quantity: int,
        *,
        ref_sn: str | None = None,
        ref_pn: str | None = None,
        station_name: str | None = None,
        only_in_sequence: bool | None = None,
        format: str | None = None,  # the API's own word
    ) -> JsonValue:
        """Reserve ``quantity`` new serial numbers of a type; the answer lists them
        (XML or CSV as ``format`` asks)."""
        if quantity < 1:
            raise ValueError(f"quantity must be at least 1, not {quantity}")
        return await self._api.action(
            ops.Production_TakeSerialNumbers,
            params={
                "serialNumberType": serial_number_type,
                "quantity": quantity,
                "refSN": ref_sn,
                "refPN": ref_pn,
                "stationName": station_name,
                "onlyInSequence": only_in_sequence,
                "format": format,
            },
        )

    @operation(ops.Production_ExportSerialNumbers)
    async def export_serial_numbers(
        self,
        serial_number_type: str,
        format: str,  # the API's own word: "xml" or "csv"
        *,
        start_address: str | None = None,
        end_address: str | None = None,
        start_date: str | None = None,
        end_date: str | None = None,
    ) -> bytes | None:
        """An export file of the serial numbers of a type."""
        op = ops.Production_ExportSerialNumbers
        return await self._api.file(
            op,
            params={
                **serial_range_query(
                    serial_number_type, start_address, end_address, start_date, end_date
                ),
                "format": format,
            },
        )

    @operation(ops.Production_UploadSerialNumbers)
    async def upload_serial_numbers(
        self,
        serial_number_type: str,
        format: str,  # the API's own word: "xml" or "csv"
        content: bytes,
        *,
        file_name: str | None = None,
    ) -> JsonValue:
        """Upload serial numbers (an XML or CSV file) as a multipart form."""
        name = file_name or f"serialnumbers.{format.lower()}"
        kind = "text/csv" if format.lower() == "csv" else "application/xml"
        return await self._api.action(
            ops.Production_UploadSerialNumbers,
            params={"serialNumberType": serial_number_type, "format": format},
            files={"file": (name, content, kind)},
        )

    @operation(ops.Production_GetSerialNumbersByRange)
    async def serial_numbers_by_range(self, query: SerialNumberQuery) -> JsonValue:
        """The serial numbers in ``query``."""
        op = ops.Production_GetSerialNumbersByRange
        return await self._api.json(op, params=query.params())

    @operation(ops.Production_GetSerialNumbersByReference)
    async def serial_numbers_by_reference(
        self,
        serial_number_type: str,
        *,
        ref_sn: str | None = None,
        ref_pn: str | None = None,
        start_date: str | None = None,
        end_date: str | None = None,
    ) -> JsonValue:
        """The serial numbers of a type taken with a reference unit."""
        return await self._api.json(
            ops.Production_GetSerialNumbersByReference,
            params={
                "serialNumberType": serial_number_type,
                "refSN": ref_sn,
                "refPN": ref_pn,
                "startDate": start_date,
                "endDate": end_date,
            },
        )
