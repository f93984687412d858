"""A converter package written only against pywats_converters, in a fresh virtual environment.

Wheels of pywats-core, pywats-converters and two converter packages (``example_plugin``:
a working converter; ``legacy_plugin``: one for a future converter API and one whose import
fails) are built from this checkout and installed into a new environment with their
dependencies from the package index and nothing else. ``pywats-convert`` there lists and
runs them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
PACKAGES = HERE.parent.parent
BUILT = [
    PACKAGES / "pywats-core",
    PACKAGES / "pywats-converters",
    HERE / "example_plugin",
    HERE / "legacy_plugin",
]
# What may be installed: the four wheels and their dependencies from the index.
ALLOWED = {
    "pywats-core",
    "pywats-converters",
    "acme-converters",
    "legacy-converters",
    "annotated-types",
    "anyio",
    "certifi",
    "defusedxml",
    "exceptiongroup",
    "h11",
    "httpcore",
    "httpx",
    "idna",
    "pydantic",
    "pydantic-core",
    "sniffio",
    "typing-extensions",
    "typing-inspection",
}


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=900, check=False
    )


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


class Venv:
    def __init__(self, root: Path, env: dict[str, str]) -> None:
        self.root = root
        self.env = env
        self.bin = root / ("Scripts" if os.name == "nt" else "bin")

    def convert(self, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        return _run([str(self.bin / "pywats-convert"), *args], cwd, self.env)


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Venv:
    work = tmp_path_factory.mktemp("fresh")
    wheels = work / "wheels"
    env = _clean_env()
    uv = shutil.which("uv")
    root = work / "venv"
    if uv:
        for package in BUILT:
            built = _run(
                [uv, "build", "--wheel", "--out-dir", str(wheels), str(package)], work, env
            )
            assert built.returncode == 0, built.stderr
        made = _run([uv, "venv", "--python", sys.executable, str(root)], work, env)
        assert made.returncode == 0, made.stderr
        python = root / ("Scripts" if os.name == "nt" else "bin") / "python"
        install = [uv, "pip", "install", "--python", str(python)]
    else:
        made = _run([sys.executable, "-m", "venv", str(root)], work, env)
        assert made.returncode == 0, made.stderr
        python = root / ("Scripts" if os.name == "nt" else "bin") / "python"
        for package in BUILT:
            built = _run(
                [str(python), "-m", "pip", "wheel", "--no-deps", "-w", str(wheels), str(package)],
                work,
                env,
            )
            assert built.returncode == 0, built.stderr
        install = [str(python), "-m", "pip", "install"]
    installed = _run([*install, *map(str, sorted(wheels.glob("*.whl")))], work, env)
    assert installed.returncode == 0, installed.stderr
    return Venv(root, {**env, "VIRTUAL_ENV": str(root)})


def test_the_environment_holds_the_packages_and_their_dependencies_only(venv: Venv) -> None:
    listed = _run(
        [
            str(venv.bin / "python"),
            "-c",
            "import importlib.metadata as m, json;"
            "print(json.dumps(sorted(d.metadata['Name'].lower() for d in m.distributions())))",
        ],
        venv.root,
        venv.env,
    )
    names = {name.replace("_", "-") for name in json.loads(listed.stdout)} - {"pip", "setuptools"}
    assert {"pywats-converters", "acme-converters", "pywats-core"} <= names
    assert names <= ALLOWED, names - ALLOWED


def test_list_shows_every_converter_with_its_status(venv: Venv, tmp_path: Path) -> None:
    listed = venv.convert("--list", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    lines = {line.split()[0]: line for line in listed.stdout.splitlines()}
    assert {"acme-log", "broken", "future-api", "wsjf", "wsxf"} <= set(lines)
    assert "api 1  ok" in lines["acme-log"]
    assert "*.acme" in lines["acme-log"]
    assert "import failed" in lines["broken"]
    assert "No module named 'acme_vendor_sdk'" in lines["broken"]
    assert "incompatible" in lines["future-api"]
    assert (
        "written for converter API 2; this pywats-converters provides converter API 1"
        in (lines["future-api"])
    )


def test_the_package_converts_a_file(venv: Venv, tmp_path: Path) -> None:
    sample = tmp_path / "board.acme"
    shutil.copy(HERE / "example_plugin" / "sample.acme", sample)
    done = venv.convert(str(sample), "--set", "process=60", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert (report["sn"], report["pn"], report["processCode"]) == ("SN-0001", "PCBA-100", 60)
    assert "board.acme: 1 report(s) converted by 'acme-log'" in done.stderr


def test_broken_and_incompatible_converters_are_refused_with_a_clear_message(
    venv: Venv, tmp_path: Path
) -> None:
    sample = tmp_path / "board.acme"
    shutil.copy(HERE / "example_plugin" / "sample.acme", sample)
    refused = venv.convert(str(sample), "--converter", "future-api", cwd=tmp_path)
    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        "board.acme: converter 'future-api': incompatible converter API: converter "
        "'future-api' was written for converter API 2; this pywats-converters provides "
        "converter API 1"
    )
    broken = venv.convert(str(sample), "--converter", "broken", cwd=tmp_path)
    assert broken.returncode == 1
    assert broken.stderr.startswith("board.acme: converter 'broken': import failed: ")
    assert "Traceback" not in broken.stderr
    assert len(broken.stderr.strip().splitlines()) == 1
