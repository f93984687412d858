"""The App domain: server version and the process list."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pywats._async.app._repository import AsyncAppRepository
from pywats._errors import EmptyResponseError, PyWATSError

if TYPE_CHECKING:
    from pywats._models import Process

__all__ = ["AsyncAppService"]


class AsyncAppService:
    def __init__(self, repository: AsyncAppRepository) -> None:
        self._repository = repository

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
