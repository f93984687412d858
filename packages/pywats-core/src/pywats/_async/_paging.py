"""Lazy iteration over paged WATS endpoints (OData ``$top/$skip`` and SCIM ``startIndex/count``)."""

from __future__ import annotations

import collections
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from pywats._async._http import AsyncHttpClient, QueryParams
from pywats._errors import ErrorHandler
from pywats._paging_styles import Paging

__all__ = ["AsyncPagedIterator", "Page"]

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page: its items, and the total across all pages when the server says it."""

    items: list[T]
    total: int | None = None


class AsyncPageFetcher(Protocol[T]):
    async def __call__(self, offset: int, limit: int) -> Page[T]: ...


class AsyncPagedIterator(Generic[T]):
    """Fetches pages on demand while you iterate; stops at the end or at ``max_items``.

    Nothing is requested until iteration starts; each page is requested only when the
    previous one is used up. The iterator ends on a short page, an empty page, or when
    the server's total is reached.
    """

    def __init__(
        self,
        fetch: AsyncPageFetcher[T],
        *,
        page_size: int = 100,
        max_items: int | None = None,
    ) -> None:
        if page_size < 1:
            raise ValueError(f"page_size must be at least 1, not {page_size}")
        if max_items is not None and max_items < 0:
            raise ValueError(f"max_items must not be negative, not {max_items}")
        self._fetch = fetch
        self.page_size = page_size
        self.max_items = max_items
        self._buffer: collections.deque[T] = collections.deque()
        self._offset = 0
        self._yielded = 0
        self._done = False
        self.pages_fetched = 0

    def __aiter__(self) -> AsyncPagedIterator[T]:
        return self

    async def __anext__(self) -> T:
        if self.max_items is not None and self._yielded >= self.max_items:
            raise StopAsyncIteration
        if not self._buffer:
            if self._done:
                raise StopAsyncIteration
            await self._fetch_next()
            if not self._buffer:
                raise StopAsyncIteration
        self._yielded += 1
        return self._buffer.popleft()

    async def _fetch_next(self) -> None:
        limit = self.page_size
        if self.max_items is not None:
            limit = min(limit, self.max_items - self._yielded)
        page = await self._fetch(self._offset, limit)
        self.pages_fetched += 1
        self._offset += len(page.items)
        self._buffer = collections.deque(page.items)
        if (
            len(page.items) < limit
            or (page.total is not None and self._offset >= page.total)
            or not page.items
        ):
            self._done = True

    async def collect(self) -> list[T]:
        """Every remaining item, as a list."""
        items: list[T] = []
        async for item in self:
            items.append(item)
        return items

    @classmethod
    def over(
        cls,
        paging: Paging,
        http: AsyncHttpClient,
        handler: ErrorHandler,
        path: str,
        parse: Callable[[Any], T],
        *,
        params: QueryParams | None = None,
        page_size: int = 100,
        max_items: int | None = None,
    ) -> AsyncPagedIterator[T]:
        """Pages of the list endpoint ``path``, asked for in the ``paging`` style
        (:data:`ODATA` or :data:`SCIM`)."""

        async def fetch(offset: int, limit: int) -> Page[T]:
            query = {**(params or {}), **paging.query(offset, limit)}
            operation = f"GET /{path.lstrip('/')}"
            body = handler.handle(await http.request("GET", path, params=query), operation)
            if body is None:
                return Page([])
            items, total = paging.items(body, operation)
            return Page([parse(item) for item in items], total)

        return cls(fetch, page_size=page_size, max_items=max_items)
