"""Listen SoundCheck auto-save logs: tab-separated results and curves, in US or EU numbers.

Rows start with serial number, time and lot. A results table (header ``Serial #: Time:
Lot #: Name Margin Unit Result Tolerance Limits``, optionally with ``Operator:``) gives one
row per measured value; a curve is a header row (``Serial #: … <name> … x axis log … <x
unit> <y unit>``) followed by an x row and a y row. Consecutive rows of one serial number
are one unit under test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from pywats_converters import CompOp, Converter, ReportResult

from ._common import EquipmentParameters, fail, new_uut, read_text

if TYPE_CHECKING:
    from pywats_converters import ConversionContext, Report, SequenceBuilder, SourceFile

__all__ = ["ListenParameters", "ListenSoundCheck"]


class ListenParameters(EquipmentParameters):
    """Settings of the SoundCheck converter.

    ``number_format``: ``us`` (``95.50``, dates month/day/year with AM/PM), ``eu``
    (``100,00``, dates day-month-year), or ``auto`` (default), which decides per file from
    the decimal separator it finds. The lot number is the part number unless
    ``part_number_source`` is ``setting``.
    """

    number_format: Literal["auto", "us", "eu"] = "auto"
    part_number_source: Literal["lot", "setting"] = "lot"
    #: drop the labels operators type into the fields: "S/N 13" -> "13", "P/N #12345" -> "12345"
    strip_labels: bool = True


_US_DATES = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%m-%d-%Y %I:%M:%S %p")
_EU_DATES = ("%d-%m-%Y %H:%M:%S", "%d.%m.%Y %H:%M:%S", "%d/%m/%Y %H:%M:%S")
_EU_NUMBER = re.compile(r"^-?\d[\d.]*,\d+$")
_US_NUMBER = re.compile(r"^-?\d[\d,]*\.\d+$")
_LIMIT_SUFFIX = re.compile(r"^(?P<base>.*?)(?: Limit)? (?P<side>Upper|Lower) Limit$")
_SERIAL_LABEL = re.compile(r"^(?:S/N|SN)\s*[:#]?\s*", re.IGNORECASE)
_PART_LABEL = re.compile(r"^(?:P/N|PN)\s*[:#]?\s*#?\s*", re.IGNORECASE)
_STATUS = {"PASS": "P", "PASSED": "P", "FAIL": "F", "FAILED": "F"}


@dataclass
class _Curve:
    name: str
    series: str
    x_unit: str
    y_unit: str
    chart_type: str
    line: int
    xs: list[float] = field(default_factory=list)
    ys: list[float] = field(default_factory=list)


@dataclass
class _Unit:
    serial: str
    line: int
    time: str
    lot: str
    operator: str = ""
    results: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    curves: list[_Curve] = field(default_factory=list)


class ListenSoundCheck(Converter[ListenParameters]):
    """Listen SoundCheck tab-separated log: one report per serial number."""

    name = "listen-soundcheck"
    patterns = ("*.txt",)
    description = "Listen SoundCheck auto-save logs (US and EU number formats)"

    def convert(self, source: SourceFile, context: ConversionContext) -> list[Report]:
        text = read_text(source, self.parameters.encodings)
        rows = [
            (number, line.split("\t"))
            for number, line in enumerate(text.splitlines(), 1)
            if line.strip()
        ]
        eu = self._is_eu(rows)
        units = self._units(source, rows, eu)
        if not units:
            raise fail(source, "no rows with a serial number: not a SoundCheck log")
        return [self._report(source, context, unit, index, eu) for index, unit in enumerate(units)]

    def _is_eu(self, rows: list[tuple[int, list[str]]]) -> bool:
        chosen = self.parameters.number_format
        if chosen != "auto":
            return chosen == "eu"
        eu = us = 0
        for _, cells in rows[:50]:
            for cell in cells[3:]:
                cell = cell.strip()
                eu += bool(_EU_NUMBER.match(cell))
                us += bool(_US_NUMBER.match(cell))
        return eu > us

    def _units(
        self, source: SourceFile, rows: list[tuple[int, list[str]]], eu: bool
    ) -> list[_Unit]:
        units: list[_Unit] = []
        table: list[str] | None = None
        curve_header: tuple[int, list[str]] | None = None
        pending_x: tuple[int, list[float]] | None = None
        for number, cells in rows:
            first = cells[0].strip()
            if first == "Serial #:":
                if len(cells) > 5 and cells[5].strip().startswith("x data"):
                    curve_header, pending_x = (number, cells), None
                else:
                    table = [c.strip().rstrip(":").strip() for c in cells]
                continue
            if len(cells) < 4 or not first:
                raise fail(source, f"line {number}: {len(cells)} columns, no serial number")
            is_result = table is not None and len(cells) == len(table) and pending_x is None
            names = table if is_result and table is not None else _header_names(curve_header)
            row = dict(zip(names, (c.strip() for c in cells), strict=False))
            unit = units[-1] if units and units[-1].serial == first else None
            if unit is None:
                unit = _Unit(first, number, row.get("Time", ""), row.get("Lot #", ""))
                units.append(unit)
            if is_result:
                unit.results.append((number, row))
                unit.operator = unit.operator or row.get("Operator", "")
                continue
            if curve_header is None:
                raise fail(source, f"line {number}: curve data without a curve header")
            values = [_number(source, number, cell, eu) for cell in cells[3:] if cell.strip() != ""]
            if pending_x is None:
                pending_x = (number, values)
                continue
            x_line, xs = pending_x
            pending_x = None
            if len(xs) != len(values):
                raise fail(
                    source,
                    f"line {number}: {len(values)} y values for {len(xs)} x values (line {x_line})",
                )
            unit.curves.append(_curve(curve_header, x_line, xs, values))
        if pending_x is not None:
            raise fail(
                source,
                f"line {pending_x[0]}: curve x values without their y row"
                " (the file is truncated or still being written)",
            )
        return units

    def _report(
        self, source: SourceFile, context: ConversionContext, unit: _Unit, index: int, eu: bool
    ) -> Report:
        p = self.parameters
        failed = any(_STATUS.get(row.get("Result", "").upper()) == "F" for _, row in unit.results)
        serial, lot = unit.serial, unit.lot
        if p.strip_labels:
            serial, lot = _SERIAL_LABEL.sub("", serial), _PART_LABEL.sub("", lot)
        builder = new_uut(
            context,
            p,
            sn=serial,
            pn=lot if p.part_number_source == "lot" else "",
            rev="",
            start=_date(source, unit.line, unit.time, eu),
            key=f"{index}:{unit.serial}",
            result=ReportResult.FAILED if failed else ReportResult.PASSED,
            operator=unit.operator,
            sequence_name="SoundCheck",
        )
        for number, row in unit.results:
            self._result(source, builder.root, number, row, eu)
        charts: dict[str, list[_Curve]] = {}
        for curve in unit.curves:
            charts.setdefault(curve.name, []).append(curve)
        for name, curves in charts.items():
            first = curves[0]
            builder.root.chart(
                name,
                label=name,
                series=[(c.series, c.xs, c.ys) for c in curves],
                chart_type=first.chart_type,
                x_label="Frequency" if first.x_unit == "Hz" else "X",
                x_unit=first.x_unit or None,
                y_label=name,
                y_unit=first.y_unit or None,
            )
        return builder.build()

    def _result(
        self, source: SourceFile, into: SequenceBuilder, number: int, row: dict[str, str], eu: bool
    ) -> None:
        name = row.get("Name", "")
        if not name:
            raise fail(source, f"line {number}: result row without a name")
        verdict = row.get("Result", "").upper()
        if verdict not in _STATUS:
            raise fail(source, f"line {number}: result {row.get('Result')!r} is not PASS or FAIL")
        value = _number(source, number, row.get("Margin", ""), eu)
        unit = row.get("Unit") or None
        limits = row.get("Limits", "")
        tolerance = row.get("Tolerance", "")
        status = _STATUS[verdict]
        if "/" in limits and tolerance.lower().startswith("max/min"):
            high_text, low_text = limits.split("/", 1)
            high = _number(source, number, high_text, eu)
            low = _number(source, number, low_text, eu)
            step = into.numeric(
                name, value, CompOp.GELE, low=low, high=high, unit=unit, meas_status=status
            )
        else:  # a margin against tolerance curves: the curves are the limits
            step = into.numeric(name, value, CompOp.LOG, unit=unit, meas_status=status)
            step.report_text = ": ".join(t for t in (tolerance, limits) if t) or None


def _header_names(header: tuple[int, list[str]] | None) -> list[str]:
    """Column names of a header row without their colons (``Lot #:`` -> ``Lot #``)."""
    if header is None:
        return ["Serial #", "Time", "Lot #"]
    return [c.strip().rstrip(":").strip() for c in header[1]]


def _curve(header: tuple[int, list[str]], x_line: int, xs: list[float], ys: list[float]) -> _Curve:
    line, cells = header
    title = cells[3].strip()
    axis = next((i for i, c in enumerate(cells) if c.strip().startswith("x axis")), None)
    x_unit = y_unit = ""
    chart_type = "Line"
    if axis is not None:
        x_unit = cells[axis + 4].strip() if len(cells) > axis + 4 else ""
        y_unit = cells[axis + 5].strip() if len(cells) > axis + 5 else ""
        log_x = cells[axis].strip().endswith("log")
        log_y = len(cells) > axis + 1 and cells[axis + 1].strip().endswith("log")
        chart_type = {(True, True): "LineLogXY", (True, False): "LineLogX"}.get(
            (log_x, log_y), "LineLogY" if log_y else "Line"
        )
    limit = _LIMIT_SUFFIX.match(title)
    if limit and line != x_line - 1:
        # data rows after a limit curve's own rows: the measured curve of the same chart
        return _Curve(limit["base"], "Measured", x_unit, y_unit, chart_type, x_line, xs, ys)
    if limit:
        return _Curve(
            limit["base"], f"{limit['side']} limit", x_unit, y_unit, chart_type, x_line, xs, ys
        )
    return _Curve(title, title, x_unit, y_unit, chart_type, x_line, xs, ys)


_STRICT_US = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][+-]?\d+)?$")
_STRICT_EU = re.compile(r"^[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?(?:[eE][+-]?\d+)?$")


def _number(source: SourceFile, line: int, text: str, eu: bool) -> float:
    """A number in the file's format; the other format's numbers are refused, not misread."""
    cleaned = text.strip()
    if (_STRICT_EU if eu else _STRICT_US).match(cleaned):
        cleaned = cleaned.replace(".", "").replace(",", ".") if eu else cleaned.replace(",", "")
        return float(cleaned)
    style = "EU (1.234,5)" if eu else "US (1,234.5)"
    raise fail(source, f"line {line}: {cleaned!r} is not a number in {style} format")


def _date(source: SourceFile, line: int, text: str, eu: bool) -> datetime:
    for pattern in _EU_DATES if eu else _US_DATES:
        try:
            return datetime.strptime(text.strip(), pattern)
        except ValueError:
            continue
    style = "EU (day-month-year)" if eu else "US (month/day/year)"
    raise fail(source, f"line {line}: time {text.strip()!r} is not a {style} date")
