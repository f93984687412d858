"""The System domain: clients (stations) and their logs, levels, system status."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pywats import _operations as ops
from pywats._async._api import AsyncApi
from pywats._errors import PyWATSError
from pywats._operation import operation
from pywats._payload import JsonValue, dump, one_of
from pywats.models import ClientDto

__all__ = ["AsyncSystemService"]


class AsyncSystemService:
    def __init__(self, api: AsyncApi) -> None:
        self._api = api

    @operation(ops.SystemManager_Client_GET)
    async def client(self, *, name: str | None = None, identifier: str | None = None) -> JsonValue:
        """One client (station) by name or by identifier (MAC address)."""
        op = ops.SystemManager_Client_GET
        one_of(op.key, name=name, identifier=identifier)
        return await self._api.json(op, params={"name": name, "identifier": identifier})

    @operation(ops.SystemManager_Client_PUT)
    async def update_client(
        self, client: ClientDto | Mapping[str, Any], *, move_with_history: bool | None = None
    ) -> JsonValue:
        """Change a client's settings (``client_id`` required); ``move_with_history``
        moves its reports along when its level changes."""
        return await self._api.action(
            ops.SystemManager_Client_PUT,
            params={"moveWithHistory": move_with_history},
            json=dump(client),
        )

    @operation(ops.SystemManager_Clients)
    async def clients(self) -> JsonValue:
        """Every client with its status, version and pending report count."""
        return await self._api.json(ops.SystemManager_Clients)

    @operation(ops.SystemManager_ClientLog)
    async def client_log(self, identifier: str) -> JsonValue:
        """A client's uploaded log."""
        return await self._api.json(ops.SystemManager_ClientLog, path={"identifier": identifier})

    @operation(ops.SystemManager_LevelByHierarchy)
    async def level_id(self, hierarchy: Sequence[str]) -> JsonValue:
        """The id of the leaf level of a hierarchy (topmost first), ``None`` if missing."""
        levels = _hierarchy(hierarchy)
        return await self._api.action(
            ops.SystemManager_LevelByHierarchy, params={"hierarchy": levels}
        )

    @operation(ops.SystemManager_PostLevelByHierarchy)
    async def create_levels(self, hierarchy: Sequence[str]) -> JsonValue:
        """Create the levels of a hierarchy (topmost first) that do not exist yet."""
        return await self._api.action(
            ops.SystemManager_PostLevelByHierarchy, json=_hierarchy(hierarchy)
        )

    @operation(ops.SystemManager_GetSystemStatus)
    async def status(self) -> dict[str, str]:
        """The server's status as name -> value pairs."""
        op = ops.SystemManager_GetSystemStatus
        body = await self._api.json(op)
        if not isinstance(body, Mapping):
            raise PyWATSError("expected a JSON object of status values", operation=op.key)
        return {str(k): str(v) for k, v in body.items()}


def _hierarchy(hierarchy: Sequence[str]) -> list[str]:
    if isinstance(hierarchy, str):
        raise TypeError("hierarchy is a sequence of level names, topmost first, not one string")
    levels = [str(level) for level in hierarchy]
    if not levels or any(not level for level in levels):
        raise ValueError("hierarchy needs at least one level, and no empty names")
    return levels
