"""Invariant 7: no token, password or passcode in any log, output, config or exception.

The flow below does everything that handles a secret, through the real CLI (with debug
logging) and in-process (with every logger captured at DEBUG), including failures. Then
every byte it produced is searched for every secret in every encoding a client uses.
"""

from __future__ import annotations

import base64
import logging
from pathlib import Path
from typing import Any

import pytest

import pywats
from pywats_station import (
    CircuitBreaker,
    ConnectionService,
    CredentialStore,
    RegistrationError,
    Secret,
    StationInfo,
    register_station,
    resolve_home,
)


def _forms(secret: str) -> list[str]:
    """The secret as a client might write it: raw, base64, quoted."""
    return [secret, base64.b64encode(secret.encode()).decode(), repr(secret)]


def _leaks(haystacks: dict[str, str], secrets: list[str]) -> list[str]:
    return [
        f"{where} contains secret #{i}"
        for where, text in haystacks.items()
        for i, secret in enumerate(secrets)
        for form in _forms(secret)
        if form in text
    ]


def _files_under(*roots: Path) -> dict[str, str]:
    return {
        str(path): path.read_bytes().decode("utf-8", "replace")
        for root in roots
        for path in root.rglob("*")
        if path.is_file()
    }


def test_the_leak_finder_finds_a_planted_secret() -> None:
    # The check below must be able to fail.
    assert _leaks({"log": "Authorization: Basic czNjcjN0"}, ["s3cr3t"]) == [
        "log contains secret #0"
    ]
    assert _leaks({"log": "clean"}, ["s3cr3t"]) == []


@pytest.mark.anyio
async def test_no_secret_in_any_log_output_file_or_error(
    cli: Any,
    fake_wats: Any,
    installer: tuple[str, str],
    station_home: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    wats = fake_wats
    wrong_token = "RegTok-wrong-" + "7" * 20
    user, password = installer
    texts: dict[str, str] = {}

    # -- through the CLI, with debug logging to the terminal and the log file ---------
    env = {"PYWATS_REGISTRATION_TOKEN": wats.registration_token}
    reg = cli("-vv", "register", "--url", wats.url, "--key-store", "file", env=env)
    assert reg.returncode == 0, reg.stderr
    assert "DEBUG" in reg.stderr  # debug logging really was on
    cli("-vv", "status", "--json", "--probe")
    cli("-vv", "status")
    wats.reset_before("GET /api/App/Version")
    cli("-vv", "status", "--probe")
    bad = cli("-vv", "register", "--url", wats.url, env={"PYWATS_REGISTRATION_TOKEN": wrong_token})
    assert bad.returncode == 1
    pw = cli(
        "-vv",
        "register",
        "--url",
        wats.url,
        "--user",
        user,
        "--key-store",
        "file",
        env={"PYWATS_REGISTRATION_PASSWORD": password},
    )
    assert pw.returncode == 0, pw.stderr
    for i, output in enumerate(cli.outputs):
        texts[f"CLI output {i}"] = output

    # -- in process, every logger at DEBUG -------------------------------------------
    home = resolve_home(tmp_path / "inproc")
    station = StationInfo(identifier="ST-INPROC", name="in-process")
    credentials, _ = await register_station(
        wats.url, station, registration_token=Secret(wats.registration_token)
    )
    CredentialStore(home, "file").save(credentials)
    loaded = CredentialStore(home, "file").load()
    assert loaded is not None
    # The registration token is kept for re-registration: encrypted, and masked in reprs.
    assert loaded.registration_token == Secret(wats.registration_token)
    texts["repr(credentials)"] = repr(loaded) + str(loaded) + f"{loaded}"
    async with pywats.AsyncWATS(wats.url, loaded.token().reveal()) as client:
        texts["repr(client)"] = repr(client)
        service = ConnectionService.for_client(client, breaker=CircuitBreaker())
        await service.connect()
        wats.fail(
            "GET /api/App/Version",
            status=401,
            body="Authorization has been denied",
            body_shape="message-object",
        )
        await service.probe()
        texts["connection snapshot"] = str(service.snapshot())
    with pytest.raises(RegistrationError) as refused:
        await register_station(wats.url, station, registration_token=Secret(wrong_token))
    texts["exception"] = f"{refused.value}\n{refused.value!r}\n{refused.value.cause!r}"

    texts["captured logs"] = caplog.text
    texts.update(_files_under(station_home, home.data_dir))

    # The secrets really were in play: the server saw every one of them.
    passcodes = [client.passcode for client in wats.state.clients.values()]
    assert len(passcodes) >= 2
    station_tokens = [
        wats.station_credential(client.identifier, client.passcode)
        for client in wats.state.clients.values()
    ]
    authorizations = {answer.authorization for answer in wats.answers()}
    assert f"Basic {wats.registration_token}" in authorizations
    assert f"Basic {wrong_token}" in authorizations
    assert any(f"Basic {t}" in authorizations for t in station_tokens)
    assert any(name.endswith("station.log") for name in texts)
    assert any(name.endswith("station.toml") for name in texts)

    secrets = [wats.registration_token, wrong_token, password, *passcodes, *station_tokens]
    assert _leaks(texts, secrets) == []
