"""Turning models into request bodies and response bodies into models."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from pywats._errors import PyWATSError

__all__ = ["JsonValue", "dump", "dump_list", "parse", "parse_found", "parse_list", "one_of"]

M = TypeVar("M", bound=BaseModel)

# What the spec leaves untyped (``object``) is returned as decoded JSON.
JsonValue = Any


def dump(value: BaseModel | Mapping[str, Any]) -> dict[str, Any]:
    """A model (or a mapping already in wire form) as the JSON object WATS expects:
    the spec's field names, no ``None`` fields."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    return dict(value)


def dump_list(values: Iterable[BaseModel | Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [dump(v) for v in values]


def parse(model: type[M], body: Any, operation: str) -> M:
    """``body`` as ``model``; a body that does not fit is a :class:`PyWATSError`."""
    if not isinstance(body, Mapping):
        raise PyWATSError(
            f"expected a JSON object ({model.__name__}), got {type(body).__name__}",
            operation=operation,
        )
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise PyWATSError(
            f"the server's {model.__name__} does not fit the API's model: {exc}",
            operation=operation,
            cause=exc,
        ) from exc


def parse_found(model: type[M], body: Any, operation: str) -> M | None:
    """A lookup's answer as ``model``; ``None`` when there is nothing there (a LENIENT
    client's 404 or empty answer; a STRICT client raises before this)."""
    return None if body is None else parse(model, body, operation)


def parse_list(model: type[M], body: Any, operation: str) -> list[M]:
    """``body`` as a list of ``model``; ``None`` (an empty answer) is an empty list."""
    if body is None:
        return []
    if isinstance(body, Mapping) and isinstance(body.get("value"), list):
        body = body["value"]  # OData v4 envelope
    if not isinstance(body, list):
        raise PyWATSError(
            f"expected a JSON array of {model.__name__}, got {type(body).__name__}",
            operation=operation,
        )
    return [parse(model, item, operation) for item in body]


def one_of(operation: str, **choices: object) -> None:
    """Exactly one of the keyword arguments must be given (e.g. an asset's id or serial)."""
    given = [name for name, value in choices.items() if value is not None]
    if len(given) != 1:
        names = " or ".join(choices)
        raise ValueError(f"{operation}: pass exactly one of {names}")
