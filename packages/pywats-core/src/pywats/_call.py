"""What one call of a spec operation carries besides the operation itself, and the
headers of raw bodies.

Shared by the async and the sync API (``pywats._async._api`` and its twin).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypedDict

if TYPE_CHECKING:
    from pywats._async._http import Files, QueryParams

__all__ = ["Call", "Upload", "JSON_BODY", "XML_BODY"]

#: the headers of a raw request body (``content``), by its kind
JSON_BODY: Mapping[str, str] = {"Content-Type": "application/json; charset=utf-8"}
XML_BODY: Mapping[str, str] = {"Content-Type": "application/xml; charset=utf-8"}


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
