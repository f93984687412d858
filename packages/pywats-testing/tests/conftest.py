"""Fixtures for the fake server's own tests.

The ``fake_wats`` fixture itself comes from this package's pytest plugin (entry point
``pytest11``), so every test that uses it also proves the plugin is registered.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from pywats_testing import FakeWatsServer


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def api(fake_wats: FakeWatsServer) -> httpx.Client:
    """Plain httpx against the fake, authenticated with its API token."""
    with httpx.Client(
        base_url=fake_wats.url,
        headers={"Authorization": f"Basic {fake_wats.token}"},
        timeout=10.0,
    ) as client:
        yield client  # type: ignore[misc]


@pytest.fixture(scope="session")
def examples(reference_dir: Path) -> Path:
    return reference_dir / "olreppe-pyWATS"


@pytest.fixture
def make_report() -> Callable[..., dict[str, Any]]:
    """A small valid WSJF UUT report (id, sn and result may be overridden)."""

    def make(**overrides: Any) -> dict[str, Any]:
        report: dict[str, Any] = {
            "type": "T",
            "id": "0b6a4f4e-8a8e-4f57-9d0e-3f1d2a7c9b01",
            "pn": "PN-1",
            "sn": "SN-1",
            "rev": "A",
            "processCode": 10,
            "result": "P",
            "machineName": "station-1",
            "location": "lab",
            "purpose": "test",
            "start": "2026-01-30T22:01:41.47+01:00",
            "startUTC": "2026-01-30T21:01:41.47Z",
            "uut": {"user": "operator", "execTime": 1.5},
            "root": {
                "id": 1,
                "group": "M",
                "stepType": "SequenceCall",
                "name": "MainSequence Callback",
                "status": "P",
                "seqCall": {"path": "main.seq", "name": "MainSequence", "version": "1.0"},
                "steps": [
                    {
                        "id": 2,
                        "group": "M",
                        "stepType": "ET_NLT",
                        "name": "Voltage",
                        "status": "P",
                        "numericMeas": [
                            {
                                "name": None,
                                "status": "P",
                                "value": 5.0,
                                "unit": "V",
                                "compOp": "GELE",
                                "lowLimit": 4.9,
                                "highLimit": 5.1,
                            }
                        ],
                    }
                ],
            },
        }
        report.update(overrides)
        return report

    return make
