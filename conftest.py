"""Repository-wide pytest configuration: access to the reference files.

Reference files (real WATS exports, Swagger specs, converter inputs) live outside the
repository, in ``$PYWATS_REFERENCE_DIR`` (default ``../shared/reference``). Tests reach
them only through the fixtures and marker below, which skip with a clear reason when the
directory is absent. CI always has them.

* ``reference_dir`` fixture: the directory as a ``Path`` (skips when absent).
* ``@pytest.mark.reference_files("glob", ...)`` with a ``reference_file`` argument:
  the test runs once per matching file, so files dropped there later are covered
  automatically.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

_DEFAULT = Path(__file__).resolve().parent.parent / "shared" / "reference"


def _reference_root() -> Path:
    return Path(os.environ.get("PYWATS_REFERENCE_DIR", str(_DEFAULT)))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "reference_files(*globs): parametrize `reference_file` over matching reference files",
    )


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
