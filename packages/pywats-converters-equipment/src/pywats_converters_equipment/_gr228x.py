"""Teradyne ICT GR228X logs (``.LOG``), plain and with the ``WATS_*`` extension lines.

One log holds many boards. A board runs from its ``@date SN serial`` line to an event line
(``"`` passed, ``/`` failed, ``?``/``!`` aborted, ``*``/``&`` error). Between them: the
general failures (``(F``, ``(S``, ``(O``, ``(B``, ``(C``), one line per measurement
(``R508=100.2K(92.9K,105.1K)R``) and, in the extended variant, ``WATS_key=value`` lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import PureWindowsPath
from typing import TYPE_CHECKING, Literal

from pywats_converters import CompOp, Converter, ReportResult

from ._common import EquipmentParameters, comparison, fail, new_uut, read_text

if TYPE_CHECKING:
    from pywats_converters import ConversionContext, Report, SequenceBuilder, SourceFile

__all__ = ["GR228XParameters", "TeradyneGR228X"]


class GR228XParameters(EquipmentParameters):
    """Settings of the GR228X converter.

    ``part_number_source``: ``program`` takes the part number from the test program's file
    name with ``part_number_pattern`` (its ``pn`` group; default: up to the first ``_``),
    ``file_name`` from the log's own name up to the first dot, ``setting`` from
    ``part_number``. A ``WATS_partNumber=`` line always wins.
    """

    part_number_source: Literal["program", "file_name", "setting"] = "program"
    part_number_pattern: str = r"^(?P<pn>[^_]+)"
    #: a board that was aborted before any test ran is not worth a report
    skip_empty_aborted: bool = True
    #: ``ignore`` skips lines that are no GR228X record instead of refusing the file
    unknown_lines: Literal["error", "ignore"] = "error"


# Prefixes of values and limits, as powers of ten.
_PREFIX = {"P": -12, "N": -9, "U": -6, "M": -3, "": 0, "K": 3, "MEG": 6}
# Test type (after the limits) -> SI unit of the normalised value.
_UNIT = {
    "R": "Ω",
    "AR": "",
    "RP": "Ω",
    "RS": "Ω",
    "ZM": "Ω",
    "XS": "Ω",
    "XP": "Ω",
    "CP": "F",
    "CS": "F",
    "LP": "H",
    "LS": "H",
    "V": "V",
    "VS": "V",
    "DC": "V",
    "AC": "V",
    "AV": "V",
    "AY": "",
    "I": "A",
    "IS": "A",
    "AI": "A",
    "HZ": "Hz",
    "S": "s",
    "TI": "s",
    "EV": "",
    "RA": "",
    "DD": "",
    "QQ": "",
    "PS": "",
}
_GENERAL_FAILURES = {
    "S": "Shorts",
    "O": "Opens",
    "B": "Bus test",
    "C": "Scratch probing",
    "F": "Fixture contact",
}
_EVENTS: dict[str, ReportResult | None] = {
    '"': ReportResult.PASSED,
    "/": ReportResult.FAILED,
    "?": ReportResult.TERMINATED,
    "!": ReportResult.TERMINATED,
    "*": ReportResult.ERROR,
    "&": ReportResult.ERROR,
    "]": None,  # return to diagnose: an operator action, not a verdict
}
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), 1
    )
}

_NUM = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_PFX = r"MEG|[PNUMK]?"
_PROGRAM = re.compile(r"^(?P<path>[^\[]*\.obc)\[(?P<when>.+)$", re.IGNORECASE)
_START = re.compile(r"^@(?P<when>\S+\s+\S+)(?:\s+SN\b\s*(?P<sn>.*))?$")
_EVENT = re.compile(r"^(?P<event>[\"/?!*&\]])(?P<when>\d.*)$")
_GENERAL = re.compile(r"^\((?P<key>[SOBCF]) *(?P<info>.*)$")
_EXTENSION = re.compile(r"^WATS_(?P<key>\w+)=(?P<value>.*)$")
_SOCKET = re.compile(r"^TOP_OF_LOOP-(?P<socket>[A-H])\b")
_MEASURE = re.compile(
    rf"^(?P<ref>[^=<>#%\s(][^=<>#%]*?)(?P<result>[=<>#%])"
    rf"(?:(?P<value>{_NUM})(?P<vu>{_PFX}))?"
    rf"(?:\((?:(?P<low>{_NUM})(?P<lu>{_PFX}))?,(?:(?P<high>{_NUM})(?P<hu>{_PFX}))?\))?"
    rf"(?P<type>[A-Z]*) *(?:=?(?P<message>.*))$"
)


@dataclass
class _Row:
    line: int
    kind: Literal["measure", "general"]
    match: re.Match[str]


@dataclass
class _Board:
    line: int
    start: datetime
    sn: str
    rows: list[_Row] = field(default_factory=list)
    extensions: dict[str, str] = field(default_factory=dict)
    socket: int | None = None


class TeradyneGR228X(Converter[GR228XParameters]):
    """Teradyne ICT GR228X ``.LOG``: one report per board."""

    name = "teradyne-gr228x"
    patterns = ("*.LOG", "*.log")
    description = "Teradyne ICT GR228X logs, plain and with WATS_ extension lines"

    def convert(self, source: SourceFile, context: ConversionContext) -> list[Report]:
        p = self.parameters
        text = read_text(source, p.encodings)
        program: PureWindowsPath | None = None
        board: _Board | None = None
        boards = 0
        reports: list[Report] = []
        for number, raw in enumerate(text.splitlines(), 1):
            line = raw.rstrip()
            if line.endswith(" +"):  # continued list of nodes
                line = line[:-2].rstrip()
            if not line.strip():
                continue
            if m := _PROGRAM.match(line):
                program = PureWindowsPath(m["path"])
                continue
            if m := _START.match(line):
                if board is not None:
                    raise fail(
                        source,
                        f"line {number}: board {board.sn!r} started on line {board.line}"
                        " has no end-of-test line before the next board",
                    )
                sn = (m["sn"] or "").strip()
                if not sn:
                    raise fail(source, f"line {number}: board start has no serial number (SN)")
                board = _Board(number, self._when(source, number, m["when"]), sn)
                continue
            if m := _EVENT.match(line):
                outcome = _EVENTS[m["event"]]
                if board is None or outcome is None:
                    continue
                end = self._when(source, number, m["when"])
                boards += 1
                report = self._report(source, context, program, board, outcome, end)
                if report is not None:
                    reports.append(report)
                board = None
                continue
            if board is None:
                if p.unknown_lines == "error":
                    raise fail(source, f"line {number}: {line[:60]!r} outside any board")
                continue
            if m := _EXTENSION.match(line):
                board.extensions[m["key"]] = m["value"].strip()
            elif m := _SOCKET.match(line):
                board.socket = ord(m["socket"]) - ord("A")
            elif m := _GENERAL.match(line):
                board.rows.append(_Row(number, "general", m))
            elif m := _MEASURE.match(line):
                board.rows.append(_Row(number, "measure", m))
            elif p.unknown_lines == "error":
                raise fail(source, f"line {number}: {line[:60]!r} is no GR228X record")
        if board is not None:
            raise fail(
                source,
                f"board {board.sn!r} started on line {board.line} has no end-of-test line"
                " (the file is truncated or still being written)",
            )
        if program is None:
            raise fail(source, "no test program line (PATH.obc[date): not a GR228X log")
        if not boards:
            raise fail(source, "no board (@date SN serial … verdict) in the log")
        return reports

    def _when(self, source: SourceFile, number: int, text: str) -> datetime:
        parts = text.split()
        try:
            day, month, year = parts[0].split("-")
            hour, minute, second = (int(x) for x in parts[1].split(":"))
            return datetime(
                2000 + int(year) if len(year) == 2 else int(year),
                _MONTHS[month.upper()],
                int(day),
                hour,
                minute,
                second,
            )
        except (ValueError, KeyError, IndexError):
            raise fail(
                source, f"line {number}: {text!r} is not a date (31-JUL-12 14:18:51)"
            ) from None

    def _part_number(self, source: SourceFile, program: PureWindowsPath | None) -> str:
        p = self.parameters
        if p.part_number_source == "program" and program is not None:
            found = re.search(p.part_number_pattern, program.stem)
            if found and found.groupdict().get("pn"):
                return found["pn"]
        if p.part_number_source == "file_name":
            return source.name.split(".", 1)[0]
        return p.part_number

    def _report(
        self,
        source: SourceFile,
        context: ConversionContext,
        program: PureWindowsPath | None,
        board: _Board,
        outcome: ReportResult,
        end: datetime,
    ) -> Report | None:
        p = self.parameters
        if outcome is ReportResult.TERMINATED and not board.rows and p.skip_empty_aborted:
            context.logger.info("%s: board %s aborted before any test", source.name, board.sn)
            return None
        ext = board.extensions
        sequence = ext.get("sequenceName") or (program.name if program else "MainSequence")
        builder = new_uut(
            context,
            p,
            sn=board.sn,
            pn=ext.get("partNumber") or self._part_number(source, program),
            rev=ext.get("partRevision", ""),
            start=board.start,
            key=f"{board.line}:{board.sn}",
            result=outcome,
            operator=ext.get("operator"),
            sequence_name=sequence,
            machine_name=ext.get("stationName"),
        )
        seq_call = builder.root.step.seq_call
        assert seq_call is not None
        seq_call.path = str(program) if program else None
        seq_call.version = ext.get("sequenceVersion")
        builder.uut.exec_time = max(0.0, (end - board.start).total_seconds())
        if board.socket is not None:
            builder.uut.test_socket_index = board.socket
        groups: dict[str, int] = {}
        current: SequenceBuilder | None = None
        current_letter = ""
        for row in board.rows:
            m = row.match
            if row.kind == "general":
                info = m["info"].strip().rstrip(",")
                step = builder.root.pass_fail(_GENERAL_FAILURES[m["key"]], False)
                step.report_text = f"nodes {info}" if info else None
                continue
            ref = m["ref"].strip()
            kind = m["type"]
            if m["value"] is None and kind in ("IS", "VS"):
                continue  # source settings (current, voltage) carry no result
            # consecutive components of one kind (R, C, D ...) form a sequence
            letter = ref[0].upper()
            if current is None or letter != current_letter:
                groups[letter] = groups.get(letter, 0) + 1
                current = builder.root.sequence(f"{letter} group {groups[letter]}")
                current_letter = letter
            self._measurement(source, row, current, ref, kind)
        return builder.build()

    def _measurement(
        self, source: SourceFile, row: _Row, into: SequenceBuilder, ref: str, kind: str
    ) -> None:
        m = row.match
        verdict = m["result"]
        name = f"{ref} ({kind})" if kind else ref
        failed = verdict in "<>%"
        if m["value"] is None:
            step = into.pass_fail(name, not failed)
        else:
            if kind and kind not in _UNIT:
                raise fail(source, f"line {row.line}: unknown test type {kind!r}")
            value = _scaled(m["value"], m["vu"])
            low = _scaled(m["low"], m["lu"]) if m["low"] else None
            high = _scaled(m["high"], m["hu"]) if m["high"] else None
            if verdict == "#":  # logged only
                op, low, high = CompOp.LOG, None, None
            else:
                op, low, high = comparison(low, high)
            status = "F" if failed else "P"
            step = into.numeric(
                name, value, op, low=low, high=high, unit=_UNIT.get(kind, ""), meas_status=status
            )
        message = (m["message"] or "").strip()
        if message:
            step.report_text = message


def _scaled(number: str, prefix: str | None) -> float:
    """``100.2`` with ``K`` -> 100200.0, exact in decimal then rounded once."""
    exponent = _PREFIX[(prefix or "").upper()]
    return float(Decimal(number).scaleb(exponent)) if exponent else float(number)
