"""Fixtures shared by the pywats-queue tests: a fresh queue URL for each backend."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

BACKENDS = ("file", "sqlite")


def make_url(backend: str, directory: Path, name: str = "q") -> str:
    if backend == "file":
        return f"file://{directory / name}"
    return f"sqlite://{directory / (name + '.db')}"


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def url_for(tmp_path: Path) -> Callable[[str, str], str]:
    """``url_for(backend, name)``: a URL for a new queue under the test's tmp dir."""

    def build(backend: str, name: str = "q") -> str:
        return make_url(backend, tmp_path, name)

    return build


@pytest.fixture
def queue_url(backend: str, tmp_path: Path) -> str:
    return make_url(backend, tmp_path)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
