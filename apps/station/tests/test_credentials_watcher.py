"""The running station's credentials watcher, with a real home, real files and a real
``register.lock``: it keeps watching when the lock cannot be taken, and a stop is not held
up by another process registering."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from pywats import RateLimiter
from pywats_station._clients import StationClients
from pywats_station._config import StationConfig
from pywats_station._credentials import CredentialStore, Secret, StationCredentials
from pywats_station._home import StationHome
from pywats_station._lock import InstanceLock

SERVER = "http://127.0.0.1:9"
INTERVAL = 0.05  # s between change checks: short, so each test's waits are short


def _config() -> StationConfig:
    return StationConfig.model_validate({"credentials": {"key_store": "file"}})


@pytest.fixture
def home(tmp_path: Path) -> StationHome:
    home = StationHome(config_dir=tmp_path / "config", data_dir=tmp_path / "data")
    home.ensure()
    return home


@pytest.fixture
async def clients(home: StationHome) -> AsyncIterator[StationClients]:
    first = StationCredentials(SERVER, "ST-1", Secret("first"))
    CredentialStore(home, "file").save(first)
    clients = StationClients(home, _config(), first, RateLimiter(500))
    yield clients
    await clients.aclose()


async def _until(condition: object, what: str, timeout: float = 60.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():  # type: ignore[operator]
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


@pytest.mark.anyio
async def test_an_unusable_register_lock_is_a_warning_and_the_watcher_goes_on(
    home: StationHome, clients: StationClients, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="pywats_station._clients")
    stop = asyncio.Event()
    watcher = asyncio.create_task(clients.watch(stop, INTERVAL))
    home.register_lock_file.mkdir()  # stands for a full disk or a root-owned lock file
    second = StationCredentials(SERVER, "ST-1", Secret("second"))
    CredentialStore(home, "file").save(second)  # a person's register changed the file
    try:
        await _until(lambda: "register.lock cannot be used" in caplog.text, "the warning")
        assert not watcher.done(), "the watcher ended on an unusable register.lock"
        home.register_lock_file.rmdir()  # usable again: the change is taken on the next look
        await _until(lambda: clients.credentials == second, "the new credentials")
    finally:
        stop.set()
        await asyncio.wait_for(watcher, timeout=60)


@pytest.mark.anyio
async def test_stopping_does_not_wait_for_another_process_holding_register_lock(
    home: StationHome, clients: StationClients
) -> None:
    other = InstanceLock(home.register_lock_file, command="register")
    other.acquire()  # another process registering (a lock of its own open file)
    try:
        second = StationCredentials(SERVER, "ST-1", Secret("second"))
        CredentialStore(home, "file").save(second)
        stop = asyncio.Event()
        reload = asyncio.create_task(clients.reload(stop))
        await asyncio.sleep(0)  # the task's first step: the lock is held, so it waits
        assert not reload.done()
        stop.set()
        # ends although the lock is still held, and reads nothing without it
        assert await asyncio.wait_for(reload, timeout=30) is False
        assert clients.credentials != second
    finally:
        other.release()
