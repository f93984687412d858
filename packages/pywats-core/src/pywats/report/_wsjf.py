"""WSJF (JSON) reading and writing."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError
from pydantic_core import PydanticSerializationError

from ._errors import MAX_STEP_DEPTH, ReportFormatError
from ._model_base import JsonForm, WsjfModel, WsjfReading
from ._models import Report

__all__ = [
    "describe_validation_error",
    "dump_wsjf",
    "dumps_wsjf",
    "parse_wsjf",
]


def _location(loc: Sequence[int | str]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            if parts:
                parts[-1] = f"{parts[-1]}[{item}]"
            else:
                parts.append(f"[{item}]")
        elif item.startswith("function-"):  # validator frames, not locations
            continue
        else:
            parts.append(item)
    if len(parts) > 12:  # deep trees: keep the ends, say how much is left out
        parts = [*parts[:4], f"... ({len(parts) - 8} levels) ...", *parts[-4:]]
    return " -> ".join(parts) if parts else "report"


# pydantic's error types for input nested deeper than it validates
_TOO_DEEP = frozenset({"recursion_depth_exceeded", "recursion_loop"})


def describe_validation_error(error: ValidationError, source: str, prefix: str = "") -> str:
    """One readable line per problem: ``where: what (got ...)``, at most five."""
    lines = []
    errors = error.errors(include_url=False)
    if any(item["type"] in _TOO_DEEP for item in errors):
        # pydantic's nesting limit (255 models deep): say what it means here
        where = prefix + _location(errors[0]["loc"])
        return (
            f"not a valid {source} report: {where}: nested too deeply "
            f"(pywats reads steps nested up to {MAX_STEP_DEPTH} levels)"
        )
    for item in errors[:5]:
        where = prefix + _location(item["loc"])
        got = item.get("input")
        shown = repr(got) if not isinstance(got, (dict, list)) else type(got).__name__
        if len(shown) > 60:
            shown = shown[:57] + "..."
        lines.append(f"{where}: {item['msg']} (got {shown})")
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return f"not a valid {source} report: " + "; ".join(lines) + more


def _load_json(data: bytes | str) -> Any:
    try:
        return json.loads(data)
    except UnicodeDecodeError as exc:
        raise ReportFormatError(f"not a WSJF report: input is not UTF-8 text ({exc})") from None
    except RecursionError:
        raise ReportFormatError("not a WSJF report: JSON nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise ReportFormatError(
            f"not a WSJF report: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None


# a \uD800-\uDFFF escape: possibly a lone surrogate, which no UTF-8 writer can emit
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def _find_lone_surrogate(node: Any, path: str) -> str | None:
    if isinstance(node, str):
        try:
            node.encode("utf-8")
        except UnicodeEncodeError:
            return path
        return None
    if isinstance(node, dict):
        for key, value in node.items():
            found = _find_lone_surrogate(key, path) or _find_lone_surrogate(
                value, f"{path} -> {key}"
            )
            if found:
                return found
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found = _find_lone_surrogate(value, f"{path}[{index}]")
            if found:
                return found
    return None


def parse_wsjf(data: bytes | str | Mapping[str, Any]) -> Report:
    """Parse a WSJF document (bytes, text or an already decoded mapping) into a ``Report``.

    Raises ``ReportFormatError`` naming the offending location.
    """
    document = data if isinstance(data, Mapping) else _load_json(data)
    if not isinstance(data, Mapping):
        raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
        if _SURROGATE_ESCAPE.search(raw):
            where = _find_lone_surrogate(document, "report")
            if where is not None:
                raise ReportFormatError(
                    f"not a WSJF report: {where}: text holds a lone UTF-16 surrogate (\\uD8xx)"
                )
    if not isinstance(document, Mapping):
        raise ReportFormatError(
            f"not a WSJF report: top level is a JSON {type(document).__name__}, expected an object"
        )
    if not isinstance(document, dict):
        document = dict(document)
    # WSJF keys are the camelCase aliases: a key such as "step_type" is an unknown key to
    # keep, not our Python field
    reading = WsjfReading(keys_by_alias_only=True)
    try:
        return Report.model_validate(document, by_alias=True, by_name=False, context=reading)
    except ValidationError as exc:
        raise ReportFormatError(describe_validation_error(exc, "WSJF")) from None


def _restore_order(
    model: WsjfModel,
    data: dict[str, Any],
    forms: dict[int, JsonForm],
    form: JsonForm | None,
) -> dict[str, Any]:
    """Put the keys of ``data`` (``model`` dumped) back in the order they were read in.

    ``forms``: the parts' forms by ``id(part)``; ``form``: the one of ``model`` itself.
    """
    for name, field in type(model).model_fields.items():
        key = field.alias or name
        if key not in data:
            continue
        value = getattr(model, name)
        if isinstance(value, WsjfModel):
            data[key] = _restore_order(value, data[key], forms, forms.get(id(value)))
        elif isinstance(value, list) and value and isinstance(value[0], WsjfModel):
            data[key] = [
                _restore_order(item, sub, forms, forms.get(id(item)))
                if isinstance(item, WsjfModel)
                else sub
                for item, sub in zip(value, data[key], strict=True)
            ]
    if form is None:
        return data
    for name in form.unknown_python_names:
        # pydantic counts the field as set (see JsonForm); it was not in the input
        alias = type(model).model_fields[name].alias
        if alias is not None and getattr(model, name) is None:
            data.pop(alias, None)
    if form.key_order is None:
        return data
    ordered = {key: data[key] for key in form.key_order if key in data}
    for key, value in data.items():
        if key not in ordered:
            ordered[key] = value
    return ordered


def _needs_restoring(report: Report) -> bool:
    return report._json_form is not None or bool(report._part_json_forms)


def dump_wsjf(report: Report) -> dict[str, Any]:
    """The report as a JSON-ready dict: same keys, order and nulls as parsed.

    Non-finite numbers come out as the strings ``"NaN"``, ``"Infinity"``, ``"-Infinity"``.
    """
    # Through JSON text: the only route on which pydantic writes NaN/Infinity as strings.
    result: dict[str, Any] = json.loads(_to_json(report))
    if _needs_restoring(report):
        forms = {id(part): form for part, form in report._part_json_forms}
        result = _restore_order(report, result, forms, report._json_form)
    return result


def dumps_wsjf(report: Report) -> bytes:
    """The report as compact UTF-8 JSON bytes."""
    if _needs_restoring(report):
        return json.dumps(dump_wsjf(report), ensure_ascii=False, separators=(",", ":")).encode()
    return _to_json(report).encode()


def _to_json(report: Report) -> str:
    try:
        return report.model_dump_json(by_alias=True, exclude_unset=True)
    except PydanticSerializationError as exc:
        if "Maximum serialization depth exceeded" in str(exc):
            raise ReportFormatError(
                f"cannot write WSJF: steps nested too deeply (pywats writes steps nested up "
                f"to {MAX_STEP_DEPTH} levels)"
            ) from None
        raise ReportFormatError(f"cannot write WSJF: {exc}") from None
