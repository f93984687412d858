"""Repository-wide pytest configuration: reference files, the random seed, strict imports.

Reference files (real WATS exports, Swagger specs, converter inputs) live outside the
repository, in ``$PYWATS_REFERENCE_DIR`` (default ``../shared/reference``). Tests reach
them only through the fixtures and marker below, which skip with a clear reason when the
directory is absent. CI always has them.

* ``reference_dir`` fixture: the directory as a ``Path`` (skips when absent).
* ``@pytest.mark.reference_files("glob", ...)`` with a ``reference_file`` argument:
  the test runs once per matching file, so files dropped there later are covered
  automatically.
* ``random_seed`` fixture: the run's seed, from ``$PYWATS_TEST_SEED`` or drawn at random.
  It is printed in the header and under every failure; Hypothesis runs on it too, so
  ``PYWATS_TEST_SEED=N`` replays a run's random choices.
* A skip because a declared dependency cannot be imported (``pytest.importorskip`` of it,
  or ``pytest.skip`` while its ``ImportError`` is being handled) is a failure: a broken
  install must not pass as a skipped test. "Declared" means a workspace package or a
  dependency one of their pyproject.toml files lists.
"""

from __future__ import annotations

import functools
import os
import random
import re
import sys
from collections.abc import Generator
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

_ROOT = Path(__file__).resolve().parent
_DEFAULT = _ROOT.parent / "shared" / "reference"
SEED_VARIABLE = "PYWATS_TEST_SEED"
_SEED = int(os.environ.get(SEED_VARIABLE) or random.randrange(2**32))
_REPLAY = f"{SEED_VARIABLE}={_SEED} replays this run's random choices"
# Test workers (pytest-xdist) and the processes tests start inherit the one seed, so every
# worker collects the same tests and one number replays the whole run.
os.environ[SEED_VARIABLE] = str(_SEED)


def _reference_root() -> Path:
    return Path(os.environ.get("PYWATS_REFERENCE_DIR", str(_DEFAULT)))


@pytest.hookimpl(tryfirst=True)  # before Hypothesis' plugin reads its seed option
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "reference_files(*globs): parametrize `reference_file` over matching reference files",
    )
    if getattr(config.option, "hypothesis_seed", "absent") is None:
        config.option.hypothesis_seed = str(_SEED)


def pytest_report_header(config: pytest.Config) -> str:
    return f"random seed: {_SEED} ({_REPLAY})"


@pytest.fixture(scope="session")
def random_seed() -> int:
    """The run's seed: give it to every random choice a test makes."""
    return _SEED


# -- strict imports ----------------------------------------------------------------------
def workspace_pyprojects() -> list[Path]:
    return sorted([*_ROOT.glob("packages/*/pyproject.toml"), *_ROOT.glob("apps/*/pyproject.toml")])


@functools.cache
def declared_modules() -> dict[str, str]:
    """Top-level module → the workspace package that declares it (itself, or a dependency
    its pyproject.toml lists for this Python)."""
    providers: dict[str, list[str]] = {}
    for module, dists in packages_distributions().items():
        for dist in dists:
            providers.setdefault(canonicalize_name(dist), []).append(module)
    declared: dict[str, str] = {}
    for pyproject in workspace_pyprojects():
        project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
        for source in (pyproject.parent / "src").glob("*/__init__.py"):
            declared[source.parent.name] = project["name"]
        for line in project.get("dependencies", []):
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate():
                for module in providers.get(canonicalize_name(requirement.name), []):
                    declared.setdefault(module, project["name"])
    return declared


_COULD_NOT_IMPORT = re.compile(r"could not import '([\w.]+)'")


def _declared_import_behind(skip: BaseException | None, message: str) -> str | None:
    """The declared module whose failed import this skip hides, if any."""
    names = [m.group(1) for m in [_COULD_NOT_IMPORT.search(message)] if m]
    context = skip.__context__ if skip is not None else None
    if isinstance(context, ImportError) and context.name:
        names.append(context.name)
    for name in names:
        if name.split(".")[0] in declared_modules():
            return name
    return None


def _fail_instead(name: str, message: str) -> str:
    return (
        f"a declared dependency failed to import and the test skipped: {name!r} ({message})."
        " A broken install must fail; fix the import instead of skipping."
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.skipped and call.excinfo is not None:
        skip = call.excinfo.value
        name = _declared_import_behind(skip, str(skip))
        if name is not None:
            report.outcome = "failed"
            report.longrepr = _fail_instead(name, str(skip))
    if report.failed:
        report.sections.append(("random seed", _REPLAY))
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(
    collector: pytest.Collector,
) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    report = yield
    if report.skipped and isinstance(report.longrepr, tuple):
        message = str(report.longrepr[2])
        name = _declared_import_behind(None, message)
        if name is not None:
            report.outcome = "failed"
            report.longrepr = _fail_instead(name, message)
    return report


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    root = _reference_root()
    if not root.is_dir():
        pytest.skip(f"reference files not found at {root} (set PYWATS_REFERENCE_DIR)")
    return root


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    marker = metafunc.definition.get_closest_marker("reference_files")
    if marker is None or "reference_file" not in metafunc.fixturenames:
        return
    root = _reference_root()
    files = sorted({p for pattern in marker.args for p in root.glob(pattern) if p.is_file()})
    if not files:
        reason = (
            f"no reference files match {list(marker.args)} under {root}"
            if root.is_dir()
            else f"reference files not found at {root} (set PYWATS_REFERENCE_DIR)"
        )
        metafunc.parametrize(
            "reference_file", [pytest.param(None, marks=pytest.mark.skip(reason=reason))]
        )
        return
    metafunc.parametrize("reference_file", files, ids=[str(p.relative_to(root)) for p in files])


@pytest.fixture(scope="session")
def declared_dependencies() -> dict[str, str]:
    """Top-level module → the workspace package that declares it (see the module doc)."""
    return dict(declared_modules())
