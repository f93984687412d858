"""``pywats-station register``: register with WATS and store the passcode encrypted."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from pathlib import Path
from typing import Any

from pywats_station._commands._common import (
    EXIT_FAILED,
    EXIT_LOCKED,
    EXIT_OK,
    UserError,
    load_station_config,
)
from pywats_station._config import ConfigError, parse_config, save_config
from pywats_station._credentials import CredentialsError, CredentialStore, Secret
from pywats_station._home import StationHome
from pywats_station._lock import InstanceLock, InstanceLockedError
from pywats_station._logging import redactor
from pywats_station._register import (
    RegistrationError,
    StationInfo,
    default_identifier,
    register_station,
)

__all__ = ["PASSWORD_ENV_VAR", "TOKEN_ENV_VAR", "add_parser", "run"]

TOKEN_ENV_VAR = "PYWATS_REGISTRATION_TOKEN"  # noqa: S105 - a variable name
PASSWORD_ENV_VAR = "PYWATS_REGISTRATION_PASSWORD"  # noqa: S105 - a variable name


def add_parser(commands: Any) -> None:
    register = commands.add_parser(
        "register",
        help="register this station with a WATS server and store its passcode encrypted",
        description=(
            "Register with a 'Register Client' token (from --token-file, "
            f"${TOKEN_ENV_VAR}, or a prompt) or with --user and a password "
            f"(${PASSWORD_ENV_VAR} or a prompt). Secrets are never taken as arguments."
        ),
    )
    register.add_argument("--url", required=True, help="the WATS server's root URL")
    register.add_argument("--token-file", metavar="FILE", help="file holding the token")
    register.add_argument("--user", help="register with this user name and a password")
    register.add_argument("--name", help="station name (default: config, else host name)")
    register.add_argument("--location", help="station location")
    register.add_argument("--purpose", help="station purpose")
    register.add_argument(
        "--identifier", help="client identifier (default: the MAC address, as WATS Client)"
    )
    register.add_argument(
        "--key-store",
        choices=("auto", "keyring", "file"),
        help="where to keep the encryption key (default: config, else auto)",
    )
    register.add_argument(
        "--insecure", action="store_true", help="do not verify TLS certificates (test servers)"
    )


def _read_secret_file(path: str) -> Secret:
    try:
        text = Path(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise UserError(f"cannot read the token file {path}: {exc.strerror or exc}") from None
    if not text:
        raise UserError(f"the token file {path} is empty")
    return Secret(text)


def _prompt_secret(prompt: str) -> Secret:
    if not sys.stdin.isatty():
        raise UserError(f"{prompt.rstrip(': ')} is required (no terminal to ask on)")
    text = getpass.getpass(prompt).strip()
    if not text:
        raise UserError(f"{prompt.rstrip(': ')} must not be empty")
    return Secret(text)


def run(args: argparse.Namespace, home: StationHome) -> int:
    config = load_station_config(home)
    station = StationInfo(
        identifier=args.identifier or config.station.identifier or default_identifier(),
        name=args.name or config.station.name,
        location=args.location if args.location is not None else config.station.location,
        purpose=args.purpose if args.purpose is not None else config.station.purpose,
    )
    # Check the new settings before anything is asked or sent, so a bad --name or --url
    # costs nothing.
    data = config.model_dump()
    data["server"]["url"] = args.url
    data["station"].update(
        identifier=station.identifier,
        name=station.name,
        location=station.location,
        purpose=station.purpose,
    )
    try:
        updated = parse_config(data, home.config_file)
    except ConfigError as exc:
        raise UserError(str(exc).replace("invalid configuration", "invalid settings")) from None
    # Secrets last: nobody types a token only to hear that the --url was wrong.
    token: Secret | None = None
    password: Secret | None = None
    if args.user is not None:
        env_password = os.environ.get(PASSWORD_ENV_VAR, "").strip()
        password = Secret(env_password) if env_password else _prompt_secret("Password: ")
        redactor.add(password.reveal())
    else:
        if args.token_file:
            token = _read_secret_file(args.token_file)
        elif os.environ.get(TOKEN_ENV_VAR, "").strip():
            token = Secret(os.environ[TOKEN_ENV_VAR].strip())
        else:
            token = _prompt_secret("Registration token: ")
        redactor.add(token.reveal())
    verify: bool | str = False if args.insecure else config.server.verify_tls
    key_store = args.key_store or config.credentials.key_store
    # A running station may stay up: it picks up the new credentials by itself. It takes
    # the same lock while it renews its own, so the two never cross.
    lock = InstanceLock(home.register_lock_file)
    try:
        lock.acquire()
    except InstanceLockedError as exc:
        holder = f" (pid {exc.holder.get('pid')})" if exc.holder else ""
        raise UserError(
            f"another `pywats-station register`{holder}, or the running station renewing or "
            "reading its credentials, holds the registration lock of this station home; try again "
            "in a moment",
            EXIT_LOCKED,
        ) from None
    try:
        try:
            credentials, info = asyncio.run(
                register_station(
                    args.url,
                    station,
                    registration_token=token,
                    user=args.user,
                    password=password,
                    verify=verify,
                )
            )
        except ValueError as exc:
            raise UserError(str(exc)) from None
        except RegistrationError as exc:
            raise UserError(str(exc), EXIT_FAILED) from None
        redactor.add(credentials.passcode.reveal())
        redactor.add(credentials.token().reveal())
        try:
            store = CredentialStore(home, key_store).save(credentials)
        except CredentialsError as exc:
            raise UserError(f"could not store the credentials: {exc}", EXIT_FAILED) from None
        save_config(updated, home.config_file)
    finally:
        lock.release()
    where = "the OS keyring" if store == "keyring" else f"the key file {home.key_file}"
    print(
        f"Registered station {station.name!r} as {station.identifier} with "
        f"{credentials.server_url} (WATS {info.get('Version', 'version unknown')}).\n"
        f"The passcode is stored encrypted in {home.credentials_file}; its key is in {where}."
    )
    return EXIT_OK
