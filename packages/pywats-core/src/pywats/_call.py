"""What one call of a spec operation carries besides the operation itself.

Shared by the async and the sync API (``pywats._async._api`` and its twin).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypedDict

if TYPE_CHECKING:
    from pywats._async._http import Files, QueryParams

__all__ = ["Call", "Upload"]


class Call(TypedDict, total=False):
    """What a call carries besides its operation (each optional)."""

    #: the route's path parameters, by the spec's names
    path: Mapping[str, str | int] | None
    #: query parameters, by the spec's names; ``None`` values are left out
    params: QueryParams | None
    #: the JSON body
    json: Any


class Upload(Call, total=False):
    """A call that may carry a raw body (XML or JSON bytes) or files instead of JSON."""

    content: bytes | None
    files: Files | None
