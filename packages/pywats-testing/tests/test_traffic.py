"""The traffic log: every /api request with the status it got, over real loopback HTTP."""

from __future__ import annotations

import httpx
import pytest

from pywats_testing import FakeWatsServer

VERSION = "GET /api/App/Version"


def _get(fake: FakeWatsServer, token: str) -> int | None:
    try:
        return httpx.get(
            f"{fake.url}/api/App/Version", headers={"Authorization": f"Basic {token}"}, timeout=10
        ).status_code
    except httpx.TransportError:
        return None


def test_each_answer_is_counted_by_route_and_status(fake_wats: FakeWatsServer) -> None:
    fake_wats.fail(VERSION, status=503)
    fake_wats.reset_before(VERSION)
    seen = [_get(fake_wats, fake_wats.token), _get(fake_wats, fake_wats.token)]
    seen += [_get(fake_wats, "wrong"), _get(fake_wats, fake_wats.token)]
    assert seen == [503, None, 401, 200]
    assert fake_wats.answer_count(VERSION, 503) == 1
    assert fake_wats.answer_count(VERSION, 401) == 1
    assert fake_wats.answer_count(VERSION, 200) == 1
    assert [a.status for a in fake_wats.answers(VERSION)] == [503, None, 401, 200]
    assert fake_wats.answer_count(VERSION, None) == 1  # the reset: no answer
    assert fake_wats.answer_count("POST /api/Report/WSJF") == 0
    admin = httpx.get(f"{fake_wats.url}/_fake/stats", timeout=10)
    assert admin.status_code == 200
    assert fake_wats.answer_count() == 4  # admin routes are not traffic


def test_the_busiest_second_counts_a_burst() -> None:
    with FakeWatsServer(path_prefix="/wats") as fake:
        for _ in range(5):
            assert _get(fake, fake.token) == 200
        assert fake.busiest_second(VERSION) == 5
        assert fake.answers(VERSION)[0].path == "/api/app/version"  # prefix taken off
        fake.clear()
        assert fake.answer_count() == 0


@pytest.mark.parametrize(
    ("times", "expected"), [([], 0), ([0.0, 0.5, 0.99, 1.0, 1.5], 3), ([0.0, 2.0], 1)]
)
def test_busiest_window_arithmetic(times: list[float], expected: int) -> None:
    from pywats_testing._traffic import TrafficLog

    assert TrafficLog.busiest(times) == expected
