"""The station's WATS clients: built from ``[server]``, swapped when credentials change.

One client is current at a time (the :class:`CredentialKeeper`'s); a client replaced by
new credentials stays open until the station stops, so uploads in flight on it finish.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import overload

from pywats import AsyncWATS, RateLimiter, Timeouts
from pywats_station._config import StationConfig
from pywats_station._credentials import CredentialsError, CredentialStore, StationCredentials
from pywats_station._home import StationHome
from pywats_station._keeper import CredentialKeeper, NeedsPerson
from pywats_station._lock import InstanceLock, InstanceLockedError
from pywats_station._register import StationInfo, register_station
from pywats_station._retry import RetryPolicy, describe_error, is_auth_error

__all__ = ["StationClients", "client_timeouts", "retry_policy"]

log = logging.getLogger(__name__)

_LOCK_RETRY = 0.2  # s between tries for register.lock while another process holds it


def retry_policy(config: StationConfig) -> RetryPolicy:
    """The policy from ``[retry]``, whose keys are the policy's fields one for one."""
    return RetryPolicy(**config.retry.model_dump())


def client_timeouts(config: StationConfig) -> Timeouts:
    """The client's timeouts from ``[server]``."""
    server = config.server
    return Timeouts(
        connect=server.connect_timeout,
        read=server.read_timeout,
        write=server.read_timeout,
        pool=server.connect_timeout,
        upload_read=server.upload_timeout,
    )


class StationClients:
    """The station's clients: the current one (the keeper's) and the ones it replaced.

    Credentials change two ways: a person runs ``register`` again while the station runs
    (a watcher looks at the credentials file every probe interval and takes the new
    ones), or the server refuses the passcode (401/403) and the keeper calls
    :meth:`renew_once`, which registers again with the stored registration token. Both
    hold ``register.lock`` while registering and storing, so a person's registration
    and the station's never cross. Old clients are closed at shutdown, so uploads in
    flight on them finish normally.
    """

    def __init__(
        self,
        home: StationHome,
        config: StationConfig,
        credentials: StationCredentials,
        rate_limiter: RateLimiter,
    ) -> None:
        self.home = home
        self.config = config
        self.credentials = credentials
        self.rate_limiter = rate_limiter
        self.retired: list[AsyncWATS] = []
        self.keeper = CredentialKeeper(
            self._client_for(credentials), self.renew_once, policy=retry_policy(config)
        )
        self._stamp = self._file_stamp()

    def _client_for(self, credentials: StationCredentials) -> AsyncWATS:
        return AsyncWATS(
            credentials.server_url,
            credentials.token().reveal(),
            timeouts=client_timeouts(self.config),
            verify=self.config.server.verify_tls,
            rate_limiter=self.rate_limiter,
        )

    def _file_stamp(self) -> tuple[int, int] | None:
        try:
            st = self.home.credentials_file.stat()
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size)

    async def probe(self) -> str:
        """The connection probe, on the current client; it reports refusals and
        successes to the keeper like an upload does, so an idle station renews too."""
        client = self.keeper.client
        started = self.keeper.now()
        try:
            version = await client.app.version()
        except Exception as exc:
            if is_auth_error(exc):
                self.keeper.refused(client, describe_error(exc))
            raise
        self.keeper.confirmed(client, started)
        return version

    def _new_client(self, credentials: StationCredentials) -> AsyncWATS:
        self.retired.append(self.keeper.client)
        self.credentials = credentials
        return self._client_for(credentials)

    async def _load_stored(self) -> StationCredentials | None:
        try:
            return await asyncio.to_thread(
                CredentialStore(self.home, self.config.credentials.key_store).load
            )
        except CredentialsError as exc:
            log.warning("the stored credentials cannot be used: %s", exc)
            return None

    async def _stored_if_new(self) -> StationCredentials | None:
        """The stored credentials if a person changed them (and they fit this station)."""
        self._stamp = self._file_stamp()
        fresh = await self._load_stored()
        if fresh is None or fresh == self.credentials:
            return None
        if fresh.server_url != self.credentials.server_url:
            log.error(
                "the station was registered with another server (%s); restart the station "
                "to use it",
                fresh.server_url,
            )
            return None
        return fresh

    async def reload(self, stop: asyncio.Event | None = None) -> bool:
        """Use the stored credentials if a person changed them; returns whether the
        client changed. Ends a wait for renewed credentials, whatever its state.

        Under ``register.lock``: the station's own renewal stores its new credentials
        while holding it, and must not be mistaken for a person's ``register``. A lock
        that cannot be taken (disk full, permissions) is a warning and another look at the
        next change check; setting ``stop`` ends a wait for another holder.
        """
        try:
            lock = await self._take_register_lock(stop)
        except OSError as exc:
            log.warning(
                "the credentials file changed, but %s cannot be used (%s); looking again later",
                self.home.register_lock_file,
                exc.strerror or type(exc).__name__,
            )
            return False
        if lock is None:
            return False  # stopping while another process registers
        try:
            fresh = await self._stored_if_new()
        finally:
            lock.release()
        if fresh is None:
            log.info("the stored credentials are unchanged")
            return False
        log.info("using the newly stored credentials of %s", fresh.identifier)
        self.keeper.replace(self._new_client(fresh), "a person registered the station again")
        return True

    @overload
    async def _take_register_lock(self, stop: None = None) -> InstanceLock: ...
    @overload
    async def _take_register_lock(self, stop: asyncio.Event) -> InstanceLock | None: ...
    async def _take_register_lock(self, stop: asyncio.Event | None = None) -> InstanceLock | None:
        """``register.lock``, waiting while another process (a person's ``register``)
        holds it; ``None`` once ``stop`` is set."""
        lock = InstanceLock(self.home.register_lock_file)
        while True:
            try:
                lock.acquire()
            except InstanceLockedError:
                if stop is None:
                    await asyncio.sleep(_LOCK_RETRY)
                    continue
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=_LOCK_RETRY)
                if stop.is_set():
                    return None
            else:
                return lock

    async def renew_once(self) -> AsyncWATS | None:
        """One renewal attempt for the keeper: prefer credentials a person stored
        meanwhile; else register again (same identifier) with the stored registration
        token, store the new passcode, and return the new client."""
        lock = await self._take_register_lock()
        try:
            fresh = await self._stored_if_new()
            if fresh is not None:
                log.info("using the newly stored credentials of %s", fresh.identifier)
                return self._new_client(fresh)
            token = self.credentials.registration_token
            if token is None:
                raise NeedsPerson(
                    "the server refused the station's passcode, and no registration token "
                    "is stored (the station was registered with a user and password); run "
                    "`pywats-station register` again"
                )
            station = self.config.station
            info = StationInfo(
                identifier=self.credentials.identifier,
                name=station.name,
                location=station.location,
                purpose=station.purpose,
            )
            log.warning("registering %s again with the stored token", info.identifier)
            credentials, _ = await register_station(
                self.credentials.server_url,
                info,
                registration_token=token,
                verify=self.config.server.verify_tls,
            )
            try:
                await asyncio.to_thread(
                    CredentialStore(self.home, self.config.credentials.key_store).save,
                    credentials,
                )
            except CredentialsError as exc:
                # The new passcode works for this run; say that it will be lost.
                log.error("the new passcode could not be stored (%s); using it for this run", exc)
            self._stamp = self._file_stamp()
            log.info("registered again as %s", credentials.identifier)
            return self._new_client(credentials)
        finally:
            lock.release()

    async def watch(self, stop: asyncio.Event, interval: float) -> None:
        """Reload whenever the credentials file changes, until ``stop`` is set."""
        while not stop.is_set():
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval)
            if not stop.is_set() and self._file_stamp() != self._stamp:
                await self.reload(stop)

    async def aclose(self) -> None:
        await self.keeper.close()
        for client in [*self.retired, self.keeper.client]:
            await client.aclose()
