"""Each standard converter is an entry point of pywats-converters, under its own name."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from pywats_converters import ENTRY_POINT_GROUP, Converter

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 (the tests session installs tomli there)
    import tomli as tomllib

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
STANDARD = {"atml", "teststand-xml", "wstf", "wrml", "csv"}


def _entry_points() -> dict[str, str]:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    return dict(project["entry-points"][ENTRY_POINT_GROUP])


def test_every_standard_converter_is_registered() -> None:
    assert set(_entry_points()) >= STANDARD


@pytest.mark.parametrize("name", sorted(STANDARD))
def test_each_entry_point_loads_the_converter_of_that_name(name: str) -> None:
    module, _, attribute = _entry_points()[name].partition(":")
    converter = getattr(importlib.import_module(module), attribute)
    assert issubclass(converter, Converter)
    assert converter.name == name
    assert converter.patterns
    assert converter.description
    converter.configure({})  # the defaults validate
