"""SPEA ICT 3030 semicolon logs (``.csv``): many boards per file, one row per test.

A board runs from ``START`` to ``END``; ``ANL`` rows are analog (in-circuit) tests,
``FUNC`` rows functional tests, both with the same columns::

    ANL;site;ref;test;sub;name;;PASS;9.046875e+00;1.000000e+00;1.200000e+01;V;pins;id
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from pywats_converters import Converter, ReportResult

from ._common import EquipmentParameters, comparison, fail, new_uut, read_text

if TYPE_CHECKING:
    from pywats_converters import ConversionContext, Report, SequenceBuilder, SourceFile

__all__ = ["SpeaICT3030", "SpeaParameters"]


class SpeaParameters(EquipmentParameters):
    """Settings of the SPEA ICT 3030 converter.

    ``part_number_source``: ``program`` (default) uses the program name of the ``START``
    row (its third field), ``setting`` the ``part_number`` setting.
    """

    part_number_source: Literal["program", "setting"] = "program"


# Component letters of the test reference -> the sequence its tests are grouped in.
_COMPONENTS = {
    "R": "Resistors",
    "RP": "Resistors",
    "RS": "Resistors",
    "C": "Capacitors",
    "CS": "Capacitors",
    "CP": "Capacitors",
    "DSC": "Capacitors",
    "L": "Inductors",
    "D": "Diodes",
    "DZ": "Zener diodes",
    "Q": "Transistors",
    "CON": "Connectors",
    "SHO": "Shorts",
    "TC": "Thermocouples",
    "PTC": "PTC",
    "F": "Fuses",
    "J": "Jumpers",
    "T": "Transformers",
    "ISO": "Isolators",
    "U": "ICs",
}
_LETTERS = re.compile(r"[A-Za-z]+")
_RESULTS = {"PASS": "P", "FAIL": "F"}


@dataclass
class _Board:
    line: int
    fields: list[str]
    date_order: str
    sn: str = ""
    rows: list[tuple[int, list[str]]] = field(default_factory=list)


class SpeaICT3030(Converter[SpeaParameters]):
    """SPEA ICT 3030 semicolon log: one report per board (``START`` … ``END``)."""

    name = "spea-ict-3030"
    patterns = ("*.csv", "*.CSV")
    description = "SPEA 3030 in-circuit tester semicolon logs"

    def convert(self, source: SourceFile, context: ConversionContext) -> list[Report]:
        text = read_text(source, self.parameters.encodings)
        reports: list[Report] = []
        board: _Board | None = None
        date_order = "mmdd"
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            fields = line.split(";")
            kind = fields[0]
            if kind == "FORMAT":
                date_order = fields[1].strip().lower() if len(fields) > 1 else ""
                if date_order not in ("mmdd", "ddmm"):
                    raise fail(source, f"line {number}: date format {date_order!r} is unknown")
            elif kind == "START":
                if board is not None:
                    raise fail(
                        source,
                        f"line {number}: the board started on line {board.line}"
                        " has no END row before the next START",
                    )
                if len(fields) < 8:
                    raise fail(source, f"line {number}: START row has {len(fields)} of 8 fields")
                board = _Board(number, fields, date_order)
            elif board is None:
                raise fail(source, f"line {number}: {kind!r} row outside a board (no START)")
            elif kind in ("ANL", "FUNC"):
                if len(fields) < 12:
                    raise fail(source, f"line {number}: {kind} row has {len(fields)} of 12 fields")
                board.rows.append((number, fields))
            elif kind == "SN":
                board.sn = fields[1].strip() if len(fields) > 1 else ""
            elif kind == "END":
                reports.append(self._report(source, context, board, number, fields))
                board = None
            elif kind not in ("LOT", "BOARDRESULT"):
                raise fail(source, f"line {number}: {kind!r} is no SPEA 3030 row")
        if board is not None:
            raise fail(
                source,
                f"the board started on line {board.line} has no END row"
                " (the file is truncated or still being written)",
            )
        if not reports:
            raise fail(source, "no board (START … END) in the file")
        return reports

    def _when(self, source: SourceFile, number: int, order: str, day: str, time: str) -> datetime:
        try:
            first, second, year = (int(x) for x in day.strip().split("/"))
            month, dom = (first, second) if order == "mmdd" else (second, first)
            hour, minute, sec = (int(x) for x in time.strip().split(":"))
            return datetime(year, month, dom, hour, minute, sec)
        except ValueError:
            raise fail(source, f"line {number}: {day} {time!r} is not a date and time") from None

    def _report(
        self,
        source: SourceFile,
        context: ConversionContext,
        board: _Board,
        end_line: int,
        end: list[str],
    ) -> Report:
        p = self.parameters
        if not board.sn:
            raise fail(
                source, f"the board started on line {board.line} has no serial number (SN row)"
            )
        if len(end) < 4:
            raise fail(source, f"line {end_line}: END row has {len(end)} of 4 fields")
        verdict = end[1].strip().upper()
        if verdict not in _RESULTS:
            raise fail(source, f"line {end_line}: board result {end[1]!r} is not PASS or FAIL")
        start_fields = board.fields
        start = self._when(source, board.line, board.date_order, start_fields[6], start_fields[7])
        finish = self._when(source, end_line, board.date_order, end[2], end[3])
        program = start_fields[2].strip()
        builder = new_uut(
            context,
            p,
            sn=board.sn,
            pn=program if p.part_number_source == "program" else "",
            rev="",
            start=start,
            key=f"{board.line}:{board.sn}",
            result=ReportResult(_RESULTS[verdict]),
            operator=start_fields[5].strip(),
            sequence_name=program or "MainSequence",
        )
        seq_call = builder.root.step.seq_call
        assert seq_call is not None
        seq_call.version = start_fields[3].strip() or None
        builder.uut.exec_time = max(0.0, (finish - start).total_seconds())
        current: SequenceBuilder | None = None
        current_group = ""
        for number, fields in board.rows:
            group = "Functional tests" if fields[0] == "FUNC" else _group(fields[2])
            if current is None or group != current_group:
                current = builder.root.sequence(group)
                current_group = group
            self._step(source, current, number, fields)
        return builder.build()

    def _step(self, source: SourceFile, into: SequenceBuilder, number: int, row: list[str]) -> None:
        name = row[5].strip() or row[2].strip()
        verdict = row[7].strip().upper()
        if verdict.startswith("PASS"):
            status = "P"
        elif verdict.startswith("FAIL"):
            status = "F"
        else:
            raise fail(source, f"line {number}: test result {row[7]!r} is not PASS or FAIL")
        value, low, high = _number(row[8]), _number(row[9]), _number(row[10])
        unit = row[11].strip()
        if value is None:
            # "Automatic" (learned limits) or "-NAN": the tester's verdict is all there is
            step = into.pass_fail(name, status == "P")
            step.report_text = f"value {row[8].strip() or '(none)'}"
        elif value == 0 and not low and not high:
            step = into.pass_fail(name, status == "P")
        else:
            # 0 is SPEA's "no limit"
            op, low_limit, high_limit = comparison(low or None, high or None)
            step = into.numeric(
                name, value, op, low=low_limit, high=high_limit, unit=unit, meas_status=status
            )
        if status == "F" and verdict != "FAIL":
            step.error_message = verdict  # FAIL(+) above, FAIL(-) below, FAIL(+/-)
        if len(row) > 12 and row[12].strip():
            step.report_text = ((step.report_text or "") + f" pins {row[12].strip()}").strip()


def _group(reference: str) -> str:
    letters = _LETTERS.match(reference.strip())
    if letters is None:
        return reference.strip() or "Tests"
    return _COMPONENTS.get(letters.group(0).upper(), letters.group(0))


def _number(text: str) -> float | None:
    text = text.strip()
    if not text:
        return 0.0
    try:
        value = float(text)
    except ValueError:
        return None
    return None if value != value or value in (float("inf"), float("-inf")) else value
