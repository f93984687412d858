"""A path value equal to a sibling literal route is refused before sending: the server
would answer that other operation (ASP.NET prefers literal routes)."""

from __future__ import annotations

import httpx
import pytest

import pywats


def _client(sent: list[httpx.Request]) -> pywats.WATS:
    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={})

    return pywats.WATS("http://wats.invalid", "dA==", transport=httpx.MockTransport(record))


@pytest.mark.parametrize(
    ("call", "word"),
    [
        (lambda w: w.product.get("query"), "Query"),
        (lambda w: w.asset.get("Log"), "Log"),
        (lambda w: w.asset.get_by_serial_number("TYPES"), "Types"),
        (lambda w: w.export.download("List"), "List"),
    ],
)
def test_a_shadowed_path_value_is_refused_unsent(call: object, word: str) -> None:
    sent: list[httpx.Request] = []
    with _client(sent) as wats, pytest.raises(ValueError, match="cannot be sent in the route"):
        call(wats)  # type: ignore[operator]
    assert sent == []


def test_an_ordinary_value_goes_out_encoded() -> None:
    sent: list[httpx.Request] = []
    with _client(sent) as wats:
        wats.export.download("certificates 1.zip")
    assert sent[0].url.raw_path == b"/api/Export/certificates%201.zip"
