"""How WATS list endpoints page: OData's ``$top``/``$skip`` and SCIM's ``startIndex``/``count``.

Shared by the async and the sync iterators (``pywats._async._paging`` and its twin).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pywats._errors import PyWATSError

__all__ = ["Paging", "ODATA", "SCIM"]


@dataclass(frozen=True)
class Paging:
    """How a list endpoint pages: the query asking for a page, and where its items are."""

    #: (offset, limit) -> the query parameters that ask for that page
    query: Callable[[int, int], dict[str, int]]
    #: (decoded answer, operation) -> the page's raw items, and the total when given
    items: Callable[[Any, str], tuple[list[Any], int | None]]


def _odata_items(body: Any, operation: str) -> tuple[list[Any], int | None]:
    if isinstance(body, Mapping) and isinstance(body.get("value"), list):
        body = body["value"]  # OData v4 envelope
    if not isinstance(body, list):
        raise PyWATSError("expected a JSON array of items", operation=operation)
    return body, None


def _scim_items(body: Any, operation: str) -> tuple[list[Any], int | None]:
    if not isinstance(body, Mapping):
        raise PyWATSError("expected a SCIM list response object", operation=operation)
    total = body.get("totalResults")
    return body.get("Resources") or [], total if isinstance(total, int) else None


#: OData: ``$top``/``$skip``; the answer is a JSON array (or a v4 ``value`` envelope).
ODATA = Paging(lambda offset, limit: {"$top": limit, "$skip": offset}, _odata_items)
#: SCIM: 1-based ``startIndex`` and ``count``; the answer carries ``Resources`` and
#: ``totalResults``.
SCIM = Paging(lambda offset, limit: {"startIndex": offset + 1, "count": limit}, _scim_items)
