"""The converter SDK: what a converter is, what it is given, and how it says no.

A converter is a subclass of :class:`Converter` parametrised with its settings model::

    class AcmeCsv(Converter[AcmeSettings]):
        name = "acme-csv"
        patterns = ("*.csv",)

        def convert(self, source: SourceFile, context: ConversionContext) -> list[Report]:
            ...

The station builds one instance per watched folder from that folder's settings
(:meth:`Converter.configure`), and calls :meth:`Converter.convert` once per file, in a
worker process. Everything a converter receives (source, context) is plain, picklable data.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import stat
import typing
import uuid
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, ClassVar, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict
from pydantic import ValidationError as _PydanticValidationError

from pywats.report import Report

__all__ = [
    "CONVERTER_API",
    "ConversionContext",
    "ConversionError",
    "Converter",
    "ConverterParameters",
    "NoParameters",
    "SettingsError",
    "SourceFile",
    "SourceKind",
    "StationInfo",
]

#: The converter API this SDK implements. A converter declares the API it was written
#: for (``api_version``); the loader refuses a converter whose API differs.
CONVERTER_API: typing.Final = 1

#: The largest source file :meth:`SourceFile.read_bytes` reads unless told otherwise.
DEFAULT_MAX_BYTES: typing.Final = 64 * 1024 * 1024

# Stable report ids: uuid5 under this namespace of (file content hash, key).
_REPORT_ID_NAMESPACE = uuid.UUID("6f1c3b52-2a43-4f1e-9a54-3d0f6c1e8b71")

SourceKind = Literal["file", "folder"]


class ConversionError(Exception):
    """The source cannot be converted; the message says which file and what is wrong.

    Converters raise it for bad input (a missing field, a malformed line, a wrong
    encoding). The station moves the file to ``Error/`` with this message beside it.
    """

    def __init__(self, message: str, *, source: Path | str | None = None) -> None:
        self.message = message
        self.source = Path(source) if source is not None else None
        super().__init__(f"{self.source.name}: {message}" if self.source else message)


class SettingsError(ValueError):
    """A converter's settings do not validate; one line per bad key, naming the key."""

    def __init__(self, converter: str, problems: Sequence[str]) -> None:
        self.converter = converter
        self.problems = list(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"settings of converter {converter!r} are not valid:\n{lines}")


class ConverterParameters(BaseModel):
    """Base of every converter's settings model: immutable, unknown keys refused.

    A docstring under a field (or ``Field(description=...)``) describes the setting
    where hosts show it, e.g. the station console's per-folder settings form.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class NoParameters(ConverterParameters):
    """Settings model of a converter that has no settings."""


ParamsT = TypeVar("ParamsT", bound=ConverterParameters)
_C = TypeVar("_C", bound="Converter[Any]")


@dataclass(frozen=True)
class StationInfo:
    """Who is converting: the station's identity as it goes into every report header."""

    machine_name: str
    location: str = ""
    purpose: str = ""


@dataclass(frozen=True)
class SourceFile:
    """The file (or, for ``folder`` converters, the folder) being converted."""

    path: Path
    size: int
    modified: datetime
    kind: SourceKind = "file"
    max_bytes: int = DEFAULT_MAX_BYTES

    @classmethod
    def from_path(cls, path: Path | str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> SourceFile:
        """Describe ``path``: a regular file, or a folder (for folder-kind converters).

        Raises :class:`ConversionError` for anything else (a FIFO, a device, a vanished file).
        """
        path = Path(path)
        try:
            st = path.stat()
        except FileNotFoundError:
            raise ConversionError("the file no longer exists", source=path) from None
        except OSError as exc:
            raise ConversionError(f"cannot read the file: {_reason(exc)}", source=path) from None
        if stat.S_ISDIR(st.st_mode):
            kind: SourceKind = "folder"
        elif stat.S_ISREG(st.st_mode):
            kind = "file"
        else:
            raise ConversionError("not a regular file", source=path)
        modified = datetime.fromtimestamp(st.st_mtime, tz=timezone.utc)
        return cls(path=path, size=st.st_size, modified=modified, kind=kind, max_bytes=max_bytes)

    @property
    def name(self) -> str:
        return self.path.name

    def read_bytes(self) -> bytes:
        """The whole file, refusing more than ``max_bytes`` and non-regular files."""
        if self.kind != "file":
            raise ConversionError("is a folder, not a file", source=self.path)
        try:
            fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        except FileNotFoundError:
            raise ConversionError(
                "the file disappeared before it was read", source=self.path
            ) from None
        except OSError as exc:
            raise ConversionError(
                f"cannot read the file: {_reason(exc)}", source=self.path
            ) from None
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise ConversionError("not a regular file", source=self.path)
            if st.st_size > self.max_bytes:
                raise ConversionError(_too_large(st.st_size, self.max_bytes), source=self.path)
            with os.fdopen(fd, "rb", closefd=True) as fh:
                fd = -1
                data = fh.read(self.max_bytes + 1)
        except OSError as exc:
            raise ConversionError(f"reading failed: {_reason(exc)}", source=self.path) from None
        finally:
            if fd >= 0:
                os.close(fd)
        if len(data) > self.max_bytes:  # grew while being read
            raise ConversionError(_too_large(len(data), self.max_bytes), source=self.path)
        return data

    def read_text(self, encodings: Sequence[str] = ("utf-8-sig",)) -> str:
        """The file decoded with the first of ``encodings`` that fits.

        A byte-order mark selects UTF-16 whatever ``encodings`` says. When none fits, the
        error names the encodings tried and where the first one failed.
        """
        data = self.read_bytes()
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            encodings = ("utf-16",)
        first_error: UnicodeDecodeError | None = None
        for encoding in encodings:
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                first_error = first_error or exc
        assert first_error is not None
        raise ConversionError(
            f"not valid text in {', '.join(encodings)}"
            f" (byte {first_error.start}: {first_error.reason})",
            source=self.path,
        )

    @functools.cached_property
    def sha256(self) -> str:
        """Hex digest of the content (of every file, by relative path, for a folder).

        Computed once, on first use, so that every id derived from it agrees.
        """
        digest = hashlib.sha256()
        if self.kind == "file":
            digest.update(self.read_bytes())
        else:
            for member in sorted(p for p in self.path.rglob("*") if p.is_file()):
                digest.update(member.relative_to(self.path).as_posix().encode() + b"\0")
                digest.update(member.read_bytes())
        return digest.hexdigest()


@dataclass(frozen=True)
class ConversionContext:
    """What a converter knows besides the file: station, defaults, process codes, logger.

    ``processes`` maps process (operation) names to codes, from the station's cached
    process list, so that :meth:`process_code` works offline.
    """

    station: StationInfo
    source: SourceFile
    operator: str = ""
    default_process_code: int | None = None
    processes: Mapping[str, int] = field(default_factory=dict)
    logger: logging.Logger = field(default_factory=lambda: logging.getLogger("pywats.converters"))

    def process_code(self, name_or_code: str | int | None = None) -> int:
        """The process code for a name or code, or the default when given ``None``.

        Raises :class:`ConversionError` when it cannot be found: a report with a wrong
        process code is worse than no report.
        """
        if name_or_code is None or name_or_code == "":
            if self.default_process_code is None:
                raise ConversionError(
                    "the file names no process and no default process code is configured",
                    source=self.source.path,
                )
            return self.default_process_code
        if isinstance(name_or_code, int) or str(name_or_code).strip().isdigit():
            return int(name_or_code)
        wanted = str(name_or_code).strip().casefold()
        for name, code in self.processes.items():
            if name.casefold() == wanted:
                return code
        raise ConversionError(f"unknown process {name_or_code!r}", source=self.source.path)

    def report_id(self, key: str | int = 0) -> uuid.UUID:
        """A report id that is the same every time this file is converted.

        Use it for reports whose file carries no id of its own, with ``key`` telling the
        reports of one file apart (e.g. the UUT's index or serial number). Converting the
        file again after a crash then yields the same ids, so the server keeps one copy.
        """
        return uuid.uuid5(_REPORT_ID_NAMESPACE, f"{self.source.sha256}:{key}")


class Converter(ABC, Generic[ParamsT]):
    """Base class of every converter. Subclass as ``Converter[MySettings]``.

    Class attributes a converter sets:

    * ``name``: unique, lower-case, the name folders refer to (``converter = "atml"``).
    * ``patterns``: file-name patterns it accepts by default (``("*.xml",)``).
    * ``api_version``: the converter API it was written for; leave the default.
    * ``source_kind``: ``"file"`` (default) or ``"folder"`` for multi-file sources.
    * ``description``: one line for listings.
    """

    name: ClassVar[str]
    patterns: ClassVar[tuple[str, ...]] = ()
    api_version: ClassVar[int] = CONVERTER_API
    source_kind: ClassVar[SourceKind] = "file"
    description: ClassVar[str] = ""
    #: The settings model, taken from the ``Converter[...]`` base by ``__init_subclass__``.
    parameters_model: ClassVar[type[ConverterParameters]] = NoParameters

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for base in getattr(cls, "__orig_bases__", ()):
            if typing.get_origin(base) is Converter:
                (model,) = typing.get_args(base)
                if isinstance(model, type) and issubclass(model, ConverterParameters):
                    cls.parameters_model = model

    def __init__(self, parameters: ParamsT | None = None) -> None:
        self.parameters: ParamsT = (
            parameters if parameters is not None else self.parameters_model()  # type: ignore[assignment]
        )

    @classmethod
    def configure(cls: type[_C], settings: Mapping[str, Any] | None = None) -> _C:
        """An instance with ``settings`` merged over the model's defaults and validated.

        Raises :class:`SettingsError` with one line per bad key.
        """
        given = dict(settings or {})
        try:
            parameters = cls.parameters_model.model_validate(given)
        except _PydanticValidationError as exc:
            # One line per key: a value that fits no member of a union is one problem.
            by_key: dict[str, list[str]] = {}
            for error in exc.errors():
                missing = error["type"] == "missing"
                key = _setting_key(error["loc"], given, missing=missing) or "(settings)"
                message = "unknown setting" if error["type"] == "extra_forbidden" else error["msg"]
                if message not in by_key.setdefault(key, []):
                    by_key[key].append(message)
            problems = [f"{key}: {'; or '.join(messages)}" for key, messages in by_key.items()]
            raise SettingsError(cls.name, problems) from None
        return cls(parameters)

    @abstractmethod
    def convert(self, source: SourceFile, context: ConversionContext) -> Sequence[Report]:
        """Turn ``source`` into one or more reports, or raise :class:`ConversionError`."""


def _setting_key(loc: Sequence[int | str], given: Any, *, missing: bool = False) -> str:
    """The dotted key of an error location, without pydantic's union-member tags
    (``operation.int``): only the parts that name something in the given settings, and
    the last one of a required setting that was not given."""
    parts: list[str] = []
    for position, part in enumerate(loc):
        in_list = isinstance(given, (list, tuple)) and isinstance(part, int) and part < len(given)
        if in_list or (isinstance(given, Mapping) and part in given):
            given = given[part]
        elif not parts or (missing and position == len(loc) - 1):
            given = None  # a key that is not there: unknown, or required and not given
        else:
            continue  # a union member's tag, not a key
        parts.append(str(part))
    return ".".join(parts)


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def _too_large(size: int, limit: int) -> str:
    return f"the file is {size:,} bytes, over the limit of {limit:,} bytes"
