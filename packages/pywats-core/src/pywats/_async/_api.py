"""The repository of the spec-driven domains: one call sends one operation of the spec.

Route templates, parameter names and body media types come from the generated operation
table (``pywats._operations``); a call with a parameter the spec does not list, or
without one it requires, is refused before anything is sent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from pywats._async._http import AsyncHttpClient, QueryParams
from pywats._async._paging import AsyncPagedIterator
from pywats._call import JSON_BODY, RAW_BODIES, Call, Upload
from pywats._errors import ErrorHandler
from pywats._odata import Filter
from pywats._operation import Operation, shadowing_literals
from pywats._paging_styles import ODATA, SCIM

if TYPE_CHECKING:
    from pydantic import BaseModel
    from typing_extensions import Unpack

__all__ = ["AsyncApi"]

T = TypeVar("T")
M = TypeVar("M", bound="BaseModel")


class AsyncApi:
    def __init__(self, http: AsyncHttpClient, handler: ErrorHandler) -> None:
        self._http = http
        self._handler = handler

    async def send(
        self, op: Operation, *, accept: str | None = None, **call: Unpack[Upload]
    ) -> httpx.Response:
        """Send ``op`` and return the response, whatever its status."""
        unknown = call.keys() - Upload.__optional_keys__
        if unknown:
            raise TypeError(f"{op.key}: unknown arguments {sorted(unknown)}")
        path = call.get("path")
        query = dict(call.get("params") or {})
        json, content, files = call.get("json"), call.get("content"), call.get("files")
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
            headers.update(RAW_BODIES.get(op.body or "", JSON_BODY))
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

    async def json(self, op: Operation, **call: Unpack[Call]) -> Any:
        """The decoded JSON answer (``None`` for an empty answer in LENIENT mode)."""
        return self._handler.handle(await self.send(op, **call), op.key)

    async def model(self, op: Operation, model: type[M], **call: Unpack[Call]) -> M:
        """The JSON answer as ``model``; an answer that does not fit is a PyWATSError."""
        from pywats._payload import parse  # pydantic loads with the first domain call

        return parse(model, await self.json(op, **call), op.key)

    async def found(self, op: Operation, model: type[M], **call: Unpack[Call]) -> M | None:
        """A lookup's answer as ``model``; ``None`` when nothing is there (LENIENT)."""
        from pywats._payload import parse_found

        return parse_found(model, await self.json(op, **call), op.key)

    async def model_list(self, op: Operation, model: type[M], **call: Unpack[Call]) -> list[M]:
        """The JSON array answer as a list of ``model`` (an empty answer: ``[]``)."""
        from pywats._payload import parse_list

        return parse_list(model, await self.json(op, **call), op.key)

    async def action(self, op: Operation, **call: Unpack[Upload]) -> Any:
        """Send a command; its answer, decoded when it is JSON, ``None`` when empty."""
        response = await self.send(op, **call)
        self._handler.check(response, op.key)
        if not response.is_success or not response.content.strip():
            return None
        try:
            return response.json()
        except ValueError:
            return response.text

    async def file(self, op: Operation, **call: Unpack[Call]) -> bytes | None:
        """The raw bytes of the answer (files, exports, XML)."""
        return self._handler.handle_bytes(await self.send(op, accept="*/*", **call), op.key)

    def pages(
        self,
        op: Operation,
        parse: Callable[[Any], T],
        *,
        params: QueryParams | None = None,
        page_size: int,
        max_items: int | None,
    ) -> AsyncPagedIterator[T]:
        """Pages of a list operation: ``$top``/``$skip`` at a time where the spec marks it
        OData, SCIM's ``startIndex``/``count`` otherwise."""
        query = dict(params or {})
        paging = ODATA if op.odata else SCIM
        op.check_query({**query, **paging.query(0, 1)})
        return AsyncPagedIterator.over(
            paging,
            self._http,
            self._handler,
            op.url(),
            parse,
            params=query,
            page_size=page_size,
            max_items=max_items,
        )

    def odata_query(
        self,
        op: Operation,
        model: type[M],
        filter: Filter | str | None,
        *,
        order_by: str | None = None,
        page_size: int,
        max_items: int | None,
    ) -> AsyncPagedIterator[M]:
        """Pages of ``model`` from an OData list operation, by ``$filter`` and ``$orderby``."""
        # pydantic loads with the first domain call, not with ``import pywats``
        from pywats._payload import parse

        return self.pages(
            op,
            lambda item: parse(model, item, op.key),
            params={"$filter": None if filter is None else str(filter), "$orderby": order_by},
            page_size=page_size,
            max_items=max_items,
        )
