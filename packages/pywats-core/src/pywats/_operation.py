"""One operation of the WATS API, as its specification describes it.

The table of every public operation (``pywats._operations``) is generated from the spec
by ``tools/apigen.py``; domain services name the operation they call with
:func:`operation`, so the spec-walk test and the docs' coverage table can find it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import quote

__all__ = ["Operation", "Param", "operation", "shadowing_literals", "ODATA_OPTIONS"]

F = TypeVar("F", bound=Callable[..., Any])

# The OData system query options WATS documents for its OData endpoints.
ODATA_OPTIONS = frozenset({"$filter", "$top", "$skip", "$orderby", "$select", "$expand"})


@dataclass(frozen=True)
class Param:
    """A parameter: its wire name, where it goes (``path`` or ``query``), and its type."""

    name: str
    location: str
    required: bool = False
    type: str = "string"


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    tag: str
    operation_id: str
    params: tuple[Param, ...] = ()
    body: str | None = None
    response_model: str | None = None
    response_is_list: bool = False
    odata: bool = False
    internal: bool = False
    _query_names: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names = {p.name for p in self.params if p.location == "query"}
        object.__setattr__(
            self, "_query_names", frozenset(names | ODATA_OPTIONS if self.odata else names)
        )

    @property
    def key(self) -> str:
        """``"GET /api/Product/{partNumber}"``: method and route template."""
        return f"{self.method} {self.path}"

    def url(self, path_args: Mapping[str, str | int] | None = None) -> str:
        """The route with its path parameters filled in (each percent-encoded whole)."""
        args = dict(path_args or {})
        route = self.path
        for param in self.params:
            if param.location != "path":
                continue
            if param.name not in args:
                raise TypeError(f"{self.key}: the path parameter {param.name!r} is missing")
            value = str(args.pop(param.name))
            if not value:
                raise ValueError(f"{self.key}: {param.name} must not be empty")
            route = route.replace("{" + param.name + "}", quote(value, safe=""))
        if args:
            raise TypeError(f"{self.key}: no path parameter named {sorted(args)}")
        return route.lstrip("/")

    def check_query(self, params: Mapping[str, object]) -> None:
        """Refuse names the spec does not list, and required parameters left out."""
        unknown = set(params) - self._query_names
        if unknown:
            raise TypeError(f"{self.key}: the spec has no query parameter {sorted(unknown)}")
        for param in self.params:
            if param.location == "query" and param.required and params.get(param.name) is None:
                raise ValueError(f"{self.key}: the query parameter {param.name!r} is required")


_SHADOWS: dict[str, dict[str, frozenset[str]]] = {}


def shadowing_literals(op: Operation) -> dict[str, frozenset[str]]:
    """Path parameter -> the literal segments other routes have in its place.

    ``GET /api/Product/{partNumber}`` with the part number ``Query`` reaches
    ``GET /api/Product/Query`` on the server (literal routes win); such values cannot be
    sent through ``op`` at all.
    """
    found = _SHADOWS.get(op.key)
    if found is None:
        from pywats._operations import ALL

        mine = op.path.lower().split("/")
        shadows: dict[str, set[str]] = {}
        for other in ALL:
            theirs = other.path.lower().split("/")
            if len(theirs) != len(mine) or other.method != op.method:
                continue
            for i, segment in enumerate(mine):
                if not segment.startswith("{") or theirs[i].startswith("{"):
                    continue
                if theirs[:i] == mine[:i] and all(
                    a == b or a.startswith("{")
                    for a, b in zip(mine[i + 1 :], theirs[i + 1 :], strict=True)
                ):
                    shadows.setdefault(op.path.split("/")[i][1:-1], set()).add(theirs[i])
        found = _SHADOWS[op.key] = {k: frozenset(v) for k, v in shadows.items()}
    return found


def operation(op: Operation) -> Callable[[F], F]:
    """Mark a service method as the client's one method for ``op``."""

    def mark(fn: F) -> F:
        fn.__wats_operation__ = op  # type: ignore[attr-defined]
        return fn

    return mark
