"""A converter's settings as fields a person types, read from its parameters' JSON schema.

The runner's process never imports converter code, so hosts (``pywats-convert --set``,
the station console's per-folder form) learn a converter's settings from the JSON schema
a worker reported (:attr:`ConverterInfo.parameters_schema`). :func:`setting_fields` turns
that schema into form fields; :func:`settings_from_text` turns typed-in text into values
the converter's model then validates (in a worker, :meth:`Runner.check_settings`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["SettingField", "SettingKind", "setting_fields", "settings_from_text"]

#: How a setting is typed in: ``text`` as it is, ``choice`` one of ``choices``,
#: ``boolean``/``integer``/``number`` as JSON, ``json`` a JSON value (lists, tables,
#: mixed types; text that is not JSON is taken as text).
SettingKind = Literal["text", "choice", "boolean", "integer", "number", "json"]


@dataclass(frozen=True)
class SettingField:
    """One top-level setting of a converter, as a form shows it."""

    name: str
    kind: SettingKind
    title: str
    description: str = ""
    required: bool = False
    has_default: bool = False
    #: The default, JSON-ready (``None`` also when there is none: see ``has_default``).
    default: Any = None
    choices: tuple[str, ...] = ()
    #: Whether ``null`` (no value) is allowed.
    nullable: bool = False

    def as_text(self, value: Any) -> str:
        """``value`` as it is typed into this field (the inverse of :meth:`parse`)."""
        if value is None:
            return ""
        if self.kind in ("text", "choice") and isinstance(value, str):
            return value
        if self.kind == "json" and isinstance(value, str):
            try:
                json.loads(value)
            except ValueError:
                return value  # text that is not JSON reads back as that text
        return json.dumps(value, ensure_ascii=False, default=str)  # TOML dates: as text

    @property
    def default_text(self) -> str:
        """The default as text ("" when there is none)."""
        return self.as_text(self.default) if self.has_default else ""

    def parse(self, text: str) -> Any:
        """The value ``text`` stands for: text fields as they are, the others as JSON
        where it parses, else as text (the converter's model then says what is wrong)."""
        if self.kind in ("text", "choice"):
            return text
        return _json_or_text(text)


def _json_or_text(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def _types(spec: Mapping[str, Any]) -> set[str]:
    options = spec.get("anyOf")
    if isinstance(options, list):
        found: set[str] = set()
        for option in options:
            found |= _types(option) if isinstance(option, dict) else {"?"}
        return found
    if "enum" in spec:
        return {"enum"}
    kind = spec.get("type")
    if isinstance(kind, str):
        return {kind}
    return {"?"}  # a $ref (nested model) or anything else: typed as JSON


def _choices(spec: Mapping[str, Any]) -> tuple[str, ...]:
    for option in [spec, *(spec.get("anyOf") or [])]:
        values = option.get("enum") if isinstance(option, dict) else None
        if isinstance(values, list) and all(isinstance(v, str) for v in values):
            return tuple(values)
    return ()


def _kind(spec: Mapping[str, Any]) -> SettingKind:
    types = _types(spec) - {"null"}
    if types == {"string"}:
        return "text"
    if types == {"enum"} and _choices(spec):
        return "choice"
    if types == {"boolean"}:
        return "boolean"
    if types == {"integer"}:
        return "integer"
    if types in ({"number"}, {"integer", "number"}):
        return "number"
    return "json"


def setting_fields(schema: Mapping[str, Any]) -> list[SettingField]:
    """The top-level settings of a parameters JSON schema, in declaration order."""
    properties: Mapping[str, Any] = schema.get("properties") or {}
    required = set(schema.get("required") or ())
    fields = []
    for name, spec in properties.items():
        if not isinstance(spec, dict):
            continue
        fields.append(
            SettingField(
                name=name,
                kind=_kind(spec),
                title=str(spec.get("title") or name),
                description=str(spec.get("description") or ""),
                required=name in required,
                has_default="default" in spec,
                default=spec.get("default"),
                choices=_choices(spec),
                nullable="null" in _types(spec),
            )
        )
    return fields


def settings_from_text(schema: Mapping[str, Any], raw: Mapping[str, str]) -> dict[str, Any]:
    """Typed-in settings (``key -> text``) as the values ``schema`` wants.

    Text settings stay text; the others are read as JSON where it parses, else kept as
    text. Keys the schema does not know are read the same way; the converter's model
    refuses them by name when it validates.
    """
    fields = {f.name: f for f in setting_fields(schema)}
    values: dict[str, Any] = {}
    for key, text in raw.items():
        known = fields.get(key)
        values[key] = known.parse(text) if known is not None else _json_or_text(text)
    return values
