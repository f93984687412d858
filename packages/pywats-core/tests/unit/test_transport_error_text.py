"""A transport error without text still says what happened."""

from __future__ import annotations

import httpx
import pytest

import pywats


def _raise_blank(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadError("")  # what httpx raises when the peer resets the connection


def test_a_blank_transport_error_is_named_by_its_type() -> None:
    with (
        pywats.WATS(
            "http://wats.test", "dG9rZW4=", transport=httpx.MockTransport(_raise_blank)
        ) as wats,
        pytest.raises(pywats.ConnectionError) as caught,
    ):
        wats.app.version()
    assert str(caught.value).endswith(": ReadError")
    assert not str(caught.value).rstrip().endswith(":")
