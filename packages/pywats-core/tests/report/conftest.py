"""Shared helpers for the report-model tests (as fixtures: tests import nothing by name)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest

# The only differences between an input document and parse -> dump, each tested on its own
# (docs/report-model.md "Canonicalisations"): enum spelling.
_ENUM_KEYS = {"compOp", "status", "group", "result", "type"}


def _canonical_enums(doc: Any, parent: str = "") -> Any:
    if isinstance(doc, dict):
        out = {}
        for key, value in doc.items():
            if key in _ENUM_KEYS and isinstance(value, str) and parent != "props":
                out[key] = value.upper()
            else:
                out[key] = _canonical_enums(value, key)
        return out
    if isinstance(doc, list):
        return [_canonical_enums(item, parent) for item in doc]
    return doc


def _same_json(a: Any, b: Any, path: str = "$") -> list[str]:
    """Strict JSON-value comparison that also checks key order; returns differences."""
    if isinstance(a, bool) or isinstance(b, bool):
        return [] if type(a) is type(b) and a == b else [f"{path}: {a!r} != {b!r}"]
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        if a == b or (
            isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b)
        ):
            return []
        return [f"{path}: {a!r} != {b!r}"]
    if type(a) is not type(b):
        return [f"{path}: {type(a).__name__} {a!r:.60} != {type(b).__name__} {b!r:.60}"]
    if isinstance(a, dict):
        if list(a) != list(b):
            return [f"{path}: keys {list(a)} != {list(b)}"]
        problems: list[str] = []
        for key in a:
            problems += _same_json(a[key], b[key], f"{path}.{key}")
        return problems
    if isinstance(a, list):
        if len(a) != len(b):
            return [f"{path}: length {len(a)} != {len(b)}"]
        problems = []
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            problems += _same_json(x, y, f"{path}[{index}]")
        return problems
    return [] if a == b else [f"{path}: {a!r:.80} != {b!r:.80}"]


def _format_neutral(doc: Any) -> Any:
    """Drop what WSXF cannot express: null vs absent vs empty string vs empty list."""
    if isinstance(doc, dict):
        return {
            key: _format_neutral(value)
            for key, value in doc.items()
            if value is not None and value != "" and value != []
        }
    if isinstance(doc, list):
        return [_format_neutral(item) for item in doc]
    return doc


@pytest.fixture
def canonical_enums() -> Callable[[Any], Any]:
    return _canonical_enums


@pytest.fixture
def json_differences() -> Callable[[Any, Any], list[str]]:
    return _same_json


@pytest.fixture
def format_neutral() -> Callable[[Any], Any]:
    return _format_neutral
