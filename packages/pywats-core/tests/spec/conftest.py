"""Fixtures of the spec walk: the real specification, read from the reference files."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from _contract import INTERNAL_SPEC, SPEC, Spec


@pytest.fixture(scope="session")
def spec(reference_dir: Path) -> Spec:
    if not (reference_dir / SPEC).is_file():
        pytest.skip(f"{SPEC} is not in {reference_dir}")
    return Spec(reference_dir)


@pytest.fixture(scope="session")
def internal_spec(reference_dir: Path) -> Spec:
    if not (reference_dir / INTERNAL_SPEC).is_file():
        pytest.skip(f"{INTERNAL_SPEC} is not in {reference_dir}")
    return Spec(reference_dir, INTERNAL_SPEC)
