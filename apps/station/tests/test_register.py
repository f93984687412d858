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


REGISTER = "POST /api/internal/Client/Register"
SERVER_INFO = "GET /api/internal/Client/ServerInfo"


@pytest.mark.anyio
async def test_register_with_a_token_then_verify(fake_wats: Any) -> None:
    credentials, info = await register_station(
        fake_wats.url + "/api/", STATION, registration_token=Secret(fake_wats.registration_token)
    )
    assert credentials.server_url == fake_wats.url
    assert credentials.identifier == "4C5F70D62FF4"
    assert credentials.passcode.reveal() == fake_wats.state.clients["4C5F70D62FF4"].passcode
    assert info["Version"] == "2026.1.5.324"

    register, server_info = fake_wats.answers()
    assert (register.method, register.path, register.status) == (
        "POST",
        "/api/internal/client/register",
        200,
    )
    assert register.authorization == f"Basic {fake_wats.registration_token}"  # verbatim
    assert register.query == {
        "mac": "4C5F70D62FF4",
        "name": "ICT-07",
        "location": "Line 3",
        "purpose": "Production",
        "utcOffset": "1.0",
        "version": register.query["version"],
    }
    assert register.query["version"]
    assert (server_info.path, server_info.status) == ("/api/internal/client/serverinfo", 200)
    expected = base64.b64encode(f"4C5F70D62FF4:{credentials.passcode.reveal()}".encode())
    assert server_info.authorization == f"Basic {expected.decode()}"


@pytest.mark.anyio
async def test_register_with_user_and_password(fake_wats: Any, installer: tuple[str, str]) -> None:
    user, password = installer
    credentials, _ = await register_station(
        fake_wats.url, STATION, user=user, password=Secret(password)
    )
    expected = base64.b64encode(f"{user}:{password}".encode()).decode()
    assert fake_wats.answers(REGISTER)[0].authorization == f"Basic {expected}"
    assert credentials.passcode.reveal() == fake_wats.state.clients["4C5F70D62FF4"].passcode


@pytest.mark.anyio
async def test_a_refused_token_is_explained_without_the_token(
    fake_wats: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(RegistrationError) as info:
        await register_station(fake_wats.url, STATION, registration_token=Secret("WrongTok-12345"))
    message = str(info.value)
    assert "registration failed: the registration token (or user name and password)" in message
    assert "Authorization has been denied" in message  # the server's own words
    for text in (message, repr(info.value), caplog.text):
        assert "WrongTok-12345" not in text
    assert info.value.__cause__ is None  # no chained exception carrying request details
    assert info.value.token_refused  # trying again cannot help
    assert fake_wats.state.clients == {}


@pytest.mark.anyio
async def test_an_unreachable_server_is_explained(free_url: str) -> None:
    with pytest.raises(RegistrationError, match="could not be reached"):
        await register_station(free_url, STATION, registration_token=Secret("tok-abcdef"))


@pytest.mark.anyio
async def test_a_server_error_is_explained_and_may_pass(fake_wats: Any) -> None:
    fake_wats.fail(REGISTER, status=503, body="maintenance", body_shape="message-object")
    with pytest.raises(RegistrationError, match=r"HTTP 503\. Server said: maintenance") as info:
        await register_station(
            fake_wats.url, STATION, registration_token=Secret(fake_wats.registration_token)
        )
    assert not info.value.token_refused  # a later try may succeed


@pytest.mark.anyio
async def test_a_lost_answer_is_explained_and_may_pass(fake_wats: Any) -> None:
    fake_wats.reset_after_commit(REGISTER)  # registered on the server, answer lost
    with pytest.raises(RegistrationError, match="could not be reached") as info:
        await register_station(
            fake_wats.url, STATION, registration_token=Secret(fake_wats.registration_token)
        )
    assert not info.value.token_refused
    assert not str(info.value).rstrip(")").rstrip().endswith(":")  # never an empty reason


@pytest.mark.anyio
async def test_an_empty_passcode_is_refused(fake_wats: Any) -> None:
    fake_wats.fail(REGISTER, status=200, body='""', body_shape="text")
    with pytest.raises(RegistrationError, match="sent no passcode"):
        await register_station(
            fake_wats.url, STATION, registration_token=Secret(fake_wats.registration_token)
        )


@pytest.mark.anyio
async def test_a_server_older_than_2021_2_is_refused(fake_wats_factory: Any) -> None:
    old = fake_wats_factory(version="2020.3.1.100")
    with pytest.raises(ServerTooOldError, match=r"runs WATS 2020\.3\.1\.100.*2021\.2 or newer"):
        await register_station(old.url, STATION, registration_token=Secret(old.registration_token))


@pytest.mark.anyio
async def test_token_and_password_together_are_refused(fake_wats: Any) -> None:
    with pytest.raises(ValueError, match="not both"):
        await register_station(
            fake_wats.url,
            STATION,
            registration_token=Secret("tok-abcdef"),
            user="u",
            password=Secret("p-abcdef"),
        )
    with pytest.raises(ValueError, match="is required"):
        await register_station(fake_wats.url, STATION)
    assert fake_wats.answer_count() == 0


def test_default_identifier_is_a_mac_or_a_uuid() -> None:
    identifier = default_identifier()
    assert len(identifier) in (12, 36)
    if len(identifier) == 12:
        assert identifier == identifier.upper()
        int(identifier, 16)
