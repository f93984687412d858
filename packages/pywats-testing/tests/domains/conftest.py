"""Domain tests: pywats's sync and async clients against the fake over loopback, with the
fake in contract mode (every request and reply checked against the WATS spec)."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import pywats
from pywats_testing import FakeWatsServer

SPEC = Path("olreppe-pyWATS") / "openapi" / "openapi_public_v3.json"


@pytest.fixture
def contract_wats(reference_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeWatsServer]:
    """A fake WATS server checking all traffic against the public spec."""
    spec = reference_dir / SPEC
    if not spec.is_file():
        pytest.skip(f"{SPEC} is not in {reference_dir}")
    monkeypatch.setenv("PYWATS_FAKE_SPEC", str(spec))
    with FakeWatsServer(seed=0) as server:
        assert server.app.contract is not None
        yield server


Run = Callable[[Callable[[Any], Any]], Any]


@pytest.fixture(params=["sync", "async"])
def run(request: pytest.FixtureRequest, contract_wats: FakeWatsServer) -> Run:
    """``run(lambda wats: wats.product.get("PN-1"))`` with ``WATS`` or ``AsyncWATS``.

    One client per call; paged results come back as lists."""

    def call(fn: Callable[[Any], Any]) -> Any:
        if request.param == "sync":
            with pywats.WATS(contract_wats.url, contract_wats.token) as wats:
                result = fn(wats)
                return list(result) if isinstance(result, pywats.PagedIterator) else result

        async def main() -> Any:
            async with pywats.AsyncWATS(contract_wats.url, contract_wats.token) as wats:
                result = fn(wats)
                if isinstance(result, pywats.AsyncPagedIterator):
                    return await result.collect()
                return await result if inspect.isawaitable(result) else result

        return asyncio.run(main())

    return call


Refused = Callable[[str, str, dict[str, str], Any, int, str], None]


@pytest.fixture
def refused(api: httpx.Client) -> Refused:
    """``refused(method, path, query, body, status, reason)``: the fake answers ``status``
    with ``reason`` in its text. A ``bytes`` body is sent as it is, anything else as JSON."""

    def check(
        method: str, path: str, query: dict[str, str], body: Any, status: int, reason: str
    ) -> None:
        if isinstance(body, bytes):
            answer = api.request(method, path, params=query, content=body)
        else:
            answer = api.request(method, path, params=query, json=body)
        assert answer.status_code == status, answer.text
        assert reason.lower() in answer.text.lower()

    return check
