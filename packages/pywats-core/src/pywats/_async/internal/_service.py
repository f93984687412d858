"""Internal WATS operations (``/api/internal/...``) that fill gaps of the public API.

**Internal:** Virinco documents these routes only in the internal specification and may
change them without notice. Each call sends ``Referer: <server root>``, which
olreppe/pyWATS found the server wants on internal routes (wats-facts §1).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pywats import _operations as ops
from pywats._async._api import AsyncApi
from pywats._errors import PyWATSError
from pywats._operation import operation
from pywats._payload import JsonValue, parse_found

if TYPE_CHECKING:
    from pywats._models import Process

__all__ = ["AsyncInternalService"]


class AsyncInternalService:
    def __init__(self, api: AsyncApi) -> None:
        self._api = api

    @operation(ops.Process_GetProcesses)
    async def processes(self) -> list[Process]:
        """Every process with its full settings (``Mes.Process``, PascalCase on the wire),
        including inactive ones. INTERNAL."""
        from pywats._models import Process

        op = ops.Process_GetProcesses
        body = await self._api.json(op)
        if not isinstance(body, list):
            raise PyWATSError("expected a JSON array of processes", operation=op.key)
        return [Process.model_validate(item) for item in body]

    @operation(ops.Process_GetProcess)
    async def process(self, process_id: str) -> Process | None:
        """One process by its id (a GUID). INTERNAL."""
        from pywats._models import Process

        op = ops.Process_GetProcess
        return parse_found(Process, await self._api.json(op, path={"id": process_id}), op.key)

    @operation(ops.Process_GetRepairOperations)
    async def repair_operations(self) -> JsonValue:
        """The repair operations with their fail-code trees. INTERNAL."""
        return await self._api.json(ops.Process_GetRepairOperations)

    @operation(ops.Process_GetRepairOperation)
    async def repair_operation(
        self, repair_operation_id: str, *, process_code: int | None = None
    ) -> JsonValue:
        """One repair operation's configuration (fail codes), optionally for the test
        process ``process_code``. INTERNAL."""
        return await self._api.json(
            ops.Process_GetRepairOperation,
            path={"id": repair_operation_id},
            params={"processCode": process_code},
        )

    @operation(ops.Mes_GetUnitPhases)
    async def unit_phases(self) -> JsonValue:
        """The unit phases (id and name) the server knows. INTERNAL."""
        return await self._api.json(ops.Mes_GetUnitPhases)

    @operation(ops.Production_GetUnitHierarchy)
    async def unit_hierarchy(self, serial_number: str, part_number: str) -> JsonValue:
        """A unit with all its sub-units, recursively. INTERNAL."""
        return await self._api.json(
            ops.Production_GetUnitHierarchy,
            params={"serialNumber": serial_number, "partNumber": part_number},
        )

    @operation(ops.Production_GetUnitStateHistory)
    async def unit_state_history(self, serial_number: str, part_number: str) -> JsonValue:
        """Every phase and process change of a unit. INTERNAL."""
        return await self._api.json(
            ops.Production_GetUnitStateHistory,
            params={"serialNumber": serial_number, "partNumber": part_number},
        )
