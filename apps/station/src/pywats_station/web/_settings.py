"""The Settings page's work: station identity in ``station.toml`` and registration.

The config file is changed atomically (validated first, one message per bad key), and
the previous file is kept as ``station.toml.bak``. Registration takes the token from a
write-only form field; it goes to the server and into the encrypted credential store,
never into a page, a log line or the config file. The running station notices the new
credentials file by itself.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import sys
from dataclasses import dataclass
from typing import Any

from pywats_station._config import ConfigError, StationConfig, parse_config, save_config
from pywats_station._credentials import CredentialsError, CredentialStore, Secret
from pywats_station._home import StationHome
from pywats_station._register import RegistrationError, StationInfo, register_station

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["SettingsView", "StationSettings", "EDITABLE"]

log = logging.getLogger("pywats_station.console")

EDITABLE = ("station.name", "station.location", "station.purpose")


@dataclass(frozen=True)
class SettingsView:
    server_url: str
    identifier: str
    name: str
    location: str
    purpose: str
    registered: bool


class StationSettings:
    def __init__(self, home: StationHome, key_store: str) -> None:
        self.home = home
        self.key_store = key_store
        self.lock = asyncio.Lock()

    def raw(self) -> dict[str, Any]:
        try:
            return tomllib.loads(self.home.config_file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}

    def config(self) -> StationConfig:
        return parse_config(self.raw(), self.home.config_file)

    def _store(self) -> CredentialStore:
        return CredentialStore(self.home, self.key_store)  # type: ignore[arg-type]

    async def view(self) -> SettingsView:
        config = await asyncio.to_thread(self.config)
        try:
            credentials = await asyncio.to_thread(self._store().load)
        except CredentialsError:
            credentials = None
        return SettingsView(
            server_url=credentials.server_url if credentials else (config.server.url or ""),
            identifier=credentials.identifier if credentials else (config.station.identifier or ""),
            name=config.station.name,
            location=config.station.location,
            purpose=config.station.purpose,
            registered=credentials is not None,
        )

    async def update(self, values: dict[str, str]) -> list[str]:
        """Set the editable keys; returns one problem per bad key (nothing written then)."""
        async with self.lock:
            data = self.raw()
            changes: list[str] = []
            for dotted in EDITABLE:
                if dotted not in values:
                    continue
                section, key = dotted.split(".")
                new = values[dotted].strip()
                old = data.get(section, {}).get(key)
                if new != old:
                    data.setdefault(section, {})[key] = new
                    changes.append(f"{dotted}: {old!r} -> {new!r}")
            return await self.write(data, changes)

    async def write(self, data: dict[str, Any], changes: list[str]) -> list[str]:
        """Validate ``data`` (the whole file) and, when it is good and ``changes`` is not
        empty, replace ``station.toml`` atomically keeping ``station.toml.bak``, and log
        ``changes``. Returns one problem per bad key (nothing written then). Callers hold
        :attr:`lock` from reading the file to here."""
        try:
            config = parse_config(data, self.home.config_file)
        except ConfigError as exc:
            return list(exc.problems)
        if not changes:
            return []
        path = self.home.config_file
        if path.exists():
            await asyncio.to_thread(shutil.copy2, path, path.with_name(path.name + ".bak"))
        await asyncio.to_thread(save_config, config, path)
        log.info(
            "console: changed %s (previous file kept as %s.bak)", "; ".join(changes), path.name
        )
        return []

    async def register(self, url: str, token: str) -> tuple[bool, str]:
        """Register (again) with ``token``; the message never contains it."""
        token = token.strip()
        if not token:
            return False, "registration token: required"
        async with self.lock:
            config = await asyncio.to_thread(self.config)
            current = await self.view()
            server = (url or current.server_url).strip()
            if not server:
                return False, "server URL: required"
            info = StationInfo(
                identifier=current.identifier or config.station.identifier or "",
                name=config.station.name,
                location=config.station.location,
                purpose=config.station.purpose,
            )
            if not info.identifier:
                return False, "station identifier: unknown; register once with the command line"
            try:
                credentials, _ = await register_station(
                    server, info, registration_token=Secret(token), verify=config.server.verify_tls
                )
                await asyncio.to_thread(self._store().save, credentials)
            except (RegistrationError, CredentialsError, ValueError) as exc:
                text = str(exc).replace(token, "[token]")
                log.warning("console: registration with %s failed: %s", server, text)
                return False, f"registration failed: {text}"
        log.info("console: registered %s again with %s", info.identifier, server)
        return True, f"registered {info.identifier} with {server}; the station uses it now"
