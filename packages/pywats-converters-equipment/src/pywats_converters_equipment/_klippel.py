"""Klippel QC results: a folder of task files per DUT plus its ``key=value`` log file.

The source is the DUT's folder (``DUT xyz115 2020-05-14 10-01-37-5 UTC+0200/``), holding one
file per task result: curves (``Sound Pressure-resp.txt``: ``frq``, value, ``max``, ``min``)
and single values (``Impedance-values.txt``: ``name``, ``value``, ``max``, ``min``). The log
file of the same name beside it (``… UTC+0200.txt``) names the DUT and the verdicts.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from pywats_converters import CompOp, ConversionError, Converter, ReportResult, SourceFile

from ._common import EquipmentParameters, comparison, fail, new_uut, read_text

if TYPE_CHECKING:
    from pywats_converters import ConversionContext, Report, SequenceBuilder, Step

__all__ = ["KlippelParameters", "KlippelQC"]


class KlippelParameters(EquipmentParameters):
    """Settings of the Klippel converter. Klippel logs name no part number: set
    ``part_number`` (and ``revision``) for the product on the line; without it every DUT is
    refused with that message rather than filed under an invented part number.
    """

    #: the largest task file read (curves are small; anything bigger is not a task file)
    max_task_bytes: int = 16 * 1024 * 1024


# Ctrl_OverallVerdict: -1 void, 0 fail, 1 pass, 2 warning, 3 noise, 4 invalid
_VERDICTS = {
    "1": ReportResult.PASSED,
    "2": ReportResult.PASSED,
    "0": ReportResult.FAILED,
    "-1": ReportResult.ERROR,
    "3": ReportResult.ERROR,
    "4": ReportResult.ERROR,
}
_START = re.compile(
    r"^(?P<year>\d+)-(?P<month>\d+)-(?P<week>-?\d+)-(?P<yday>-?\d+)-(?P<wday>\d+)-(?P<day>\d+)"
    r"-(?P<hour>\d+)-(?P<minute>\d+)-(?P<second>\d+)-(?P<msec>\d+)-(?P<offset>-?\d+)"
)
_LISTS = (
    ("Results_Pass", "P"),
    ("Results_Warning", "P"),
    ("Results_Fail", "F"),
    ("Results_Void", "S"),
    ("Results_Noise", "F"),
    ("Results_Invalid", "F"),
)


@dataclass
class _Log:
    values: dict[str, str]
    verdicts: dict[str, str] = field(default_factory=dict)


class KlippelQC(Converter[KlippelParameters]):
    """Klippel QC DUT folder plus its log file: one report per DUT."""

    name = "klippel-qc"
    patterns = ("DUT *",)
    source_kind = "folder"
    description = "Klippel QC results (DUT folder of curve and value files plus its log)"

    def convert(self, source: SourceFile, context: ConversionContext) -> list[Report]:
        if source.kind != "folder":
            raise fail(source, "is a file: the Klippel converter reads a DUT folder")
        log_path = source.path.with_name(source.path.name + ".txt")
        if not log_path.is_file():
            raise fail(source, f"no log file {log_path.name!r} beside the DUT folder")
        log = self._log(source, log_path)
        serial = log.values.get("Cfg_SerialNumber", "").strip()
        if not serial:
            raise fail(source, f"{log_path.name}: no Cfg_SerialNumber")
        verdict = log.values.get("Ctrl_OverallVerdict", "").strip()
        if verdict not in _VERDICTS:
            raise fail(
                source,
                f"{log_path.name}: Ctrl_OverallVerdict is {verdict!r}, not -1 to 4"
                " (the log is incomplete?)",
            )
        start = self._start(source, log_path.name, log.values.get("Cfg_DutStartTime", ""))
        builder = new_uut(
            context,
            self.parameters,
            sn=serial,
            pn="",
            rev="",
            start=start,
            key=serial,
            result=_VERDICTS[verdict],
            operator=log.values.get("Cfg_UserName", "").strip(),
            sequence_name="Klippel QC",
            machine_name=log.values.get("Cfg_PCName", "").strip() or None,
        )
        for key in ("Cfg_Speaker", "Cfg_LoginMode", "Cfg_DatabasePath"):
            if log.values.get(key, "").strip():
                builder.misc_info(key, log.values[key].strip()[:100])
        if verdict == "2":
            builder.misc_info("Verdict", "Warning")
        error = log.values.get("Ctrl_ErrorGeneral", "").strip()
        if error:
            builder.uut.error_message = error
        tasks = sorted(p for p in source.path.iterdir() if p.is_file() and p.suffix == ".txt")
        if not tasks:
            raise fail(source, "the DUT folder holds no task files (*.txt)")
        seen: set[str] = set()
        sequences: dict[str, SequenceBuilder] = {}
        for path in tasks:
            task, _, result = path.stem.partition("-")
            if task not in sequences:
                sequences[task] = builder.root.sequence(task)
            seen |= self._task(source, path, sequences[task], result, log)
        unreported = [name for name in log.verdicts if name not in seen]
        if unreported:  # verdicts without data of their own: kept, not dropped
            verdicts = builder.root.sequence("Verdicts")
            for name in unreported:
                status = log.verdicts[name]
                if status == "S":
                    verdicts.pass_fail(name, True, status="S", meas_status="S")
                else:
                    verdicts.pass_fail(name, status == "P")
        return [builder.build()]

    def _log(self, source: SourceFile, path: Path) -> _Log:
        log_source = SourceFile.from_path(path, max_bytes=self.parameters.max_task_bytes)
        try:
            text = read_text(log_source, self.parameters.encodings)
        except ConversionError as exc:  # it names the log file: name the DUT folder too
            raise fail(source, str(exc)) from None
        values: dict[str, str] = {}
        for line in text.splitlines():
            if line.startswith("//") or "=" not in line:
                continue
            key, _, value = line.partition("=")
            values[key.strip()] = value
        log = _Log(values)
        for key, status in _LISTS:
            for name in values.get(key, "").split("\t"):
                if name.strip():
                    log.verdicts[name.strip()] = status
        return log

    def _start(self, source: SourceFile, log_name: str, text: str) -> datetime:
        found = _START.match(text.strip())
        if found is None:
            raise fail(source, f"{log_name}: Cfg_DutStartTime {text!r} is not a Klippel time")
        g = {k: int(v) for k, v in found.groupdict().items()}
        try:
            moment = datetime(
                g["year"],
                g["month"],
                g["day"],
                g["hour"],
                g["minute"],
                g["second"],
                g["msec"] * 1000,
            )
        except ValueError:
            raise fail(source, f"{log_name}: Cfg_DutStartTime {text!r} is no date") from None
        return moment.replace(tzinfo=timezone(timedelta(minutes=g["offset"])))

    def _task(
        self, source: SourceFile, path: Path, into: SequenceBuilder, result: str, log: _Log
    ) -> set[str]:
        if path.stat().st_size > self.parameters.max_task_bytes:
            raise fail(
                source, f"{path.name} is larger than {self.parameters.max_task_bytes:,} bytes"
            )
        task_source = SourceFile.from_path(path)
        try:
            text = read_text(task_source, self.parameters.encodings)
        except ConversionError as exc:
            raise fail(source, str(exc)) from None
        lines = [line.split("\t") for line in text.splitlines() if line.strip()]
        header = [c.strip() for c in lines[0]]
        rows = lines[1:]
        where = f"{path.name}"
        for number, cells in enumerate(rows, 2):
            if len(cells) < len(header) - 1:
                raise fail(
                    source,
                    f"{where} line {number}: {len(cells)} of {len(header)} columns"
                    " (the file is truncated?)",
                )
        if header[0] == "name":
            return self._values(source, where, into, header, rows, log)
        if header[0] == "frq":
            name = header[1] if len(header) > 1 else result
            self._curve(source, where, into, name, header, rows, log)
            return {name}
        raise fail(source, f"{where}: first column {header[0]!r} is neither 'name' nor 'frq'")

    def _values(
        self,
        source: SourceFile,
        where: str,
        into: SequenceBuilder,
        header: list[str],
        rows: list[list[str]],
        log: _Log,
    ) -> set[str]:
        names: set[str] = set()
        column = {name: index for index, name in enumerate(header)}
        for number, cells in enumerate(rows, 2):
            name = cells[0].strip()
            names.add(name)

            def cell(key: str, cells: list[str] = cells) -> str:
                index = column.get(key)
                return cells[index].strip() if index is not None and index < len(cells) else ""

            value = _number(source, where, number, cell("value"))
            high = _number(source, where, number, cell("max"))
            low = _number(source, where, number, cell("min"))
            status = log.verdicts.get(name)
            if value is None:
                step = self._no_value(into, name, status)
                step.report_text = "no value measured"
                continue
            op, lo, hi = comparison(low, high)
            computed = "P" if _inside(value, low, high) else "F"
            into.numeric(name, value, op, low=lo, high=hi, meas_status=_measured(status, computed))
        return names

    def _curve(
        self,
        source: SourceFile,
        where: str,
        into: SequenceBuilder,
        name: str,
        header: list[str],
        rows: list[list[str]],
        log: _Log,
    ) -> None:
        columns: dict[str, tuple[list[float], list[float]]] = {h: ([], []) for h in header[1:]}
        outside = 0
        for number, cells in enumerate(rows, 2):
            x = _number(source, where, number, cells[0])
            if x is None:
                raise fail(source, f"{where} line {number}: no frequency")
            point: dict[str, float | None] = {}
            for index, column in enumerate(header[1:], 1):
                y = _number(source, where, number, cells[index] if index < len(cells) else "")
                point[column] = y
                if y is not None:
                    columns[column][0].append(x)
                    columns[column][1].append(y)
            y = point.get(name)
            if y is not None and not _inside(y, point.get("min"), point.get("max")):
                outside += 1
        status = log.verdicts.get(name)
        chart = into.chart(
            name,
            label=name,
            series=[(column, xs, ys) for column, (xs, ys) in columns.items() if xs],
            chart_type="LineLogX",
            x_label="Frequency",
            x_unit="Hz",
            y_label=name,
        )
        values = columns.get(name, ([], []))[1]
        measured = _measured(status, "P" if outside == 0 else "F")
        chart.add("points outside limits", outside, CompOp.EQ, limit=0, status=measured)
        if values:
            chart.add("lowest value", min(values), status="P")
            chart.add("highest value", max(values), status="P")
        if measured == "F" and outside:
            chart.step.report_text = f"{outside} of {len(values)} points outside the limit curves"

    def _no_value(self, into: SequenceBuilder, name: str, status: str | None) -> Step:
        if status in (None, "S"):
            return into.pass_fail(name, True, status="S", meas_status="S")
        return into.pass_fail(name, status == "P")


def _number(source: SourceFile, where: str, line: int, text: str) -> float | None:
    """A number, or None for Klippel's "-" (not measured) and empty cells."""
    text = text.strip()
    if text in ("", "-"):
        return None
    try:
        value = float(text)
    except ValueError:
        raise fail(source, f"{where} line {line}: {text!r} is not a number") from None
    return None if math.isnan(value) else value


def _inside(value: float, low: float | None, high: float | None) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)


def _measured(verdict: str | None, computed: str) -> str:
    """Klippel's own verdict for the result wins over the one computed from the limits."""
    return computed if verdict is None else ("F" if verdict == "F" else verdict)
