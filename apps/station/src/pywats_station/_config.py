"""The station's TOML configuration: schema, loading with clear errors, and saving."""

from __future__ import annotations

import difflib
import socket
import sys
import typing
from pathlib import Path
from typing import Any, Literal

import pydantic
import tomli_w
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from pywats import normalize_base_url
from pywats_station._files import atomic_write_bytes
from pywats_station._folders import FolderSection

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = [
    "ConfigError",
    "StationConfig",
    "ServerSection",
    "StationSection",
    "RetrySection",
    "BreakerSection",
    "ConnectionSection",
    "UploadSection",
    "QueueSection",
    "StatusSection",
    "CredentialsSection",
    "ConsoleSection",
    "IntakeSection",
    "FolderSection",
    "load_config",
    "save_config",
]

# Keys that would hold a secret. The config file is plain text; secrets live only in the
# encrypted credentials file, so these are refused with a pointer to `register`.
_SECRET_WORDS = ("passcode", "password", "token", "secret", "apikey", "api_key")


class ConfigError(Exception):
    """The configuration file is missing, unreadable, not TOML, or has a bad value.

    ``problems`` lists one message per bad key, each naming the key.
    """

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{path}: invalid configuration\n{lines}")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


class ServerSection(_Section):
    """``[server]``: which WATS server the station talks to."""

    url: str | None = None
    """The WATS root URL (``https://tenant.wats.com``); set by ``pywats-station register``."""
    verify_tls: bool | str = True
    """``true``, ``false`` (test servers only), or the path of a CA bundle."""
    connect_timeout: float = Field(default=10.0, gt=0)
    """Seconds to wait for a connection to the server."""
    read_timeout: float = Field(default=30.0, gt=0)
    """Seconds to wait for each part of an answer (probes, registration)."""
    upload_timeout: float = Field(default=100.0, gt=0)
    """Seconds to wait for the answer to a report upload (WATS validates and stores it
    first; the official client allows 100 s). ``[upload] lease`` must exceed it."""

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return None if value is None else normalize_base_url(value)

    @field_validator("verify_tls")
    @classmethod
    def _ca_bundle(cls, value: bool | str) -> bool | str:
        if isinstance(value, str) and not Path(value).expanduser().is_file():
            raise ValueError(f"the CA bundle {value!r} is not a file")
        return value


class StationSection(_Section):
    """``[station]``: how the station names itself to the server."""

    name: str = Field(default_factory=socket.gethostname, min_length=1, max_length=100)
    location: str = Field(default="", max_length=100)
    purpose: str = Field(default="", max_length=100)
    identifier: str | None = Field(default=None, min_length=1, max_length=100)
    """The client identifier registered with the server (a MAC or a UUID)."""


class RetrySection(_Section):
    """``[retry]``: the retry policy for uploads (seconds)."""

    base_delay: float = Field(default=1.0, gt=0)
    max_delay: float = Field(default=300.0, gt=0)
    multiplier: float = Field(default=2.0, ge=1)
    max_attempts: int = Field(default=20, ge=1)
    max_age: float = Field(default=7 * 24 * 3600.0, gt=0)
    max_retry_after: float = Field(default=3600.0, ge=0)


class BreakerSection(_Section):
    """``[breaker]``: when uploads stop while the server is down."""

    failure_threshold: int = Field(default=5, ge=1)
    reset_timeout: float = Field(default=30.0, gt=0)


class ConnectionSection(_Section):
    """``[connection]``: how often connectivity is probed (seconds)."""

    probe_interval: float = Field(default=60.0, gt=0)


class UploadSection(_Section):
    """``[upload]``: delivery loop settings (seconds)."""

    concurrency: int = Field(default=2, ge=1, le=64)
    lease: float = Field(default=300.0, gt=0)
    """How long a claimed report stays reserved for one upload attempt; it must exceed
    ``[server] connect_timeout + upload_timeout`` plus a second, or an upload still
    waiting for its answer could be claimed again and sent twice."""
    shutdown_grace: float = Field(default=30.0, ge=0)
    """How long a stop waits for in-flight uploads before handing them back."""
    requests_per_minute: int = Field(default=500, ge=1)
    """Client-side rate limit for this station's token, paced evenly (one request every
    60/N s). WATS limits each token per minute without publishing the figure; set this a
    tenth under the limit your server applies."""
    max_unfinished_claims: int = Field(default=5, ge=1)
    """A report whose upload was started this many times without an outcome (the station
    was killed or crashed meanwhile, or the lease ran out) goes to dead letters, so one
    report that crashes the station cannot stop delivery for ever."""


class QueueSection(_Section):
    """``[queue]``: where reports wait for upload."""

    url: str | None = None
    """``file:///dir`` or ``sqlite:///file.db``; default: SQLite ``queue.db`` in the home."""
    max_report_mb: float = Field(default=64.0, gt=0, le=4096)
    """The largest report file that is read and queued (MiB); larger ones are refused."""

    @field_validator("url")
    @classmethod
    def _queue_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("file:///", "sqlite:///")):
            raise ValueError("must be file:///absolute/dir or sqlite:///absolute/file.db")
        return value


class StatusSection(_Section):
    """``[status]``: how often ``status.json`` is rewritten (seconds)."""

    interval: float = Field(default=10.0, gt=0)


class CredentialsSection(_Section):
    """``[credentials]``: where the key that encrypts the passcode is kept.

    ``auto`` uses the OS keyring when it works and an owner-only key file otherwise;
    ``keyring`` insists on the keyring; ``file`` never touches the keyring.
    """

    key_store: Literal["auto", "keyring", "file"] = "auto"


class ConsoleSection(_Section):
    """``[console]``: the browser console served by ``run`` (see docs/console.md).

    It binds to loopback unless ``allow_remote`` says otherwise: the console can retry
    and discard queue items, so reaching it from the network must be a decision.
    """

    enabled: bool = True
    host: str = Field(default="127.0.0.1", min_length=1)
    port: int = Field(default=8765, ge=0, le=65535)  # 0: any free port (tests)
    allow_remote: bool = False
    # More names the browser may use in the Host header (e.g. the station's DNS name
    # when allow_remote is set); localhost, 127.0.0.1, ::1 and `host` always count.
    allowed_hosts: list[str] = Field(default_factory=list)

    @field_validator("host")
    @classmethod
    def _host(cls, value: str) -> str:
        return value.strip().strip("[]")


class IntakeSection(_Section):
    """``[intake]``: the isolated converter runner behind watched folders and ``submit``."""

    workers: int = Field(default=1, ge=1, le=16)
    """Converter worker processes (each converts one file at a time)."""
    time_limit: float = Field(default=60.0, gt=0)
    """Seconds one conversion may take before its worker is killed."""
    converters: dict[str, str] = Field(default_factory=dict)
    """Converters that are not installed as packages: ``name = "module:Class"``, imported
    (in the worker processes only) from ``python_path``."""
    python_path: list[Path] = Field(default_factory=list)
    """Folders the worker processes import ``converters`` from."""


class StationConfig(_Section):
    """The whole ``station.toml``. Every section and key is optional."""

    server: ServerSection = Field(default_factory=ServerSection)
    station: StationSection = Field(default_factory=StationSection)
    retry: RetrySection = Field(default_factory=RetrySection)
    breaker: BreakerSection = Field(default_factory=BreakerSection)
    connection: ConnectionSection = Field(default_factory=ConnectionSection)
    upload: UploadSection = Field(default_factory=UploadSection)
    queue: QueueSection = Field(default_factory=QueueSection)
    status: StatusSection = Field(default_factory=StatusSection)
    credentials: CredentialsSection = Field(default_factory=CredentialsSection)
    console: ConsoleSection = Field(default_factory=ConsoleSection)
    intake: IntakeSection = Field(default_factory=IntakeSection)
    folders: list[FolderSection] = Field(default_factory=list)
    """``[[folders]]``: the watched folders, any number."""

    @model_validator(mode="after")
    def _distinct_folders(self) -> StationConfig:
        seen: dict[Path, int] = {}
        for index, folder in enumerate(self.folders):
            if folder.path in seen:
                raise ValueError(
                    f"folders[{index}].path: {folder.path} is already watched by "
                    f"folders[{seen[folder.path]}]"
                )
            seen[folder.path] = index
        return self


def _known_keys(model: type[BaseModel], prefix: str = "") -> list[str]:
    keys: list[str] = []
    for name, field in model.model_fields.items():
        dotted = f"{prefix}{name}"
        keys.append(dotted)
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            keys += _known_keys(annotation, dotted + ".")
    return keys


def _secret_keys(data: Any, prefix: str = "") -> list[str]:
    found: list[str] = []
    if isinstance(data, dict):
        for key, value in data.items():
            dotted = f"{prefix}{key}"
            if any(word in str(key).lower().replace("-", "_") for word in _SECRET_WORDS):
                found.append(dotted)
            found += _secret_keys(value, dotted + ".")
    return found


# What a key accepts, where pydantic would list each member of a union separately.
_UNION_HINTS = {"server.verify_tls": "must be true, false or the path of a CA bundle"}


def _key_of(loc: tuple[Any, ...]) -> str:
    """The dotted config key of an error location, without pydantic's union-member tags.

    Entries of ``[[folders]]`` are named by index: ``folders[1].settle``.
    """
    model: type[BaseModel] | None = StationConfig
    parts: list[str] = []
    position = 0
    while position < len(loc):
        part = str(loc[position])
        position += 1
        if model is None or part not in model.model_fields:
            if model is not None:  # an unknown key: keep it, it is what the user wrote
                parts.append(part)
            break
        parts.append(part)
        annotation = model.model_fields[part].annotation
        if typing.get_origin(annotation) is list:
            (annotation,) = typing.get_args(annotation)
            if position < len(loc) and isinstance(loc[position], int):
                parts[-1] += f"[{loc[position]}]"
                position += 1
        model = (
            annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel)
            else None
        )
    return ".".join(parts)


def _describe(error: Any) -> str:
    key = _key_of(tuple(error["loc"])) or "(top level)"
    if key in _UNION_HINTS and error["type"] not in ("value_error", "extra_forbidden"):
        return f"{key}: {_UNION_HINTS[key]} (got {error.get('input')!r})"
    if error["type"] == "extra_forbidden":
        close = difflib.get_close_matches(key, _known_keys(StationConfig), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"{key}: unknown key{hint}"
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] in ("model_type", "dict_type"):
        return f"{key}: must be a table ([{key}]), got {type(error['input']).__name__}"
    got = error.get("input")
    shown = "" if isinstance(got, dict) else f" (got {got!r})"
    return f"{key}: {message}{shown}"


def parse_config(data: dict[str, Any], path: Path) -> StationConfig:
    """Validate already-decoded TOML data; raise :class:`ConfigError` naming each bad key."""
    secrets = _secret_keys(data)
    if secrets:
        # Never echo the value: it may be the secret itself.
        raise ConfigError(
            path,
            [
                f"{key}: secrets do not belong in the config file; "
                "run `pywats-station register`, which stores them encrypted"
                for key in secrets
            ],
        )
    try:
        config = StationConfig.model_validate(data)
    except pydantic.ValidationError as exc:
        # dict.fromkeys: one line per problem even when a union reports each member.
        problems = list(dict.fromkeys(_describe(e) for e in exc.errors()))
        raise ConfigError(path, problems) from None
    problems = _contradictions(config)
    if problems:
        raise ConfigError(path, problems)
    return config


LEASE_MARGIN = 1.0
"""Seconds a lease must exceed the longest upload (connect + answer) by."""


def _contradictions(config: StationConfig) -> list[str]:
    """Settings that are each valid but cannot hold together, both keys named."""
    problems = []
    server, upload, retry = config.server, config.upload, config.retry
    longest_upload = server.connect_timeout + server.upload_timeout
    if upload.lease < longest_upload + LEASE_MARGIN:
        problems.append(
            f"upload.lease: {upload.lease:g} s must exceed server.upload_timeout "
            f"({server.upload_timeout:g} s) plus server.connect_timeout "
            f"({server.connect_timeout:g} s) and {LEASE_MARGIN:g} s of margin, i.e. be at "
            f"least {longest_upload + LEASE_MARGIN:g} s; otherwise an upload still waiting "
            "for its answer can be claimed again and sent twice"
        )
    if retry.base_delay > retry.max_delay:
        problems.append(
            f"retry.base_delay: {retry.base_delay:g} s is above retry.max_delay "
            f"({retry.max_delay:g} s); the first wait cannot exceed the longest"
        )
    return problems


def load_config(path: Path) -> StationConfig:
    """Read and validate ``station.toml``; a missing file gives the defaults."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return StationConfig()
    except OSError as exc:
        raise ConfigError(path, [f"cannot read the file: {exc.strerror or exc}"]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(path, [f"not UTF-8 text (byte {exc.start})"]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, [f"not valid TOML: {exc}"]) from None
    return parse_config(data, path)


def dump_config(config: StationConfig) -> str:
    """The configuration as TOML text (keys whose value is unset are left out)."""
    data = _without_unset(config.model_dump(mode="json"))
    return "# pywats-station configuration. Secrets are never stored here.\n\n" + tomli_w.dumps(
        data
    )


def _without_unset(value: Any) -> Any:
    """``value`` with every ``None`` left out (TOML has no null), and empty folder lists."""
    if isinstance(value, dict):
        return {k: _without_unset(v) for k, v in value.items() if v is not None and v != []}
    if isinstance(value, list):
        return [_without_unset(v) for v in value]
    return value


def save_config(config: StationConfig, path: Path) -> None:
    """Write ``station.toml`` atomically (temporary file, fsync, rename)."""
    text = dump_config(config)
    # Round-trip check: never write a file that we could not read back.
    parse_config(tomllib.loads(text), path)
    atomic_write_bytes(path, text.encode("utf-8"), mode=0o600)
