"""Every example in docs/converters-standard.md runs as written and prints what it says."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[4] / "docs" / "converters-standard.md"
BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def _shown(code: str) -> list[str]:
    """The ``# ...`` lines that end a block: the output it prints."""
    tail: list[str] = []
    for line in reversed(code.rstrip("\n").split("\n")):
        if not line.startswith("# "):
            break
        tail.insert(0, line[2:])
    return tail


@pytest.mark.skipif(not DOC.exists(), reason="docs/ not present in this checkout")
def test_standard_converter_doc_examples_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "doc_example"}
    blocks = BLOCK.findall(DOC.read_text(encoding="utf-8"))
    assert len(blocks) >= 2
    for code in blocks:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, str(DOC), "exec"), namespace)  # noqa: S102 - our own docs
        shown = _shown(code)
        assert shown, "every example shows its output"
        assert out.getvalue().splitlines() == shown
