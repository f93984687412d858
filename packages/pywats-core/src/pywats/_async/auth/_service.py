"""The Auth domain: the legacy ``GetToken`` routes.

WATS 2025.3 removed both routes; tokens now come only from Control Panel -> Tokens
(wats-facts §3.3). They are here because the specification still lists them; on a
current server they fail, and nothing else in pywats uses them.
"""

from __future__ import annotations

from pywats import _operations as ops
from pywats._async._api import AsyncApi
from pywats._operation import operation
from pywats._payload import JsonValue

__all__ = ["AsyncAuthService"]


class AsyncAuthService:
    def __init__(self, api: AsyncApi) -> None:
        self._api = api

    @operation(ops.Auth_GetToken)
    async def get_token(self, *, reset: bool | None = None) -> JsonValue:
        """The calling user's token (``reset=True``: a new one). Removed in WATS 2025.3."""
        return await self._api.json(ops.Auth_GetToken, params={"reset": reset})

    @operation(ops.Auth_GetTokenForIdentifier)
    async def get_token_for(self, identifier: str, *, reset: bool | None = None) -> JsonValue:
        """The token of a client identifier. Removed in WATS 2025.3."""
        return await self._api.json(
            ops.Auth_GetTokenForIdentifier, path={"identifier": identifier}, params={"reset": reset}
        )
