"""WSJF (JSON) reading and writing."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import VERSION as PYDANTIC_VERSION
from pydantic import ValidationError
from pydantic_core import PydanticSerializationError

from ._errors import ReportFormatError
from ._models import Report, WsjfModel, presentation

__all__ = [
    "describe_validation_error",
    "detect_format",
    "dump_wsjf",
    "dumps_wsjf",
    "parse_wsjf",
]


# WSJF keys are the camelCase aliases; a snake_case key such as "step_type" in a document is
# an unknown key to keep, not our Python field (pydantic >= 2.11 can tell them apart).
_KEYS_BY_ALIAS_ONLY = tuple(int(part) for part in PYDANTIC_VERSION.split(".")[:2]) >= (2, 11)


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


def describe_validation_error(error: ValidationError, source: str, prefix: str = "") -> str:
    """One readable line per problem: ``where: what (got ...)``, at most five."""
    lines = []
    errors = error.errors(include_url=False)
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
    try:
        if _KEYS_BY_ALIAS_ONLY:
            return Report.model_validate(document, by_alias=True, by_name=False)
        return Report.model_validate(document)
    except ValidationError as exc:
        raise ReportFormatError(describe_validation_error(exc, "WSJF")) from None


def _restore_order(model: WsjfModel, data: dict[str, Any]) -> dict[str, Any]:
    for name, field in type(model).model_fields.items():
        key = field.alias or name
        if key not in data:
            continue
        value = getattr(model, name)
        if isinstance(value, WsjfModel):
            data[key] = _restore_order(value, data[key])
        elif isinstance(value, list) and value and isinstance(value[0], WsjfModel):
            data[key] = [
                _restore_order(item, sub) if isinstance(item, WsjfModel) else sub
                for item, sub in zip(value, data[key], strict=True)
            ]
    order: tuple[str, ...] | None = presentation(model, "order")
    if order is None:
        return data
    ordered = {key: data[key] for key in order if key in data}
    for key, value in data.items():
        if key not in ordered:
            ordered[key] = value
    return ordered


def dump_wsjf(report: Report) -> dict[str, Any]:
    """The report as a JSON-ready dict: same keys, order and nulls as parsed.

    Non-finite numbers come out as the strings ``"NaN"``, ``"Infinity"``, ``"-Infinity"``.
    """
    # Through JSON text: the only route on which pydantic writes NaN/Infinity as strings.
    result: dict[str, Any] = json.loads(report.model_dump_json(by_alias=True, exclude_unset=True))
    if presentation(report, "reorder"):
        result = _restore_order(report, result)
    return result


def dumps_wsjf(report: Report) -> bytes:
    """The report as compact UTF-8 JSON bytes."""
    if presentation(report, "reorder"):
        return json.dumps(dump_wsjf(report), ensure_ascii=False, separators=(",", ":")).encode()
    return _to_json(report).encode()


def _to_json(report: Report) -> str:
    try:
        return report.model_dump_json(by_alias=True, exclude_unset=True)
    except PydanticSerializationError as exc:
        raise ReportFormatError(f"cannot write WSJF: {exc}") from None


def detect_format(data: bytes) -> Literal["wsjf", "wsxf"]:
    """Tell WSJF from WSXF by content (first significant character, after any BOM)."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf").lstrip()
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = data.decode("utf-16", errors="replace").encode()[:4096].lstrip()
    if head.startswith(b"{"):
        return "wsjf"
    if head.startswith(b"<"):
        if b"wats.virinco.com/schemas/WATS/Report/wsxf" in data[:8192] or b"<Reports" in head:
            return "wsxf"
        raise ReportFormatError(
            "not a WSXF report: XML without the namespace "
            "http://wats.virinco.com/schemas/WATS/Report/wsxf"
        )
    shown = head[:20].decode("utf-8", errors="replace")
    raise ReportFormatError(
        f"neither WSJF (JSON object) nor WSXF (XML): input starts with {shown!r}"
        if shown
        else "empty input: neither WSJF nor WSXF"
    )
