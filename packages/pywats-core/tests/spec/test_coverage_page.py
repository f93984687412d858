"""docs/api-coverage.md is the table tools/api_coverage.py writes from the code today."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[4]


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "api_coverage", ROOT / "tools" / "api_coverage.py"
    )
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_coverage_page_is_current() -> None:
    tool = _tool()
    committed = (ROOT / "docs" / "api-coverage.md").read_text(encoding="utf-8")
    assert committed == tool.render(), "run: python tools/api_coverage.py"


def test_the_coverage_page_lists_every_operation_with_a_method() -> None:
    text = _tool().render()
    rows = [line for line in text.splitlines() if line.startswith("| ") and "`/api/" in line]
    public = [row for row in rows if "`/api/internal/" not in row]
    assert len(public) == 126
    assert len(rows) - len(public) == 7
    assert all("`wats." in row for row in rows)
    assert "**126 of 126 operations covered.**" in text
    assert "serves 126 of them" in text
    assert all(row.endswith("| yes |") for row in public)
