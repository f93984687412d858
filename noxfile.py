"""Every project task is a nox session: tests, lint, typecheck, codegen, bench, demo.

Run them through ``python3 tools/run_nox.py -s NAME`` on a fresh machine (it installs nox
first) or with ``nox -s NAME`` where nox is already installed.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import nox

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

nox.options.default_venv_backend = "uv|venv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["lint", "typecheck", "codegen", "deps", "tests"]

ROOT = Path(__file__).parent
# Pinned so that formatting of the generated sync code is reproducible.
RUFF = "ruff==0.17.6"
MYPY = "mypy==2.4.1"
UNASYNC = "unasync==0.6.0"
# Pinned so that the models generated from the WATS spec are reproducible.
DATAMODEL_CODEGEN = "datamodel-code-generator==0.97.0"
TOKENIZE_RT = "tokenize-rt>=5"  # tools/codegen.py reads tokens with it (beside unasync)
DEPTRY = "deptry>=0.23"
CODEGEN_DEPS = [UNASYNC, TOKENIZE_RT, RUFF]
TEST_DEPS = [
    "pytest>=8",
    "pytest-timeout>=2.3",
    # The whole suite runs on two workers: most tests wait on processes and sockets.
    "pytest-xdist>=3.6",
    "hypothesis>=6.100",
    "anyio>=4.3",
    "jsonschema>=4.21",
    # The console's browser tests: the driver only; the browser is Debian's chromium.
    "playwright>=1.45",
    # The root conftest.py reads the packages' declared dependencies with these.
    "packaging>=24",
    "tomli>=2; python_version < '3.11'",
    # tools/codegen.py runs inside the tests (the drift check must bite).
    UNASYNC,
    TOKENIZE_RT,
    RUFF,
]
# The whole suite: two workers (each test file stays on one, so module fixtures are made
# once), and the slowest tests printed so a run that nears CI's time budget says why.
FULL_RUN = ["-n", "2", "--dist", "loadfile", "--durations=30"]
# Branch coverage of the whole suite, subprocesses included ([tool.coverage] in pyproject).
COVERAGE = "coverage[toml]>=7.10"
# Stub and plugin packages mypy needs to see the packages' dependencies.
# tomli: mypy checks for Python 3.10, where the station reads TOML with it.
TYPECHECK_DEPS = [
    MYPY,
    "pytest>=8",
    "hypothesis>=6.100",
    "tomli>=2",
    "types-defusedxml",
    "types-jsonschema",
]


def _workspace_packages() -> list[str]:
    """Every package in the monorepo, as editable install arguments.

    They are installed in one resolver run, so local packages satisfy each other's
    requirements instead of being fetched from PyPI.
    """
    args: list[str] = []
    for parent in ("packages", "apps"):
        for pyproject in sorted((ROOT / parent).glob("*/pyproject.toml")):
            args += ["-e", str(pyproject.parent)]
    return args


def _reference_env() -> dict[str, str]:
    ref = os.environ.get("PYWATS_REFERENCE_DIR", str(ROOT.parent / "shared" / "reference"))
    return {"PYWATS_REFERENCE_DIR": ref}


@nox.session
def tests(session: nox.Session) -> None:
    """Run the whole test suite (unit, loopback HTTP, crash, browser).

    The whole suite runs under coverage.py and ends with branch coverage per package,
    checked against the floors in pyproject.toml; a selection (``-- PATHS`` or ``-k``)
    runs plain pytest.
    """
    session.install(*_workspace_packages(), *TEST_DEPS, COVERAGE)
    if session.posargs:
        session.run("pytest", *session.posargs, env=_reference_env())
        return
    # Subprocesses (station, fake server, CLIs) write their data beside the suite's.
    env = {**_reference_env(), "COVERAGE_FILE": str(ROOT / ".coverage")}
    session.run("coverage", "erase", env=env)
    # The slowest tests are printed so a CI run that nears its time budget says why.
    session.run("coverage", "run", "-m", "pytest", *FULL_RUN, env=env)
    session.run("coverage", "combine", "--quiet", env=env)
    session.run("python", "tools/coverage_floors.py", env=env)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check over the whole repository."""
    session.install(RUFF)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict over every package's source."""
    session.install(*_workspace_packages(), *TYPECHECK_DEPS)
    session.run("mypy")


@nox.session
def deps(session: nox.Session) -> None:
    """deptry on each package: every third-party import declared, nothing declared unused."""
    session.install(*_workspace_packages(), *CODEGEN_DEPS, DEPTRY)
    projects = [Path(arg) for arg in _workspace_packages()[1::2]]
    # Editable installs hide which module a workspace distribution provides: say it.
    names = {
        project: tomllib.loads((project / "pyproject.toml").read_text())["project"]["name"]
        for project in projects
    }
    modules = ",".join(
        f"{names[p]}={'|'.join(sorted(i.parent.name for i in (p / 'src').glob('*/__init__.py')))}"
        for p in projects
    )
    for project in projects:
        session.chdir(project)
        session.run("deptry", "src", "--no-ansi", "--package-module-name-map", modules)
    # tools/codegen.py runs in the codegen session on CODEGEN_DEPS alone. deptry scans a
    # directory (and skips what .gitignore names): give it one outside the repository
    # holding that script and its requirements.
    with tempfile.TemporaryDirectory(prefix="pywats-codegen-deps-") as scan:
        shutil.copy(ROOT / "tools" / "codegen.py", scan)
        (Path(scan) / "requirements.txt").write_text("\n".join(CODEGEN_DEPS) + "\n")
        session.chdir(scan)
        # ruff runs as a command (python -m ruff), never imported.
        session.run("deptry", ".", "--no-ansi", "--per-rule-ignores", "DEP002=ruff")
        session.chdir(ROOT)


@nox.session
def codegen(session: nox.Session) -> None:
    """Regenerate the sync API from the async source; ``-- --check`` fails on any drift."""
    session.install(*CODEGEN_DEPS)
    session.run("python", "tools/codegen.py", *session.posargs)


@nox.session
def apigen(session: nox.Session) -> None:
    """Regenerate pywats's models and operation table from the WATS spec; ``-- --check``
    fails on any drift."""
    session.install(DATAMODEL_CODEGEN, RUFF)
    session.run("python", "tools/apigen.py", *session.posargs, env=_reference_env())


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks, side by side with their peers in the same run; prints JSON."""
    # httptools and uvloop keep the loopback benchmark server from being the bottleneck.
    session.install(
        *_workspace_packages(), "uvicorn>=0.30", "httptools", "uvloop", "persist-queue>=1.0"
    )
    session.run("python", "tools/bench/run.py", *session.posargs, env=_reference_env())


@nox.session
def demo(session: nox.Session) -> None:
    """The main job on an embedded default: a station and the client on a local fake WATS."""
    session.install(*_workspace_packages())
    # Ctrl-C stops the demo: give its station time to finish the upload in flight (nox
    # would otherwise terminate it 0.3 s after the interrupt).
    session.run(
        "python", "tools/demo.py", *session.posargs, env=_reference_env(), interrupt_timeout=90
    )


@nox.session
def screenshots(session: nox.Session) -> None:
    """Screenshots of each console page at 1280x800 into screenshots/ (git-ignored)."""
    session.install(*_workspace_packages(), "playwright>=1.45")
    session.run("python", "tools/console_screenshots.py", *session.posargs)


@nox.session
def fake(session: nox.Session) -> None:
    """Run the fake WATS server in the foreground: ``-s fake -- --port 8086 --token T``."""
    session.install(*_workspace_packages())
    session.run("python", "-m", "pywats_testing", "serve", *session.posargs)
