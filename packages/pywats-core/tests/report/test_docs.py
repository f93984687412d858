"""Every example in docs/report-model.md runs as written and prints what it says."""

from __future__ import annotations

import contextlib
import io
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[4] / "docs" / "report-model.md"
BLOCK = re.compile(r"```(python|console)\n(.*?)```", re.S)


def _expected_output(code: str) -> list[str]:
    """The ``# ...`` lines right after the last ``print`` of a block (shown output)."""
    lines = code.rstrip("\n").split("\n")
    tail: list[str] = []
    for line in reversed(lines):
        if not line.startswith("# "):
            break
        tail.insert(0, line[2:])
    return tail


@pytest.mark.skipif(not DOC.exists(), reason="docs/ not present in this checkout")
def test_report_model_doc_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "doc_example"}
    blocks = BLOCK.findall(DOC.read_text(encoding="utf-8"))
    kinds = [kind for kind, _ in blocks]
    assert kinds.count("python") >= 6
    assert "console" in kinds
    for kind, code in blocks:
        if kind == "python":
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                exec(compile(code, str(DOC), "exec"), namespace)  # noqa: S102 - our own docs
            shown = _expected_output(code)
            if shown:
                # printed output, rewrapped in the doc: compare without line breaks
                assert " ".join(out.getvalue().split()) == " ".join(" ".join(shown).split())
            continue
        _run_console(code)


def _run_console(code: str) -> None:
    lines = code.rstrip("\n").split("\n")
    index = 0
    while index < len(lines):
        command = lines[index]
        assert command.startswith("$ pywats "), command
        expected: list[str] = []
        index += 1
        while index < len(lines) and not lines[index].startswith("$ "):
            expected.append(lines[index])
            index += 1
        args = shlex.split(command[len("$ pywats ") :])
        result = subprocess.run(
            [sys.executable, "-m", "pywats._cli", *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.stderr == ""
        assert result.stdout.splitlines() == expected, command
