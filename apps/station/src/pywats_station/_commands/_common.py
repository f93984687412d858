"""What the commands share: exit codes, user errors, loading config and credentials."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from pywats_queue import AsyncQueue, Queue, QueueError, open_queue
from pywats_station._config import ConfigError, StationConfig, load_config
from pywats_station._credentials import CredentialsError, CredentialStore, StationCredentials
from pywats_station._filelog import FileLog, FileLogError
from pywats_station._home import StationHome
from pywats_station._intake_service import IntakeService, station_intake
from pywats_station._lock import InstanceLock, InstanceLockedError, describe_holder
from pywats_station._logging import redactor
from pywats_station._service import queue_url

__all__ = [
    "EXIT_FAILED",
    "EXIT_LOCKED",
    "EXIT_NOT_FOUND",
    "EXIT_OK",
    "EXIT_USAGE",
    "UserError",
    "command_intake",
    "holding_station_home",
    "load_station_config",
    "open_file_log",
    "open_station_queue",
    "positive_int",
    "stored_credentials",
]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_LOCKED = 3
EXIT_NOT_FOUND = 3
"""An unknown queue item id: the same code as ``python -m pywats_queue``."""


class UserError(Exception):
    """A problem the user can fix; printed as one message, no traceback."""

    def __init__(self, message: str, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1 (``--limit``)."""
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {number}")
    return number


def load_station_config(home: StationHome) -> StationConfig:
    try:
        return load_config(home.config_file)
    except ConfigError as exc:
        raise UserError(str(exc)) from None


def stored_credentials(config: StationConfig, home: StationHome) -> StationCredentials:
    """The stored credentials, checked against the config; :class:`UserError` if unusable."""
    try:
        credentials = CredentialStore(home, config.credentials.key_store).load()
    except CredentialsError as exc:
        raise UserError(str(exc), EXIT_FAILED) from None
    if credentials is None:
        raise UserError(
            "the station is not registered; run `pywats-station register --url URL`",
            EXIT_FAILED,
        )
    if config.server.url and config.server.url != credentials.server_url:
        raise UserError(
            f"the credentials were registered with {credentials.server_url}, but the "
            f"config names {config.server.url}; run `pywats-station register` again",
            EXIT_FAILED,
        )
    redactor.add(credentials.passcode.reveal())
    redactor.add(credentials.token().reveal())
    return credentials


def open_station_queue(home: StationHome, config: StationConfig) -> Queue:
    try:
        return open_queue(queue_url(home, config))
    except QueueError as exc:
        raise UserError(f"cannot open the queue: {exc}", EXIT_FAILED) from None


def open_file_log(home: StationHome) -> FileLog:
    """``files.db``; :class:`UserError` naming it when it cannot be used."""
    try:
        return FileLog(home.file_log_file)
    except FileLogError as exc:
        raise UserError(str(exc), EXIT_FAILED) from None


@contextlib.asynccontextmanager
async def command_intake(home: StationHome, config: StationConfig) -> AsyncIterator[IntakeService]:
    """The station's intake over its queue, for one command; both closed on exit."""
    try:
        queue = await AsyncQueue.open(queue_url(home, config))
    except QueueError as exc:
        raise UserError(f"cannot open the queue: {exc}", EXIT_FAILED) from None
    try:
        async with station_intake(home, config, queue) as service:
            yield service
    except FileLogError as exc:
        raise UserError(str(exc), EXIT_FAILED) from None
    finally:
        await queue.close()


@contextlib.contextmanager
def holding_station_home(
    home: StationHome, command: str, instead: Callable[[dict[str, Any]], str]
) -> Iterator[None]:
    """Hold ``station.lock``, the lock ``run`` holds, while ``command`` moves files that a
    station handles: it then never races a running station (its folder watchers, its
    console) nor another such command. Refused at once with :data:`EXIT_LOCKED`; when
    the holder is a running station, ``instead(note)`` says what to do instead (the note
    has the station's ``console`` URL once its console listens)."""
    lock = InstanceLock(home.lock_file, command=command)
    try:
        lock.acquire()
    except InstanceLockedError as exc:
        holder = exc.holder or {}
        if holder.get("command", "run") != "run":
            raise UserError(str(exc), EXIT_LOCKED) from None
        about = describe_holder(holder)
        raise UserError(
            f"a station is running with this home (`pywats-station run`"
            f"{', ' + about if about else ''}); {instead(holder)}. Lock file: {exc.path}",
            EXIT_LOCKED,
        ) from None
    except OSError as exc:
        raise UserError(
            f"cannot take the station lock {home.lock_file}: {exc.strerror or exc}", EXIT_FAILED
        ) from None
    try:
        yield
    finally:
        lock.release()
