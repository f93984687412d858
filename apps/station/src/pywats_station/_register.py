"""Station registration with the WATS server (internal ``Client/Register``)."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

import httpx

from pywats import AsyncWATS, PyWATSError, normalize_base_url
from pywats_station._credentials import Secret, StationCredentials, basic_token
from pywats_station._retry import describe_error
from pywats_station._version import __version__

__all__ = [
    "RegistrationError",
    "ServerTooOldError",
    "StationInfo",
    "default_identifier",
    "local_utc_offset_hours",
    "register_station",
    "verify_credentials",
]

log = logging.getLogger(__name__)

# The official client refuses servers older than this (wats-facts §3.2).
MIN_SERVER_VERSION = (2021, 2)


class RegistrationError(Exception):
    """Registration or its verification failed; the message says why (never the secret).

    ``token_refused``: the server refused the registration token (or user and password)
    itself, so trying again cannot help; anything else (no connection, a timeout, a 5xx
    or 429, a lost answer) may pass.
    """

    def __init__(
        self, message: str, *, cause: PyWATSError | None = None, token_refused: bool = False
    ) -> None:
        super().__init__(message)
        self.cause = cause
        self.token_refused = token_refused


class ServerTooOldError(RegistrationError):
    """The server's version is older than the station supports."""


@dataclass(frozen=True)
class StationInfo:
    """How the station introduces itself at registration."""

    identifier: str
    name: str
    location: str = ""
    purpose: str = ""
    utc_offset_hours: float | None = None


def default_identifier() -> str:
    """The primary MAC address as 12 upper-case hex digits, as the official client uses;
    a random UUID when the MAC cannot be read (``uuid.getnode`` then invents one with the
    multicast bit set)."""
    node = uuid.getnode()
    if node >> 40 & 1:
        return str(uuid.uuid4())
    return f"{node:012X}"


def local_utc_offset_hours() -> float:
    """The local offset from UTC in hours, as ``Client/Register`` expects it."""
    local = time.localtime()
    return round((local.tm_gmtoff or 0) / 3600.0, 2)


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:4])


def _passcode_from(response: httpx.Response) -> Secret:
    text = response.text.strip()
    try:
        body = json.loads(text)
    except ValueError:
        body = text
    if not isinstance(body, str) or not body.strip():
        raise RegistrationError(
            "the server accepted the registration but sent no passcode "
            f"(HTTP {response.status_code}, {len(response.content)} bytes)"
        )
    return Secret(body.strip().strip('"'))


def _explain(exc: PyWATSError, step: str) -> RegistrationError:
    if exc.status_code == 401:
        hint = "the registration token (or user name and password) was refused"
    elif exc.status_code == 403:
        hint = "these credentials may not register stations"
    elif exc.status_code is None:
        hint = "the server could not be reached"
    else:
        hint = f"the server answered HTTP {exc.status_code}"
    text = f"{step} failed: {hint}"
    if exc.server_message:
        text += f". Server said: {exc.server_message[:500]}"
    elif exc.status_code is None:
        text += f" ({describe_error(exc)})"
    refused = step == "registration" and exc.status_code in (401, 403)
    return RegistrationError(text, cause=exc, token_refused=refused)


async def verify_credentials(
    credentials: StationCredentials,
    *,
    verify: bool | str = True,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Mapping[str, str]:
    """``GET /api/internal/Client/ServerInfo`` with the station's own credentials.

    Returns the server's info dictionary; raises :class:`RegistrationError` if the
    credentials are refused or the server is older than the station supports.
    """
    async with AsyncWATS(
        credentials.server_url, credentials.token().reveal(), verify=verify, transport=transport
    ) as client:
        try:
            response = await client.http.request(
                "GET", "api/internal/Client/ServerInfo", operation="Client.ServerInfo"
            )
            body = client.error_handler.handle(response, "Client.ServerInfo")
        except PyWATSError as exc:
            raise _explain(exc, "verifying the new credentials") from None
    if not isinstance(body, dict):
        raise RegistrationError(
            f"Client/ServerInfo answered a {type(body).__name__}, not the expected dictionary"
        )
    info = {str(k): str(v) for k, v in body.items()}
    version = next((v for k, v in info.items() if k.lower() == "version"), "")
    parsed = _version_tuple(version)
    if parsed and parsed[:2] < MIN_SERVER_VERSION:
        raise ServerTooOldError(
            f"the server runs WATS {version}; pywats-station needs "
            f"{MIN_SERVER_VERSION[0]}.{MIN_SERVER_VERSION[1]} or newer"
        )
    return info


async def register_station(
    url: str,
    station: StationInfo,
    *,
    registration_token: Secret | None = None,
    user: str | None = None,
    password: Secret | None = None,
    verify: bool | str = True,
    transport: httpx.AsyncBaseTransport | None = None,
) -> tuple[StationCredentials, Mapping[str, str]]:
    """Register ``station`` with the server at ``url`` and verify the new passcode.

    Authenticate with a "Register Client" ``registration_token`` (sent verbatim), or with
    ``user`` and ``password`` (sent as ``base64(user:password)``) where the server allows
    it. Returns the credentials (not yet stored) and the server's info dictionary.
    """
    base_url = normalize_base_url(url)
    if registration_token is not None:
        if user is not None or password is not None:
            raise ValueError("give a registration token or a user and password, not both")
        auth = registration_token
    elif user is not None and password is not None:
        auth = basic_token(user, password)
    else:
        raise ValueError("a registration token, or a user and password, is required")
    params: dict[str, str | float] = {
        "mac": station.identifier,
        "name": station.name,
        "location": station.location,
        "purpose": station.purpose,
        "utcOffset": (
            station.utc_offset_hours
            if station.utc_offset_hours is not None
            else local_utc_offset_hours()
        ),
        "version": __version__,
    }
    log.info("registering station %r as %s with %s", station.name, station.identifier, base_url)
    # Client/Register is internal: no domain method; the client's own HTTP session sends
    # it with its auth, timeouts, TLS settings and error translation.
    async with AsyncWATS(base_url, auth.reveal(), verify=verify, transport=transport) as client:
        try:
            response = await client.http.request(
                "POST", "api/internal/Client/Register", operation="Client.Register", params=params
            )
            client.error_handler.check(response, "Client.Register")
        except PyWATSError as exc:
            raise _explain(exc, "registration") from None
    credentials = StationCredentials(
        base_url, station.identifier, _passcode_from(response), registration_token
    )
    info = await verify_credentials(credentials, verify=verify, transport=transport)
    log.info("registered %s; server version %s", station.identifier, info.get("Version", "?"))
    return credentials, info
