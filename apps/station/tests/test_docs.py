"""Every Python example in docs/station.md runs and prints what the page says."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[3] / "docs" / "station.md"
# A Python block, optionally followed by "prints" and the expected output block.
EXAMPLES = re.findall(
    r"```python\n(.*?)```\n(?:\nprints\n\n```\n(.*?)```)?",
    DOC.read_text(encoding="utf-8"),
    re.DOTALL,
)


def test_the_page_has_examples_with_output() -> None:
    assert len(EXAMPLES) == 10
    assert all(expected for _, expected in EXAMPLES)


@pytest.mark.parametrize(
    ("code", "expected"), EXAMPLES, ids=[f"example{i}" for i in range(len(EXAMPLES))]
)
def test_example_prints_what_the_page_says(code: str, expected: str, tmp_path: Path) -> None:
    script = tmp_path / "example.py"
    script.write_text(code, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == expected
