"""Isolated virtual environments for the peers we compare against.

A peer such as the published ``pywats-api`` uses the same import name (``pywats``) as
our package, so it can never share an environment with us: each peer gets its own
venv under ``.nox/bench-peers/`` and runs in a subprocess.
"""

from __future__ import annotations

import os
import subprocess
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PEERS = ROOT / ".nox" / "bench-peers"


def peer_python(name: str, requirements: list[str]) -> Path:
    """Return the interpreter of a venv holding ``requirements`` (created once)."""
    env_dir = PEERS / name
    scripts = "Scripts" if os.name == "nt" else "bin"
    python = env_dir / scripts / ("python.exe" if os.name == "nt" else "python")
    stamp = env_dir / "requirements.txt"
    wanted = "\n".join(requirements)
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return python
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    subprocess.run([str(python), "-m", "pip", "install", "-q", *requirements], check=True)
    stamp.write_text(wanted)
    return python
