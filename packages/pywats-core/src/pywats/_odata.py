"""Build OData ``$filter`` expressions for WATS queries without string pasting.

    Filter.eq("serialNumber", "O'Brien-7") & Filter.ge("start", since)

Values are turned into OData literals here: strings are quoted with ``'`` doubled,
date-times become ISO 8601 UTC (``2024-01-01T00:00:00Z``), UUIDs stay bare, booleans are
``true``/``false``. Field names are checked, so a typo cannot smuggle in an operator.
"""

from __future__ import annotations

import functools
import math
import operator
import re
import uuid
from collections.abc import Callable
from datetime import date, datetime, timezone

__all__ = ["Filter", "odata_literal"]

_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(/[A-Za-z_][A-Za-z0-9_]*)*$")

FilterValue = str | int | float | bool | datetime | date | uuid.UUID | None


def odata_literal(value: FilterValue) -> str:
    """The OData literal for a Python value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"OData has no literal for {value!r}")
        return repr(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(
                f"datetime {value.isoformat()} has no time zone; WATS compares in UTC, so "
                "pass an aware datetime (e.g. datetime(..., tzinfo=timezone.utc))"
            )
        utc = value.astimezone(timezone.utc).replace(tzinfo=None)
        text = utc.isoformat(timespec="milliseconds" if utc.microsecond else "seconds")
        return text + "Z"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise TypeError(f"cannot use a {type(value).__name__} in an OData filter")


def _field(name: str) -> str:
    if not _FIELD.match(name):
        raise ValueError(f"{name!r} is not a valid OData field name")
    return name


class Filter:
    """An OData ``$filter`` expression. Combine with ``&`` (and), ``|`` (or), ``~`` (not)."""

    __slots__ = ("_atomic", "expression")

    def __init__(self, expression: str, *, _atomic: bool = True) -> None:
        self.expression = expression
        self._atomic = _atomic

    def __str__(self) -> str:
        return self.expression

    def __repr__(self) -> str:
        return f"Filter({self.expression!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Filter) and other.expression == self.expression

    def __hash__(self) -> int:
        return hash(self.expression)

    def _grouped(self) -> str:
        return self.expression if self._atomic else f"({self.expression})"

    def __and__(self, other: Filter) -> Filter:
        return Filter(f"{self._grouped()} and {other._grouped()}", _atomic=False)

    def __or__(self, other: Filter) -> Filter:
        return Filter(f"{self._grouped()} or {other._grouped()}", _atomic=False)

    def __invert__(self) -> Filter:
        return Filter(f"not ({self.expression})")

    @classmethod
    def _compare(cls, op: str, field: str, value: FilterValue) -> Filter:
        return cls(f"{_field(field)} {op} {odata_literal(value)}")

    @classmethod
    def eq(cls, field: str, value: FilterValue) -> Filter:
        return cls._compare("eq", field, value)

    @classmethod
    def ne(cls, field: str, value: FilterValue) -> Filter:
        return cls._compare("ne", field, value)

    @classmethod
    def gt(cls, field: str, value: FilterValue) -> Filter:
        return cls._compare("gt", field, value)

    @classmethod
    def ge(cls, field: str, value: FilterValue) -> Filter:
        return cls._compare("ge", field, value)

    @classmethod
    def lt(cls, field: str, value: FilterValue) -> Filter:
        return cls._compare("lt", field, value)

    @classmethod
    def le(cls, field: str, value: FilterValue) -> Filter:
        return cls._compare("le", field, value)

    @classmethod
    def contains(cls, field: str, text: str) -> Filter:
        return cls._function("contains", field, text)

    @classmethod
    def startswith(cls, field: str, text: str) -> Filter:
        return cls._function("startswith", field, text)

    @classmethod
    def _function(cls, name: str, field: str, text: str) -> Filter:
        return cls(f"{name}({_field(field)},{odata_literal(text)})")

    @classmethod
    def between(
        cls, field: str, start: datetime | None = None, end: datetime | None = None
    ) -> Filter:
        """``start <= field < end``; either bound may be left open."""
        parts = []
        if start is not None:
            parts.append(cls.ge(field, start))
        if end is not None:
            parts.append(cls.lt(field, end))
        if not parts:
            raise ValueError("between() needs a start, an end, or both")
        return cls.all_of(*parts)

    @classmethod
    def all_of(cls, *filters: Filter) -> Filter:
        """Every filter holds (``and``)."""
        return cls._joined("all_of", operator.and_, filters)

    @classmethod
    def any_of(cls, *filters: Filter) -> Filter:
        """At least one filter holds (``or``)."""
        return cls._joined("any_of", operator.or_, filters)

    @staticmethod
    def _joined(
        name: str, join: Callable[[Filter, Filter], Filter], filters: tuple[Filter, ...]
    ) -> Filter:
        if not filters:
            raise ValueError(f"{name}() needs at least one filter")
        return functools.reduce(join, filters)
