"""``wats.internal.process``: the full process list, repair operations and fail codes.

**Internal** (``/api/internal/Process/...``): the vendor may change these routes.
"""

from __future__ import annotations

from pywats import _operations as ops
from pywats._async._api import AsyncApi
from pywats._errors import PyWATSError
from pywats._models import Process
from pywats._operation import operation
from pywats._payload import JsonValue

__all__ = ["AsyncInternalProcess"]


class AsyncInternalProcess:
    def __init__(self, api: AsyncApi) -> None:
        self._api = api

    @operation(ops.Process_GetProcesses)
    async def processes(self) -> list[Process]:
        """Every process with its full settings (``Mes.Process``, PascalCase on the wire),
        including inactive ones. INTERNAL: may change without notice."""
        op = ops.Process_GetProcesses
        body = await self._api.json(op)
        if not isinstance(body, list):
            raise PyWATSError("expected a JSON array of processes", operation=op.key)
        return [Process.model_validate(item) for item in body]

    @operation(ops.Process_GetProcess)
    async def process(self, process_id: str) -> Process | None:
        """One process by its id (a GUID). INTERNAL: may change without notice."""
        return await self._api.found(ops.Process_GetProcess, Process, path={"id": process_id})

    @operation(ops.Process_GetRepairOperations)
    async def repair_operations(self) -> JsonValue:
        """The repair operations with their fail-code trees. INTERNAL: may change."""
        return await self._api.json(ops.Process_GetRepairOperations)

    @operation(ops.Process_GetRepairOperation)
    async def repair_operation(
        self, repair_operation_id: str, *, process_code: int | None = None
    ) -> JsonValue:
        """One repair operation's configuration (fail codes), optionally for the test
        process ``process_code``. INTERNAL: may change without notice."""
        return await self._api.json(
            ops.Process_GetRepairOperation,
            path={"id": repair_operation_id},
            params={"processCode": process_code},
        )
