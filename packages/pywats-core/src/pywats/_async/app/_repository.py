"""HTTP access for the App domain."""

from __future__ import annotations

from typing import Any

from pywats._async._http import AsyncHttpClient
from pywats._errors import ErrorHandler

__all__ = ["AsyncAppRepository"]


class AsyncAppRepository:
    def __init__(self, http: AsyncHttpClient, handler: ErrorHandler) -> None:
        self._http = http
        self._handler = handler

    async def get_version(self) -> Any:
        operation = "GET /api/App/Version"
        return self._handler.handle(await self._http.request("GET", "api/App/Version"), operation)

    async def get_processes(
        self,
        *,
        include_test_operations: bool | None,
        include_repair_operations: bool | None,
        include_wip_operations: bool | None,
        include_inactive_processes: bool | None,
    ) -> Any:
        operation = "GET /api/App/Processes"
        response = await self._http.request(
            "GET",
            "api/App/Processes",
            params={
                "includeTestOperations": include_test_operations,
                "includeRepairOperations": include_repair_operations,
                "includeWipOperations": include_wip_operations,
                "includeInactiveProcesses": include_inactive_processes,
            },
        )
        return self._handler.handle(response, operation)
