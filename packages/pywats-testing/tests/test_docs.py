"""Every Python example in docs/fake-server.md runs as written."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[3] / "docs" / "fake-server.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)

# What each example must print (a fragment), in page order; pytest files are run by pytest.
EXPECTED = [
    "2026.1.5.324",
    "passed",
    "commits 1 replays 1",
    "429 30",
    "2 answered, 1 refused; busiest second: True",
]


def test_the_page_has_the_examples_we_check() -> None:
    assert len(BLOCKS) == len(EXPECTED)


@pytest.mark.parametrize(("index", "expected"), list(enumerate(EXPECTED)))
def test_example_runs(index: int, expected: str, tmp_path: Path) -> None:
    code = BLOCKS[index]
    first = code.splitlines()[0]
    if first.startswith("# test_"):
        path = tmp_path / first[2:].strip()
        path.write_text(code, encoding="utf-8")
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(path)]
    else:
        path = tmp_path / "example.py"
        path.write_text(code, encoding="utf-8")
        command = [sys.executable, str(path)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert expected in done.stdout, done.stdout
