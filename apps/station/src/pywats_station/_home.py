"""Where a station keeps its files: one home for config, queue, credentials and status."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

__all__ = ["HOME_ENV_VAR", "StationHome", "resolve_home"]

HOME_ENV_VAR = "PYWATS_STATION_HOME"
_APP_NAME = "pywats-station"


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

    @property
    def config_file(self) -> Path:
        return self.config_dir / "station.toml"

    @property
    def queue_file(self) -> Path:
        return self.data_dir / "queue.db"

    @property
    def archive_dir(self) -> Path:
        """Source files intake has let go of, by date (``archive/<YYYY-MM-DD>/…``)."""
        return self.data_dir / "archive"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def status_file(self) -> Path:
        return self.data_dir / "status.json"

    @property
    def credentials_file(self) -> Path:
        return self.data_dir / "credentials.json"

    @property
    def key_file(self) -> Path:
        return self.data_dir / "credentials.key"

    @property
    def lock_file(self) -> Path:
        return self.data_dir / "station.lock"

    @property
    def register_lock_file(self) -> Path:
        """Held while credentials are being registered and stored (by ``register``, or
        by the running station renewing them), so the two never cross."""
        return self.data_dir / "register.lock"

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
