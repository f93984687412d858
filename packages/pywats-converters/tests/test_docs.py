"""The examples in docs/converters.md run as written, and print what their comments say."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

DOC = Path(__file__).resolve().parents[3] / "docs" / "converters.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
# A block whose first line is "# name.py" is a module the other blocks import.
FILE_LINE = re.compile(r"^# (\w+\.py)\n")
PRINTED = re.compile(r"^\s*print\(.*\)  # (.+)$", re.M)


def test_the_examples_run_in_order(tmp_path: Path) -> None:
    scripts = []
    for block in BLOCKS:
        named = FILE_LINE.match(block)
        if named:
            (tmp_path / named.group(1)).write_text(block, encoding="utf-8")
        else:
            scripts.append(block)
    assert (tmp_path / "acme_tester.py").exists()
    assert len(scripts) >= 2
    for script in scripts:
        done = subprocess.run(
            [sys.executable, "-c", script],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, f"{script}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
        for expected in PRINTED.findall(script):
            assert expected in done.stdout, f"{expected!r} not printed; stdout:\n{done.stdout}"
