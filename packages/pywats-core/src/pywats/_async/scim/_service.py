"""The SCIM domain: provisioning WATS users from an identity provider (SCIM 2.0).

Users are SCIM JSON objects (``userName``, ``name``, ``emails``, ``active`` ...), passed
and returned as mappings. Updates are SCIM PATCH operations; WATS supports ``replace``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pywats import _operations as ops
from pywats._async._api import AsyncApi
from pywats._async._paging import AsyncPagedIterator
from pywats._errors import PyWATSError
from pywats._operation import operation

__all__ = ["AsyncScimService"]

_PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
_USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"


def _found(body: Any, operation: str) -> dict[str, Any] | None:
    return None if body is None else _object(body, operation)


def _object(body: Any, operation: str) -> dict[str, Any]:
    if not isinstance(body, Mapping):
        raise PyWATSError("expected a SCIM JSON object", operation=operation)
    return dict(body)


class AsyncScimService:
    def __init__(self, api: AsyncApi) -> None:
        self._api = api

    @operation(ops.Scim_GetUsers)
    def users(
        self,
        filter: str | None = None,  # SCIM's own word, e.g. 'userName eq "ann"'
        *,
        page_size: int = 100,
        max_items: int | None = None,
    ) -> AsyncPagedIterator[dict[str, Any]]:
        """Users, fetched page by page (``startIndex``/``count``) as you iterate."""
        op = ops.Scim_GetUsers
        return self._api.pages(
            op,
            lambda item: _object(item, op.key),
            params={"filter": filter},
            page_size=page_size,
            max_items=max_items,
        )

    @operation(ops.Scim_GetUserWithId)
    async def user(self, user_id: str) -> dict[str, Any] | None:
        """One user by SCIM id."""
        op = ops.Scim_GetUserWithId
        return _found(await self._api.json(op, path={"id": user_id}), op.key)

    @operation(ops.Scim_GetUser)
    async def user_by_name(self, user_name: str) -> dict[str, Any] | None:
        """One user by user name."""
        op = ops.Scim_GetUser
        return _found(await self._api.json(op, path={"userName": user_name}), op.key)

    @operation(ops.Scim_CreateUser)
    async def create_user(self, user: Mapping[str, Any]) -> dict[str, Any]:
        """Create a user from a SCIM user object (``userName`` required)."""
        if not user.get("userName"):
            raise ValueError("a SCIM user needs a userName")
        body = {"schemas": [_USER_SCHEMA], **user}
        op = ops.Scim_CreateUser
        return _object(await self._api.json(op, json=body), op.key)

    @operation(ops.Scim_UpdateUser)
    async def update_user(self, user_id: str, changes: Mapping[str, Any]) -> dict[str, Any]:
        """Replace attributes of a user: ``{"active": False}`` becomes one SCIM PATCH
        ``replace`` operation per attribute."""
        if not changes:
            raise ValueError("update_user needs at least one attribute to replace")
        body = {
            "schemas": [_PATCH_SCHEMA],
            "Operations": [
                {"op": "replace", "path": name, "value": value} for name, value in changes.items()
            ],
        }
        op = ops.Scim_UpdateUser
        return _object(await self._api.json(op, path={"id": user_id}, json=body), op.key)

    @operation(ops.Scim_DeleteUser)
    async def delete_user(self, user_id: str) -> None:
        """Delete a user."""
        await self._api.action(ops.Scim_DeleteUser, path={"id": user_id})

    @operation(ops.Scim_GetJWT)
    async def token(self, *, duration: int | None = None) -> Any:
        """A token for the identity provider's SCIM connector, valid ``duration`` days."""
        return await self._api.json(ops.Scim_GetJWT, params={"duration": duration})
