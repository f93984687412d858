"""The Auth domain: the legacy ``GetToken`` routes.

WATS 2025.3 removed both routes; tokens now come only from Control Panel -> Tokens
(wats-facts §3.3). They are here because the specification still lists them. A current
server answers them ``404`` ("No HTTP resource was found"), which these methods raise as
a :class:`pywats.NotFoundError` saying the route was removed and where tokens come from
now; nothing else in pywats uses them.
"""

from __future__ import annotations

from collections.abc import Mapping

from pywats import _operations as ops
from pywats._async._api import AsyncApi
from pywats._errors import NotFoundError
from pywats._operation import Operation, operation
from pywats._payload import JsonValue

__all__ = ["AsyncAuthService"]

_REMOVED = (
    "WATS 2025.3 removed the GetToken routes: create an API token in the WATS Control"
    " Panel (Tokens) and pass it to pywats"
)


class AsyncAuthService:
    def __init__(self, api: AsyncApi) -> None:
        self._api = api

    async def _token(
        self, op: Operation, path: Mapping[str, str] | None, reset: bool | None
    ) -> JsonValue:
        try:
            return await self._api.json(op, path=path, params={"reset": reset})
        except NotFoundError as exc:
            raise NotFoundError(
                _REMOVED,
                operation=exc.operation,
                cause=exc,
                status_code=exc.status_code,
                server_message=exc.server_message,
            ) from exc

    @operation(ops.Auth_GetToken)
    async def get_token(self, *, reset: bool | None = None) -> JsonValue:
        """The calling user's token (``reset=True``: a new one). Removed in WATS 2025.3:
        a current server answers :class:`pywats.NotFoundError`."""
        return await self._token(ops.Auth_GetToken, None, reset)

    @operation(ops.Auth_GetTokenForIdentifier)
    async def get_token_for(self, identifier: str, *, reset: bool | None = None) -> JsonValue:
        """The token of a client identifier. Removed in WATS 2025.3: a current server
        answers :class:`pywats.NotFoundError`."""
        return await self._token(ops.Auth_GetTokenForIdentifier, {"identifier": identifier}, reset)
