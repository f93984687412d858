"""A converter's settings as typed-in fields: read from the JSON schema a worker reports."""

from __future__ import annotations

from typing import Literal

import pytest

from pywats_converters import (
    ConversionContext,
    Converter,
    ConverterParameters,
    Field,
    Report,
    SettingsError,
    SourceFile,
)
from pywats_converters.runner import SettingField, setting_fields, settings_from_text
from pywats_converters.standard._atml import AtmlConverter


class _Limits(ConverterParameters):
    low: float | None = None


class _Settings(ConverterParameters):
    delimiter: str = Field(",", min_length=1, max_length=1)
    """The one character between fields."""
    part_number: str | None = None
    layout: Literal["rows", "columns"] = "rows"
    has_header: bool = True
    skip_lines: int = Field(0, ge=0)
    scale: float = 1.0
    operation: str | int | None = None
    encodings: tuple[str, ...] = ("utf-8",)
    limits: _Limits = _Limits()
    required_column: str


SCHEMA = _Settings.model_json_schema()


def _fields() -> dict[str, SettingField]:
    return {f.name: f for f in setting_fields(SCHEMA)}


def test_each_setting_gets_the_kind_it_is_typed_in_as() -> None:
    kinds = {name: f.kind for name, f in _fields().items()}
    assert kinds == {
        "delimiter": "text",
        "part_number": "text",
        "layout": "choice",
        "has_header": "boolean",
        "skip_lines": "integer",
        "scale": "number",
        "operation": "json",
        "encodings": "json",
        "limits": "json",
        "required_column": "text",
    }
    assert list(kinds) == list(_Settings.model_fields)  # declaration order


def test_fields_carry_defaults_choices_descriptions_and_requiredness() -> None:
    fields = _fields()
    assert fields["delimiter"].description == "The one character between fields."
    assert (fields["delimiter"].has_default, fields["delimiter"].default) == (True, ",")
    assert fields["layout"].choices == ("rows", "columns")
    assert fields["part_number"].nullable
    assert not fields["delimiter"].nullable
    assert fields["required_column"].required
    assert not fields["required_column"].has_default
    assert fields["encodings"].default_text == '["utf-8"]'
    assert fields["has_header"].default_text == "true"
    assert fields["required_column"].default_text == ""


def test_typed_in_text_becomes_the_values_the_model_wants() -> None:
    values = settings_from_text(
        SCHEMA,
        {
            "delimiter": ";",
            "part_number": "123",  # text stays text, even when it looks like a number
            "has_header": "false",
            "skip_lines": "2",
            "scale": "0.5",
            "operation": "ICT",  # not JSON: taken as text
            "encodings": '["cp1252", "utf-8"]',
            "limits": '{"low": 1.5}',
            "unknown": "7",
        },
    )
    assert values == {
        "delimiter": ";",
        "part_number": "123",
        "has_header": False,
        "skip_lines": 2,
        "scale": 0.5,
        "operation": "ICT",
        "encodings": ["cp1252", "utf-8"],
        "limits": {"low": 1.5},
        "unknown": 7,
    }
    assert settings_from_text(SCHEMA, {"operation": "60"}) == {"operation": 60}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("delimiter", ";"),
        ("layout", "columns"),
        ("has_header", False),
        ("skip_lines", 3),
        ("operation", 60),
        ("operation", "ICT"),
        ("encodings", ["a", "b"]),
        ("limits", {"low": 2.0}),
    ],
)
def test_a_value_shown_in_a_field_reads_back_as_itself(name: str, value: object) -> None:
    field = _fields()[name]
    assert field.parse(field.as_text(value)) == value


def test_bad_typed_in_values_are_refused_by_the_model_naming_each_key() -> None:
    class Example(Converter[_Settings]):
        name = "example"

        def convert(self, source: SourceFile, context: ConversionContext) -> list[Report]:
            return []

    values = settings_from_text(
        SCHEMA, {"required_column": "SN", "skip_lines": "-1", "has_header": "maybe"}
    )
    with pytest.raises(SettingsError) as refused:
        Example.configure(values)
    problems = refused.value.problems
    assert sorted(p.split(":")[0] for p in problems) == ["has_header", "skip_lines"]


def test_the_standard_converters_describe_their_settings() -> None:
    fields = {f.name: f for f in setting_fields(AtmlConverter.parameters_model.model_json_schema())}
    assert fields["part_number_source"].choices == ("identification", "model_name")
    assert fields["default_part_number"].description
    assert all(f.description for f in fields.values())


class _Inner(ConverterParameters):
    x: int


class _Nested(ConverterParameters):
    inner: _Inner = _Inner(x=1)
    operation: str | int | None = None
    needed: str


class _NestedConverter(Converter[_Nested]):
    name = "nested"

    def convert(self, source: SourceFile, context: ConversionContext) -> list[Report]:
        return []


def test_a_value_that_fits_no_member_of_a_union_is_one_problem_naming_the_key() -> None:
    with pytest.raises(SettingsError) as refused:
        _NestedConverter.configure({"needed": "a", "operation": [60]})
    assert refused.value.problems == [
        "operation: Input should be a valid string; or Input should be a valid integer"
    ]


def test_nested_and_missing_settings_are_named_by_their_full_key() -> None:
    with pytest.raises(SettingsError) as refused:
        _NestedConverter.configure({"inner": {}})
    assert refused.value.problems == ["inner.x: Field required", "needed: Field required"]
