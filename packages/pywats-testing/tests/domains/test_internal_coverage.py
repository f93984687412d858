"""Every method of ``wats.internal`` is exercised over loopback by the tests beside this
one (each of those runs sync and async through the ``run`` fixture), and the fake checks
internal requests against the internal spec."""

from __future__ import annotations

import inspect
from pathlib import Path

import httpx

import pywats
from pywats_testing import FakeWatsServer


def test_every_internal_method_is_called_by_a_loopback_test() -> None:
    here = Path(__file__).parent
    text = "".join(p.read_text(encoding="utf-8") for p in here.glob("test_internal_*.py"))
    internal = pywats.AsyncWATS("http://wats.invalid", "dA==").internal
    missing = []
    areas = [n for n, m in inspect.getmembers(type(internal)) if isinstance(m, property)]
    assert len(areas) == 8
    for area in areas:
        service = getattr(internal, area)
        for name, member in inspect.getmembers(type(service), callable):
            if getattr(member, "__wats_operation__", None) is None:
                continue
            if f"w.internal.{area}.{name}(" not in text:
                missing.append(f"{area}.{name}")
    assert not missing, f"internal methods no loopback test calls: {missing}"


def test_internal_requests_are_checked_against_the_internal_spec(
    contract_wats: FakeWatsServer,
) -> None:
    # olreppe/pyWATS once sent names the spec does not have; the fake refuses them.
    sent = httpx.get(
        f"{contract_wats.url}/api/internal/Production/GetUnitInfo",
        params={"serialNumber": "SN-1", "partNo": "PN-1"},
        headers={"Authorization": f"Basic {contract_wats.token}"},
    )
    assert sent.status_code == 400
    assert "query parameter 'partNo' is not in the spec" in sent.text
    assert "required query parameter 'partNumber' is missing" in sent.text
