"""The App domain: server version, processes, levels, product groups, user settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pywats import _operations as ops
from pywats._async._api import AsyncApi
from pywats._async.app._repository import AsyncAppRepository
from pywats._errors import EmptyResponseError, PyWATSError
from pywats._operation import operation

if TYPE_CHECKING:
    from pywats._models import Process
    from pywats._payload import JsonValue  # pydantic: kept out of `import pywats`
    from pywats.models import CommonUserSettings

__all__ = ["AsyncAppService"]


class AsyncAppService:
    def __init__(self, repository: AsyncAppRepository, api: AsyncApi) -> None:
        self._repository = repository
        self._api = api

    @operation(ops.App_Version)
    async def version(self) -> str:
        """The server's version, e.g. ``"2026.1.5.324"``.

        Never cached: it doubles as a liveness probe. An empty answer is an error in both
        error modes, because every WATS server has a version.
        """
        body = await self._repository.get_version()
        if body is None:
            raise EmptyResponseError("the server sent no version", operation="App.version")
        if not isinstance(body, str):
            raise PyWATSError(
                f"expected the version as a JSON string, got {type(body).__name__}",
                operation="App.version",
            )
        return body

    @operation(ops.App_Processes)
    async def processes(
        self,
        *,
        include_test_operations: bool | None = None,
        include_repair_operations: bool | None = None,
        include_wip_operations: bool | None = None,
        include_inactive_processes: bool | None = None,
    ) -> list[Process]:
        """The server's processes (test, repair and WIP operations).

        Without flags the server returns the active processes marked as test, repair or
        WIP operations; each flag narrows or widens that as the WATS API describes.
        """
        body = await self._repository.get_processes(
            include_test_operations=include_test_operations,
            include_repair_operations=include_repair_operations,
            include_wip_operations=include_wip_operations,
            include_inactive_processes=include_inactive_processes,
        )
        if body is None:
            return []
        if not isinstance(body, list):
            raise PyWATSError(
                f"expected a JSON array of processes, got {type(body).__name__}",
                operation="App.processes",
            )
        # Imported here: pydantic costs ~4 MiB, and `import pywats` stays lean without it.
        from pywats._models import Process

        return [Process.model_validate(item) for item in body]

    @operation(ops.App_Levels)
    async def levels(self) -> JsonValue:
        """The levels (sites, lines ...) of the system-manager hierarchy."""
        return await self._api.json(ops.App_Levels)

    @operation(ops.App_ProductGroups)
    async def product_groups(self, *, include_filters: bool | None = None) -> JsonValue:
        """The product groups (``include_filters=True``: with their filters)."""
        return await self._api.json(
            ops.App_ProductGroups, params={"includeFilters": include_filters}
        )

    @operation(ops.Mes_GetCommonUserSettings)
    async def common_user_settings(self, user_name: str) -> CommonUserSettings | None:
        """A user's common settings."""
        from pywats.models import CommonUserSettings

        return await self._api.found(
            ops.Mes_GetCommonUserSettings, CommonUserSettings, params={"UserName": user_name}
        )
