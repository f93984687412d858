"""The codegen drift check bites: edited async source, stale sync files, unused rules."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[4]
CODEGEN = ROOT / "tools" / "codegen.py"
PACKAGE = ROOT / "packages" / "pywats-core" / "src" / "pywats"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    copy = tmp_path / "pywats"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def _check(package: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(CODEGEN), "--check", "--package", str(package)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_committed_tree_passes(tree: Path) -> None:
    result = _check(tree)
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout


def test_edited_async_file_fails(tree: Path) -> None:
    service = tree / "_async" / "app" / "_service.py"
    service.write_text(
        service.read_text().replace('"""The server\'s version', '"""The WATS server\'s version')
    )
    result = _check(tree)
    assert result.returncode == 1
    assert "_sync/app/_service.py differs" in result.stderr
    assert '+        """The WATS server\'s version' in result.stderr


def test_stale_sync_file_fails(tree: Path) -> None:
    (tree / "_sync" / "_leftover.py").write_text("x = 1\n")
    result = _check(tree)
    assert result.returncode == 1
    assert "stale file _sync/_leftover.py" in result.stderr


def test_missing_sync_file_fails(tree: Path) -> None:
    (tree / "_sync" / "_paging.py").unlink()
    result = _check(tree)
    assert result.returncode == 1
    assert "missing file _sync/_paging.py" in result.stderr


def _load_codegen(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, CODEGEN)
    assert spec
    assert spec.loader
    codegen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(codegen)
    return codegen


def test_rule_that_never_fires_fails(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    codegen = _load_codegen("codegen_under_test")
    assert codegen.check(tree) == []
    monkeypatch.setitem(codegen.RULES, "AsyncNeverWritten", "NeverWritten")
    problems = codegen.check(tree)
    assert problems == [
        "rule 'AsyncNeverWritten' -> 'NeverWritten' never fires in the async source"
    ]


def test_async_wording_left_in_a_docstring_fails(tree: Path) -> None:
    service = tree / "_async" / "app" / "_service.py"
    service.write_text(
        service.read_text().replace(
            '"""The server\'s version', '"""Await it inside ``async with``: the server\'s version'
        )
    )
    result = _check(tree)
    assert result.returncode == 1
    assert "async wording would reach the sync code's docstrings" in result.stderr
    assert "_service.py" in result.stderr
    assert "'Await'" in result.stderr


def test_prose_rule_that_never_fires_fails(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    codegen = _load_codegen("codegen_prose_under_test")
    monkeypatch.setitem(codegen.PROSE_RULES, "an async phrase never written", "x")
    assert codegen.check(tree) == [
        "prose rule 'an async phrase never written' never fires in the async source's"
        " docstrings or comments"
    ]
