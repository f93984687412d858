"""The Converters page's work: installed converters, their status and last results, and
each watched folder's converter settings, edited through a form made from the
converter's own parameters.

The station's process never imports converter code: what a converter is and what its
settings look like comes from a worker (``Runner.describe``, cached), and new settings are
validated by the converter's own model in a worker (``Runner.check_settings``) before
anything is written. Good settings go into ``station.toml`` through the Settings page's
writer (atomic, ``station.toml.bak`` kept, logged with what changed) and the running
folder uses them from its next file on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pywats_converters import CONVERTER_API
from pywats_converters.runner import ConverterInfo, SettingField, setting_fields
from pywats_station._config import ConfigError, StationConfig
from pywats_station._filelog import FileRecord
from pywats_station.web._settings import StationSettings

if TYPE_CHECKING:
    from pywats_station._intake_service import IntakeService

__all__ = [
    "ConverterRow",
    "ConvertersView",
    "FolderForm",
    "FormField",
    "SaveResult",
    "StationConverters",
    "FIELD_PREFIX",
    "RECENT_FILES",
]

log = logging.getLogger("pywats_station.console")

#: Form fields carrying settings are named ``s.<key>`` (apart from ``path`` and the token).
FIELD_PREFIX = "s."
#: How many of the newest ``files.db`` records "last results" counts.
RECENT_FILES = 500


@dataclass(frozen=True)
class ConverterRow:
    """One converter as the page lists it."""

    name: str
    status: str  # ok, incompatible, import failed, not installed
    error: str = ""
    api_version: int | None = None
    version: str = ""
    source: str = ""  # the distribution, or [intake.converters]
    entry_point: str = ""
    description: str = ""
    patterns: tuple[str, ...] = ()
    folders: tuple[str, ...] = ()
    queued: int = 0  # among the newest RECENT_FILES records
    failed: int = 0
    last_handled: float | None = None
    last_failure: str = ""


@dataclass(frozen=True)
class FormField:
    """One setting in a folder's form: what the converter says about it, and its value
    in ``station.toml`` (empty when unset: the converter's default applies)."""

    spec: SettingField
    value: str
    known: bool = True  # False: in station.toml, but not a setting of this converter
    problem: str = ""


@dataclass(frozen=True)
class FolderForm:
    index: int
    path: str
    converter: str
    watched: bool
    state: str  # what a person reads: watched, or why not
    usable: bool  # the converter loaded: its settings can be edited
    fields: tuple[FormField, ...] = ()


@dataclass(frozen=True)
class ConvertersView:
    api: int
    converters: list[ConverterRow]
    folders: list[FolderForm]
    recent: int = RECENT_FILES
    config_problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SaveResult:
    problems: list[str]
    changed: bool = False  # station.toml was written
    applied: bool = False  # the running folder uses the new settings
    fields: dict[str, str] = field(default_factory=dict)  # what was typed, to show again


def _results(records: list[FileRecord]) -> dict[str, dict[str, Any]]:
    by_converter: dict[str, dict[str, Any]] = {}
    for record in records:  # newest first
        seen = by_converter.setdefault(
            record.converter, {"queued": 0, "failed": 0, "last_handled": record.handled}
        )
        seen[record.outcome] += 1
        if record.outcome == "failed" and "last_failure" not in seen:
            seen["last_failure"] = record.message
    return by_converter


def _form_fields(
    info: ConverterInfo | None,
    settings: Mapping[str, Any],
    typed: Mapping[str, str] | None = None,
    problems: Mapping[str, str] | None = None,
) -> tuple[FormField, ...]:
    specs = setting_fields(info.parameters_schema) if info is not None else []
    known = {s.name for s in specs}
    # Keys in station.toml the converter does not know: shown, so they can be cleared.
    specs += [SettingField(name=k, kind="json", title=k) for k in settings if k not in known]
    fields = []
    for spec in specs:
        value = spec.as_text(settings[spec.name]) if spec.name in settings else ""
        if typed is not None and spec.name in typed:
            value = typed[spec.name]
        problem = (problems or {}).get(spec.name, "")
        fields.append(FormField(spec, value, known=spec.name in known, problem=problem))
    return tuple(fields)


def _key_of(problem: str) -> str:
    return problem.split(":", 1)[0].split(".", 1)[0].strip()


class StationConverters:
    """The Converters page over a running intake and the station's config file."""

    def __init__(self, settings: StationSettings, intake: IntakeService) -> None:
        self.settings = settings
        self.intake = intake

    async def _infos(self) -> dict[str, ConverterInfo]:
        infos = await asyncio.to_thread(self.intake.runner.describe)
        return {info.name: info for info in infos}

    async def _config(self) -> tuple[StationConfig | None, list[str]]:
        """station.toml as it is now, or why it cannot be read (a hand edit gone wrong)."""
        try:
            return await asyncio.to_thread(self.settings.config), []
        except ConfigError as exc:
            return None, list(exc.problems)
        except (OSError, ValueError) as exc:  # unreadable, or not TOML
            return None, [str(exc)]

    def _folder_state(self, path: Path) -> tuple[bool, str]:
        if str(path) in self.intake.folders:
            return True, "watched"
        for refused in self.intake.refused:
            if refused.path == path:
                return False, f"not watched: {refused.reason}"
        return False, "not watched: added after the station started; restart the station"

    async def view(self, form: tuple[int, SaveResult] | None = None) -> ConvertersView:
        """Everything the page shows; ``form`` shows one folder's refused input again."""
        infos = await self._infos()
        records = await asyncio.to_thread(self.intake.file_log.recent, limit=RECENT_FILES)
        results = _results(records)
        config, config_problems = await self._config()
        folders = config.folders if config is not None else []
        forms = []
        for index, folder in enumerate(folders):
            info = infos.get(folder.converter)
            watched, state = self._folder_state(folder.path)
            typed: dict[str, str] | None = None
            by_key: dict[str, str] = {}
            if form is not None and form[0] == index:
                typed = form[1].fields
                by_key = {_key_of(p): p for p in form[1].problems}
            forms.append(
                FolderForm(
                    index=index,
                    path=str(folder.path),
                    converter=folder.converter,
                    watched=watched,
                    state=state,
                    usable=info is not None and info.status == "ok",
                    fields=_form_fields(info, folder.settings, typed, by_key),
                )
            )
        users: dict[str, list[str]] = {}
        for f in forms:
            users.setdefault(f.converter, []).append(f.path)
        rows = []
        for name in sorted(set(infos) | set(users)):
            info = infos.get(name)
            seen = results.get(name, {})
            common: dict[str, Any] = {
                "folders": tuple(users.get(name, ())),
                "queued": seen.get("queued", 0),
                "failed": seen.get("failed", 0),
                "last_handled": seen.get("last_handled"),
                "last_failure": seen.get("last_failure", ""),
            }
            if info is None:
                rows.append(ConverterRow(name=name, status="not installed", **common))
                continue
            registered = info.distribution == "(registered)"
            rows.append(
                ConverterRow(
                    name=name,
                    status=info.status,
                    error=info.error,
                    api_version=info.api_version,
                    version=info.distribution_version,
                    source="[intake.converters]" if registered else info.distribution,
                    entry_point=info.entry_point,
                    description=info.description,
                    patterns=info.patterns,
                    **common,
                )
            )
        return ConvertersView(CONVERTER_API, rows, forms, config_problems=config_problems)

    async def update(self, index: int, path: str, typed: Mapping[str, str]) -> SaveResult:
        """Set folder ``index``'s converter settings from typed-in text (``key -> text``;
        empty: the converter's default). Validated by the converter's own model; one
        problem per bad key and nothing written when any is bad."""
        async with self.settings.lock:
            config, problems = await self._config()
            if config is None:
                return SaveResult([f"station.toml: {p}" for p in problems], fields=dict(typed))
            if not 0 <= index < len(config.folders) or str(config.folders[index].path) != path:
                return SaveResult(
                    ["folders: the list of folders changed meanwhile; reload the page"]
                )
            folder = config.folders[index]
            info = (await self._infos()).get(folder.converter)
            if info is None or info.status != "ok":
                why = "not installed" if info is None else f"{info.status}: {info.error}"
                return SaveResult([f"converter {folder.converter!r} cannot be used: {why}"])
            new = dict(folder.settings)
            for spec in (f.spec for f in _form_fields(info, folder.settings)):
                if spec.name not in typed:
                    continue
                text = typed[spec.name] if spec.kind == "text" else typed[spec.name].strip()
                value = spec.parse(text) if text != "" else None
                if value is None:  # empty (or null): unset, the converter's default applies
                    new.pop(spec.name, None)
                else:
                    new[spec.name] = value
            problems = await asyncio.to_thread(
                self.intake.runner.check_settings, folder.converter, new
            )
            if problems:
                log.info(
                    "console: settings of folder %s refused: %s", folder.path, "; ".join(problems)
                )
                return SaveResult(list(problems), fields=dict(typed))
            changes = [
                f"folders[{index}] ({folder.path}) settings.{key}: "
                f"{folder.settings.get(key)!r} -> {new.get(key)!r}"
                for key in sorted(set(folder.settings) | set(new))
                if folder.settings.get(key) != new.get(key)
            ]
            if not changes:
                return SaveResult([])
            data = self.settings.raw()
            data["folders"][index]["settings"] = new
            problems = await self.settings.write(data, changes)
            if problems:
                return SaveResult(problems, fields=dict(typed))
            saved = (await asyncio.to_thread(self.settings.config)).folders[index].settings
        applied = self.intake.retune(folder.path, saved)
        if applied:
            log.info("console: folder %s uses its new settings from the next file", folder.path)
        return SaveResult([], changed=True, applied=applied)
