"""The repository of the spec-driven domains: one call sends one operation of the spec.

Route templates, parameter names and body media types come from the generated operation
table (``pywats._operations``); a call with a parameter the spec does not list, or
without one it requires, is refused before anything is sent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import httpx

from pywats._async._http import AsyncHttpClient, Files, QueryParams
from pywats._async._paging import AsyncPagedIterator
from pywats._errors import ErrorHandler
from pywats._operation import Operation, shadowing_literals

__all__ = ["AsyncApi"]

T = TypeVar("T")

_JSON = {"Content-Type": "application/json; charset=utf-8"}
_XML = {"Content-Type": "application/xml; charset=utf-8"}
_BYTES = {"Content-Type": "application/octet-stream"}


class AsyncApi:
    def __init__(self, http: AsyncHttpClient, handler: ErrorHandler) -> None:
        self._http = http
        self._handler = handler

    async def send(
        self,
        op: Operation,
        *,
        path: Mapping[str, str | int] | None = None,
        params: QueryParams | None = None,
        json: Any = None,
        content: bytes | None = None,
        files: Files | None = None,
        accept: str | None = None,
    ) -> httpx.Response:
        """Send ``op`` and return the response, whatever its status."""
        query = dict(params or {})
        op.check_query(query)
        for name, value in (path or {}).items():
            if str(value).lower() in shadowing_literals(op).get(name, ()):
                raise ValueError(
                    f"{op.key}: {name} {value!r} cannot be sent in the route: the server would"
                    f" answer its /{value} operation instead"
                )
        headers: dict[str, str] = {}
        if op.internal:
            headers["Referer"] = self._http.base_url + "/"
        if accept is not None:
            headers["Accept"] = accept
        has_body = json is not None or content is not None or files is not None
        if has_body and op.body is None:
            raise TypeError(f"{op.key}: the spec gives this operation no request body")
        if content is not None:
            if op.body == "application/octet-stream":
                headers.update(_BYTES)
            else:
                headers.update(_XML if op.body == "application/xml" else _JSON)
        return await self._http.request(
            op.method,
            op.url(path),
            operation=op.key,
            params=query,
            json=json,
            content=content,
            files=files,
            headers=headers or None,
        )

    async def json(
        self,
        op: Operation,
        *,
        path: Mapping[str, str | int] | None = None,
        params: QueryParams | None = None,
        json: Any = None,
    ) -> Any:
        """The decoded JSON answer (``None`` for an empty answer in LENIENT mode)."""
        response = await self.send(op, path=path, params=params, json=json)
        return self._handler.handle(response, op.key)

    async def action(
        self,
        op: Operation,
        *,
        path: Mapping[str, str | int] | None = None,
        params: QueryParams | None = None,
        json: Any = None,
        content: bytes | None = None,
        files: Files | None = None,
    ) -> Any:
        """Send a command; its answer, decoded when it is JSON, ``None`` when empty."""
        response = await self.send(
            op, path=path, params=params, json=json, content=content, files=files
        )
        self._handler.check(response, op.key)
        if not response.is_success or not response.content.strip():
            return None
        try:
            return response.json()
        except ValueError:
            return response.text

    async def file(
        self,
        op: Operation,
        *,
        path: Mapping[str, str | int] | None = None,
        params: QueryParams | None = None,
        json: Any = None,
    ) -> bytes | None:
        """The raw bytes of the answer (files, exports, XML)."""
        response = await self.send(op, path=path, params=params, json=json, accept="*/*")
        return self._handler.handle_bytes(response, op.key)

    def odata(
        self,
        op: Operation,
        parse: Callable[[Any], T],
        *,
        params: QueryParams | None = None,
        page_size: int,
        max_items: int | None,
    ) -> AsyncPagedIterator[T]:
        """Pages of an OData operation, ``$top``/``$skip`` at a time."""
        query = dict(params or {})
        op.check_query({**query, "$top": 1, "$skip": 0})
        return AsyncPagedIterator.odata(
            self._http,
            self._handler,
            op.url(),
            parse,
            params=query,
            page_size=page_size,
            max_items=max_items,
        )

    def scim(
        self,
        op: Operation,
        parse: Callable[[Any], T],
        *,
        params: QueryParams | None = None,
        page_size: int,
        max_items: int | None,
    ) -> AsyncPagedIterator[T]:
        """Pages of a SCIM list operation, ``startIndex``/``count`` at a time."""
        query = dict(params or {})
        op.check_query({**query, "startIndex": 1, "count": 1})
        return AsyncPagedIterator.scim(
            self._http,
            self._handler,
            op.url(),
            parse,
            params=query,
            page_size=page_size,
            max_items=max_items,
        )
