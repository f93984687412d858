"""Run nox on a machine that has only Python 3.10+.

Creates ``.venv-nox/`` in the repository (once), installs nox and uv into it, and
hands every argument to nox: ``python3 tools/run_nox.py -s tests``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv-nox"
NOX_REQUIREMENT = "nox[uv]>=2024.10.9"


def _venv_bin(name: str) -> Path:
    scripts = "Scripts" if os.name == "nt" else "bin"
    suffix = ".exe" if os.name == "nt" else ""
    return VENV / scripts / f"{name}{suffix}"


def main() -> int:
    if sys.version_info < (3, 10):  # noqa: UP036  # a clear message for old interpreters
        print("pyWATS needs Python 3.10 or newer", file=sys.stderr)
        return 2
    nox_bin = _venv_bin("nox")
    if not nox_bin.exists():
        print(f"run_nox: creating {VENV.name}/ with nox (first run only)", file=sys.stderr)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
        subprocess.run(
            [str(_venv_bin("python")), "-m", "pip", "install", "-q", NOX_REQUIREMENT],
            check=True,
        )
    os.chdir(ROOT)
    # nox finds uv beside itself in the same environment.
    env = dict(os.environ)
    env["PATH"] = str(nox_bin.parent) + os.pathsep + env.get("PATH", "")
    nox = subprocess.Popen([str(nox_bin), *sys.argv[1:]], env=env)
    while True:
        try:
            return nox.wait()
        except KeyboardInterrupt:
            # Ctrl-C in a terminal reaches nox and its session too: let them stop in
            # their own time and report, rather than killing nox and printing a traceback.
            continue


if __name__ == "__main__":
    sys.exit(main())
