"""Where a station keeps its files: one home for config, queue, credentials and status."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import overload

import platformdirs

__all__ = ["HOME_ENV_VAR", "StationHome", "resolve_home"]

HOME_ENV_VAR = "PYWATS_STATION_HOME"
_APP_NAME = "pywats-station"


class _Place:
    """A read-only attribute of :class:`StationHome`: ``name`` in one of its two
    directories (``root`` names the field)."""

    def __init__(self, root: str, name: str) -> None:
        self.root = root
        self.name = name

    @overload
    def __get__(self, home: None, owner: type[StationHome]) -> _Place: ...
    @overload
    def __get__(self, home: StationHome, owner: type[StationHome]) -> Path: ...
    def __get__(self, home: StationHome | None, owner: type[StationHome]) -> Path | _Place:
        if home is None:
            return self
        directory: Path = getattr(home, self.root)
        return directory / self.name


@dataclass(frozen=True)
class StationHome:
    """The files of one station.

    With ``--home DIR`` or ``PYWATS_STATION_HOME=DIR`` everything lives under ``DIR``.
    Without either, the config file lives in the platform's config directory and the
    rest (queue, status, credentials, logs, locks) in the platform's data directory;
    on Windows and macOS these are the same folder.
    """

    config_dir: Path
    data_dir: Path

    config_file = _Place("config_dir", "station.toml")
    queue_file = _Place("data_dir", "queue.db")
    file_log_file = _Place("data_dir", "files.db")
    """What intake did with each source file (:class:`FileLog`)."""
    processes_file = _Place("data_dir", "processes.json")
    """Process names → codes, for converters that resolve names without the server."""
    archive_dir = _Place("data_dir", "archive")
    """Source files intake has let go of, by date (``archive/<YYYY-MM-DD>/…``)."""
    log_dir = _Place("data_dir", "logs")
    status_file = _Place("data_dir", "status.json")
    credentials_file = _Place("data_dir", "credentials.json")
    key_file = _Place("data_dir", "credentials.key")
    lock_file = _Place("data_dir", "station.lock")
    console_secret_file = _Place("data_dir", "console.secret")
    register_lock_file = _Place("data_dir", "register.lock")
    """Held while credentials are being registered and stored (by ``register``, or by
    the running station renewing them), so the two never cross."""

    def ensure(self) -> None:
        """Create the directories (owner-only where the platform has permission bits)."""
        for directory in (self.config_dir, self.data_dir, self.log_dir):
            directory.mkdir(parents=True, exist_ok=True, mode=0o700)


def resolve_home(explicit: str | os.PathLike[str] | None = None) -> StationHome:
    """The station home: ``explicit`` (``--home``), else ``$PYWATS_STATION_HOME``, else
    the platform's directories."""
    chosen = os.fspath(explicit) if explicit else os.environ.get(HOME_ENV_VAR, "").strip()
    if chosen:
        root = Path(chosen).expanduser().absolute()
        return StationHome(config_dir=root, data_dir=root)
    return StationHome(
        config_dir=platformdirs.user_config_path(_APP_NAME, appauthor=False),
        data_dir=platformdirs.user_data_path(_APP_NAME, appauthor=False),
    )
