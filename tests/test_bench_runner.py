"""`nox -s bench -- NAME` runs the named benchmarks only, and refuses a name it does not know."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_an_unknown_benchmark_name_is_refused_naming_the_known_ones() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "bench" / "run.py"), "intakee"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert "no benchmark named intakee (there are: " in done.stderr
    assert "intake" in done.stderr.split("there are:")[1]
    assert "running" not in done.stderr  # nothing was run
