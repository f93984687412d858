from __future__ import annotations

import base64
import logging
from typing import Any

import pytest

from pywats_station import (
    RegistrationError,
    Secret,
    ServerTooOldError,
    StationInfo,
    register_station,
)
from pywats_station._register import default_identifier

STATION = StationInfo(
    identifier="4C5F70D62FF4",
    name="ICT-07",
    location="Line 3",
    purpose="Production",
    utc_offset_hours=1.0,
)


@pytest.mark.anyio
async def test_register_with_a_token_then_verify(wats: Any) -> None:
    credentials, info = await register_station(
        wats.url + "/api/", STATION, registration_token=Secret(wats.registration_token)
    )
    assert credentials.server_url == wats.url
    assert credentials.identifier == "4C5F70D62FF4"
    assert credentials.passcode.reveal() == wats.passcodes["4C5F70D62FF4"]
    assert info["Version"] == "2026.1.5.324"

    register, server_info = wats.seen
    assert register.method == "POST"
    assert register.path == "/api/internal/Client/Register"
    assert register.authorization == f"Basic {wats.registration_token}"  # verbatim
    assert register.query == {
        "mac": "4C5F70D62FF4",
        "name": "ICT-07",
        "location": "Line 3",
        "purpose": "Production",
        "utcOffset": "1.0",
        "version": register.query["version"],
    }
    assert register.query["version"]
    assert server_info.path == "/api/internal/Client/ServerInfo"
    expected = base64.b64encode(f"4C5F70D62FF4:{credentials.passcode.reveal()}".encode())
    assert server_info.authorization == f"Basic {expected.decode()}"


@pytest.mark.anyio
async def test_register_with_user_and_password(wats: Any) -> None:
    credentials, _ = await register_station(
        wats.url,
        STATION,
        user="installer",
        password=Secret(wats.users["installer"]),
    )
    expected = base64.b64encode(f"installer:{wats.users['installer']}".encode()).decode()
    assert wats.seen[0].authorization == f"Basic {expected}"
    assert credentials.passcode.reveal() == wats.passcodes["4C5F70D62FF4"]


@pytest.mark.anyio
async def test_a_refused_token_is_explained_without_the_token(
    wats: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(RegistrationError) as info:
        await register_station(wats.url, STATION, registration_token=Secret("WrongTok-12345"))
    message = str(info.value)
    assert "registration failed: the registration token (or user name and password)" in message
    assert "Authorization has been denied" in message  # the server's own words
    for text in (message, repr(info.value), caplog.text):
        assert "WrongTok-12345" not in text
    assert info.value.__cause__ is None  # no chained exception carrying request details
    assert wats.passcodes == {}


@pytest.mark.anyio
async def test_an_unreachable_server_is_explained(free_url: str) -> None:
    with pytest.raises(RegistrationError, match="could not be reached"):
        await register_station(free_url, STATION, registration_token=Secret("tok-abcdef"))


@pytest.mark.anyio
async def test_a_server_error_is_explained(wats: Any) -> None:
    wats.fail_next(503, '{"Message": "maintenance"}')
    with pytest.raises(RegistrationError, match=r"HTTP 503\. Server said: maintenance"):
        await register_station(
            wats.url, STATION, registration_token=Secret(wats.registration_token)
        )


@pytest.mark.anyio
async def test_an_empty_passcode_is_refused(wats: Any) -> None:
    wats.fail_next(200, '""')
    with pytest.raises(RegistrationError, match="sent no passcode"):
        await register_station(
            wats.url, STATION, registration_token=Secret(wats.registration_token)
        )


@pytest.mark.anyio
async def test_a_server_older_than_2021_2_is_refused(wats: Any) -> None:
    wats.version = "2020.3.1.100"
    with pytest.raises(ServerTooOldError, match=r"runs WATS 2020\.3\.1\.100.*2021\.2 or newer"):
        await register_station(
            wats.url, STATION, registration_token=Secret(wats.registration_token)
        )


@pytest.mark.anyio
async def test_token_and_password_together_are_refused(wats: Any) -> None:
    with pytest.raises(ValueError, match="not both"):
        await register_station(
            wats.url,
            STATION,
            registration_token=Secret("tok-abcdef"),
            user="u",
            password=Secret("p-abcdef"),
        )
    with pytest.raises(ValueError, match="is required"):
        await register_station(wats.url, STATION)
    assert wats.seen == []


def test_default_identifier_is_a_mac_or_a_uuid() -> None:
    identifier = default_identifier()
    assert len(identifier) in (12, 36)
    if len(identifier) == 12:
        assert identifier == identifier.upper()
        int(identifier, 16)
