"""``wats.internal.production``: unit phases, sites, unit lookups, units made and
assembled, and the serial-number pools.

**Internal** (``/api/internal/Production/...`` and ``/api/internal/Mes/...``): the vendor
may change these routes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pywats import _operations as ops
from pywats._async._api import AsyncApi
from pywats._operation import operation
from pywats._payload import JsonValue, dump_list
from pywats._queries import SerialNumberQuery
from pywats.internal import SerialNumberRange, UnitPhase

__all__ = ["AsyncInternalProduction"]


def _unit(serial_number: str, part_number: str) -> dict[str, str]:
    return {"serialNumber": serial_number, "partNumber": part_number}


class AsyncInternalProduction:
    def __init__(self, api: AsyncApi) -> None:
        self._api = api

    @operation(ops.Mes_GetUnitPhases)
    async def unit_phases(self) -> list[UnitPhase]:
        """The unit phases the server knows (id, code, name). INTERNAL: may change."""
        return await self._api.model_list(ops.Mes_GetUnitPhases, UnitPhase)

    @operation(ops.Production_isConnected)
    async def is_connected(self) -> bool:
        """Whether the server's production (MES) module answers. INTERNAL: may change."""
        return bool(await self._api.json(ops.Production_isConnected))

    @operation(ops.Mes_GetSites)
    async def sites(self) -> list[JsonValue]:
        """The production sites. INTERNAL: may change without notice."""
        body = await self._api.json(ops.Mes_GetSites)
        return list(body or [])

    @operation(ops.Production_GetUnit)
    async def unit(self, serial_number: str, part_number: str | None = None) -> JsonValue:
        """A unit by serial number (and part number, when serials repeat across products).
        INTERNAL: may change without notice."""
        return await self._api.json(
            ops.Production_GetUnit,
            params={"serialNumber": serial_number, "partNumber": part_number},
        )

    @operation(ops.Production_GetUnitInfo)
    async def unit_info(self, serial_number: str, part_number: str) -> JsonValue:
        """A unit's summary (phase, process, revision, batch). INTERNAL: may change."""
        return await self._api.json(
            ops.Production_GetUnitInfo, params=_unit(serial_number, part_number)
        )

    @operation(ops.Production_GetUnitHierarchy)
    async def unit_hierarchy(self, serial_number: str, part_number: str) -> JsonValue:
        """A unit with all its sub-units, recursively. INTERNAL: may change."""
        return await self._api.json(
            ops.Production_GetUnitHierarchy, params=_unit(serial_number, part_number)
        )

    @operation(ops.Production_GetUnitStateHistory)
    async def unit_state_history(self, serial_number: str, part_number: str) -> JsonValue:
        """Every phase and process change of a unit. INTERNAL: may change."""
        return await self._api.json(
            ops.Production_GetUnitStateHistory, params=_unit(serial_number, part_number)
        )

    @operation(ops.Production_GetUnitPhase)
    async def unit_phase(self, serial_number: str, part_number: str) -> JsonValue:
        """The phase a unit is in. INTERNAL: may change without notice."""
        return await self._api.json(
            ops.Production_GetUnitPhase, params=_unit(serial_number, part_number)
        )

    @operation(ops.Production_GetUnitProcess)
    async def unit_process(self, serial_number: str, part_number: str) -> JsonValue:
        """The process a unit is at. INTERNAL: may change without notice."""
        return await self._api.json(
            ops.Production_GetUnitProcess, params=_unit(serial_number, part_number)
        )

    @operation(ops.Production_GetUnitContents)
    async def unit_contents(self, serial_number: str, part_number: str, revision: str) -> JsonValue:
        """The child units a unit contains, against its revision's BOM. INTERNAL."""
        return await self._api.json(
            ops.Production_GetUnitContents,
            params={**_unit(serial_number, part_number), "revision": revision},
        )

    @operation(ops.Production_CreateUnit)
    async def create_unit(
        self,
        serial_number: str,
        part_number: str,
        revision: str,
        *,
        batch_number: str | None = None,
        unit_phase: int | None = None,
    ) -> JsonValue:
        """Register a unit of an existing product revision. INTERNAL: may change."""
        return await self._api.action(
            ops.Production_CreateUnit,
            params={
                **_unit(serial_number, part_number),
                "revision": revision,
                "batchNumber": batch_number,
                "unitPhase": unit_phase,
            },
        )

    @operation(ops.Production_AddChildUnit)
    async def add_child_unit(
        self,
        serial_number: str,
        part_number: str,
        child_serial_number: str,
        child_part_number: str,
        *,
        check_part_number: bool = True,
        check_revision: bool = True,
        culture_code: str = "en-US",
        check_phase: bool | None = None,
    ) -> JsonValue:
        """Put a child unit into a parent (box build), with the server's part-number,
        revision and phase checks. INTERNAL: may change without notice."""
        return await self._api.action(
            ops.Production_AddChildUnit,
            params={
                **_unit(serial_number, part_number),
                "childSerialNumber": child_serial_number,
                "childPartNumber": child_part_number,
                "checkPartNumber": check_part_number,
                "checkRevision": check_revision,
                "cultureCode": culture_code,
                "checkPhase": check_phase,
            },
        )

    @operation(ops.Production_RemoveChildUnit)
    async def remove_child_unit(
        self,
        serial_number: str,
        part_number: str,
        child_serial_number: str,
        child_part_number: str,
        *,
        culture_code: str | None = None,
    ) -> JsonValue:
        """Take one child unit out of its parent. INTERNAL: may change without notice."""
        return await self._api.action(
            ops.Production_RemoveChildUnit,
            params={
                **_unit(serial_number, part_number),
                "childSerialNumber": child_serial_number,
                "childPartNumber": child_part_number,
                "cultureCode": culture_code,
            },
        )

    @operation(ops.Production_RemoveAllChildUnits)
    async def remove_all_child_units(
        self, serial_number: str, part_number: str, *, culture_code: str | None = None
    ) -> JsonValue:
        """Take every child unit out of a parent. INTERNAL: may change without notice."""
        return await self._api.action(
            ops.Production_RemoveAllChildUnits,
            params={**_unit(serial_number, part_number), "cultureCode": culture_code},
        )

    @operation(ops.Production_CheckChildUnits)
    async def check_child_units(
        self, parent_serial_number: str, parent_part_number: str, *, culture_code: str = "en-US"
    ) -> JsonValue:
        """Whether a parent holds the child units its BOM asks for. INTERNAL: may change."""
        return await self._api.json(
            ops.Production_CheckChildUnits,
            params={
                "CultureCode": culture_code,
                "ParentSerialNumber": parent_serial_number,
                "ParentPartNumber": parent_part_number,
            },
        )

    @operation(ops.Production_FindSerialNumbers)
    async def serial_numbers(self, query: SerialNumberQuery) -> list[JsonValue]:
        """The serial numbers in ``query``. INTERNAL: may change without notice."""
        body = await self._api.json(ops.Production_FindSerialNumbers, params=query.params())
        return list(body or [])

    @operation(ops.Production_GetSerialNumberCount)
    async def serial_number_count(
        self,
        serial_number_type: str,
        *,
        start_address: str | None = None,
        end_address: str | None = None,
        from_date: str | None = None,
        to_date: str | None = None,
    ) -> int:
        """How many serial numbers of a type were taken (in a range). INTERNAL."""
        body = await self._api.json(
            ops.Production_GetSerialNumberCount,
            params={
                "serialNumberType": serial_number_type,
                "startAddress": start_address,
                "endAddress": end_address,
                "fromDate": from_date,
                "toDate": to_date,
            },
        )
        return int(body or 0)

    @operation(ops.Production_FreeReservedSerialNumbers)
    async def free_serial_numbers(
        self, ranges: Iterable[SerialNumberRange | Mapping[str, Any]]
    ) -> JsonValue:
        """Give the reserved serial numbers in these ranges (``type``, ``start_address``,
        ``end_address``) back to the pool. INTERNAL: may change without notice."""
        return await self._api.action(
            ops.Production_FreeReservedSerialNumbers, json=dump_list(ranges)
        )

    @operation(ops.Production_DeleteFreeSerialNumbers)
    async def delete_free_serial_numbers(
        self, ranges: Iterable[SerialNumberRange | Mapping[str, Any]]
    ) -> JsonValue:
        """Delete the free (never taken) serial numbers in these ranges. INTERNAL."""
        return await self._api.action(
            ops.Production_DeleteFreeSerialNumbers, json=dump_list(ranges)
        )

    @operation(ops.Production_GetSerialNumberRanges)
    async def serial_number_ranges(
        self, serial_number_type: str | None = None
    ) -> list[SerialNumberRange]:
        """The ranges of the serial-number pools with their counts. INTERNAL: may change."""
        return await self._api.model_list(
            ops.Production_GetSerialNumberRanges,
            SerialNumberRange,
            params={"serialNumberType": serial_number_type},
        )

    @operation(ops.Production_GetSerialNumberStats)
    async def serial_number_statistics(self, serial_number_type: str | None = None) -> JsonValue:
        """Taken, free and reserved counts per serial-number type. INTERNAL: may change."""
        return await self._api.json(
            ops.Production_GetSerialNumberStats, params={"serialNumberType": serial_number_type}
        )
