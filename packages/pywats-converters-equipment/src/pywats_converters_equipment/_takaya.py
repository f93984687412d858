"""Takaya flying probe results (``.ATD``): the tab layouts and the APT94xx quoted layout.

Every layout starts with a panel header between ``@`` lines (``* PASS *``, ``Model:``,
``DATE``, ``Test ID :``) and holds one or more boards: ``* GROUP No.n *`` blocks with their
own ``* PASS *`` and ``Serial No.:`` (the oldest layout has no groups and one serial in the
header). Test rows are tab-separated under a column-name row (``Group_No.`` … or
``Step_number`` …), or, on APT94xx testers, quoted space-padded fields without names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Literal

from pywats_converters import CompOp, Converter, ReportResult

from ._common import EquipmentParameters, fail, new_uut, read_text

if TYPE_CHECKING:
    from pywats_converters import ConversionContext, Report, SequenceBuilder, SourceFile

__all__ = ["TakayaFlyingProbe", "TakayaParameters"]


class TakayaParameters(EquipmentParameters):
    """Settings of the Takaya converter.

    ``part_number_source``: ``model_prefix`` (default) takes the ``Model:`` name up to its
    first ``_`` (``V682780_B_BOT.SWX`` → ``V682780``, revision ``B``), ``model`` the whole
    name without extension, ``setting`` the ``part_number`` setting. ``date_order`` reads the
    ``DATE`` line: ``auto`` takes day/month/year, except two-digit years in the tab
    layout, which old testers write year/month/day.
    """

    part_number_source: Literal["model_prefix", "model", "setting"] = "model_prefix"
    date_order: Literal["auto", "dmy", "ymd", "mdy"] = "auto"
    group_by_component: bool = True
    #: ``Test ID :`` names the tester; use it as the report's machine name
    machine_name_from_test_id: bool = True
    #: rows the tester did not run (``......``, ``JUMP``, function ``JP``): ``keep`` them as
    #: skipped steps, or ``omit`` them from the report
    skipped_tests: Literal["keep", "omit"] = "keep"


_PREFIX = {"p": -12, "P": -12, "n": -9, "N": -9, "u": -6, "U": -6, "µ": -6, "m": -3}
_PREFIX.update({"k": 3, "K": 3, "M": 6, "G": 9})
_BASE_UNITS = {"O": "Ω", "F": "F", "H": "H", "V": "V", "A": "A", "HZ": "Hz", "S": "s", "W": "W"}
_SKIPPED = {"......", "JUMP"}
_QUOTED = re.compile(r'"([^"]*)"|(\S+)')
# The APT94xx quoted layout has no column-name row: its fields by position, named as the
# tab layout names the same columns. Fields 13 and 15-17 are not read.
_QUOTED_COLUMNS = {
    "Step_number": 0,
    "Parts": 1,
    "Value": 2,
    "Comment": 3,
    "H-pin": 4,
    "L-pin": 5,
    "Ref._Value_(Char)": 6,
    "Test_Value_1_(Char)": 7,
    "Test_Value_2_(Char)": 8,
    "Tolerance_(+)%": 9,
    "Tolerance_(-)%": 10,
    "Judgement": 11,
    "Measuring_mode": 12,
    "Measuring_time": 14,
    "Function": 18,
}
_QUOTED_FIELDS = 19
_STEP_START = re.compile(r"^\d{6}\s")
_COMPONENT = re.compile(r"^([A-Za-z]+)\d")


@dataclass
class _Row:
    line: int
    step: str
    parts: str
    value: str
    comment: str
    judgement: str
    ref: str
    first: str
    second: str
    tol_plus: str
    tol_minus: str
    function: str
    pins: str
    mode: str
    time: str


@dataclass
class _Board:
    line: int
    result: str = ""
    serial: str = ""
    rows: list[_Row] = field(default_factory=list)


@dataclass
class _Panel:
    result: str = ""
    model: str = ""
    date: str = ""
    date_line: int = 0
    test_time: float | None = None
    test_id: str = ""
    user: str = ""
    boards: list[_Board] = field(default_factory=list)
    layout: Literal["tab", "quoted", ""] = ""


class TakayaFlyingProbe(Converter[TakayaParameters]):
    """Takaya flying probe ``.ATD``: one report per board (group)."""

    name = "takaya-flying-probe"
    patterns = ("*.ATD", "*.atd")
    description = "Takaya flying probe results, tab layouts and APT94xx"

    def convert(self, source: SourceFile, context: ConversionContext) -> list[Report]:
        panel = self._read(source, read_text(source, self.parameters.encodings))
        if not panel.model:
            raise fail(source, "no Model: line: not a Takaya ATD file")
        if not panel.date:
            raise fail(source, "no DATE line in the panel header")
        start = self._date(source, panel)
        reports = [
            self._report(source, context, panel, board, start, index)
            for index, board in enumerate(panel.boards)
        ]
        if not reports:
            raise fail(source, "no board (Serial No.: and test rows) in the file")
        return reports

    # ------------------------------------------------------------------ reading

    def _read(self, source: SourceFile, text: str) -> _Panel:
        panel = _Panel()
        board: _Board | None = None
        header: list[str] | None = None
        groups_closed = True  # an "@" line follows the last GROUP block
        for number, raw in enumerate(text.splitlines(), 1):
            line = raw.rstrip("\r\n")
            stripped = line.strip()
            if not stripped:
                continue
            if stripped == "@":
                groups_closed = True
                continue
            if stripped.startswith("* GROUP No."):
                groups_closed = False
                board = _Board(number)
                panel.boards.append(board)
                header = None
                continue
            verdict = re.fullmatch(r"\*\s*(PASS|FAIL|NO-TEST)\s*\*", stripped)
            if verdict:
                if board is not None:
                    board.result = verdict.group(1)
                else:
                    panel.result = verdict.group(1)
                continue
            if stripped.startswith("Serial No.:"):
                if board is None:  # the oldest layout: one board, serial in the header
                    board = _Board(number)
                    panel.boards.append(board)
                board.serial = stripped.removeprefix("Serial No.:").strip()
                continue
            if line.startswith(("Group_No.\t", "Step_number\t")):
                header = _column_keys(line.split("\t"))
                panel.layout = "tab"
                continue
            if header is None and self._header_line(panel, number, stripped):
                continue
            if _STEP_START.match(line):
                if board is None:
                    raise fail(source, f"line {number}: test row before any board")
                if header is not None and "\t" in line:
                    board.rows.append(self._tab_row(source, number, header, line))
                elif '"' in line:
                    panel.layout = "quoted"
                    board.rows.append(self._quoted_row(source, number, line))
                else:
                    raise fail(source, f"line {number}: test row without a column-name row")
                continue
            if board is not None and line[:1].isdigit() and header is not None:
                board.rows.append(self._tab_row(source, number, header, line))
                continue
            if stripped.startswith("D.T:"):  # counts of devices and groups tested
                continue
            raise fail(source, f"line {number}: {stripped[:60]!r} is no Takaya ATD line")
        if not groups_closed:
            raise fail(
                source,
                "no '@' line after the last GROUP block"
                " (the file is truncated or still being written)",
            )
        for board in panel.boards:
            if not board.serial:
                raise fail(source, f"the board on line {board.line} has no Serial No.: line")
            if not (board.result or panel.result):
                raise fail(source, f"the board on line {board.line} has no * PASS * / * FAIL *")
        return panel

    def _header_line(self, panel: _Panel, number: int, line: str) -> bool:
        if line.startswith("DATE "):
            panel.date, panel.date_line = line.removeprefix("DATE ").strip(), number
            return True
        key, sep, value = line.partition(":")
        if not sep:
            return False
        key, value = key.strip(), value.strip()
        if key == "Model":
            panel.model = value
        elif key == "Test time":
            seconds = value.removesuffix("s").strip()
            panel.test_time = float(seconds) if seconds.replace(".", "", 1).isdigit() else None
        elif key == "Test ID":
            panel.test_id = value
        elif key == "User name":
            panel.user = value
        elif key not in ("Version No.", "Index", "Message"):
            return False
        return True

    def _tab_row(self, source: SourceFile, number: int, header: list[str], line: str) -> _Row:
        cells = line.split("\t")
        if len(cells) < len(header) - 2:
            raise fail(source, f"line {number}: test row has {len(cells)} of {len(header)} columns")
        return _row(number, dict(zip(header, (c.strip() for c in cells), strict=False)))

    def _quoted_row(self, source: SourceFile, number: int, line: str) -> _Row:
        fields = [
            (m.group(1) if m.group(1) is not None else m.group(2)).strip()
            for m in _QUOTED.finditer(line)
        ]
        if len(fields) < _QUOTED_FIELDS:
            raise fail(
                source,
                f"line {number}: APT94xx test row has {len(fields)} of {_QUOTED_FIELDS} fields",
            )
        return _row(number, {column: fields[i] for column, i in _QUOTED_COLUMNS.items()})

    def _date(self, source: SourceFile, panel: _Panel) -> datetime:
        day, _, time = panel.date.partition(" ")
        parts = day.split("/")
        order = self.parameters.date_order
        if order == "auto":
            short_year = len(parts) == 3 and len(parts[2]) == 2 and len(parts[0]) == 2
            order = "ymd" if short_year and panel.layout == "tab" else "dmy"
        try:
            a, b, c = (int(x) for x in parts)
            year, month, dom = {"dmy": (c, b, a), "ymd": (a, b, c), "mdy": (c, a, b)}[order]
            if year < 100:
                year += 2000
            hour, minute, second = (int(x) for x in time.strip().split(":"))
            return datetime(year, month, dom, hour, minute, second)
        except (ValueError, KeyError):
            raise fail(
                source, f"line {panel.date_line}: DATE {panel.date!r} is not a date ({order})"
            ) from None

    # ----------------------------------------------------------------- building

    def _report(
        self,
        source: SourceFile,
        context: ConversionContext,
        panel: _Panel,
        board: _Board,
        start: datetime,
        index: int,
    ) -> Report:
        p = self.parameters
        stem = re.sub(r"\.[A-Za-z0-9]+$", "", panel.model)
        tokens = stem.split("_")
        pn, rev = "", ""
        if p.part_number_source == "model_prefix":
            pn = tokens[0]
            rev = tokens[1] if len(tokens) > 1 and tokens[1].upper() not in ("TOP", "BOT") else ""
        elif p.part_number_source == "model":
            pn = stem
        serial, operator = board.serial, panel.user
        misc: dict[str, str] = {}
        if panel.layout == "quoted":
            serial, operator, misc = _split_apt_serial(board.serial)
        side = next((t for t in tokens[1:] if t.upper() in ("TOP", "BOT")), "")
        verdict = board.result or panel.result
        builder = new_uut(
            context,
            p,
            sn=serial,
            pn=pn,
            rev=rev,
            start=start,
            key=f"{index}:{board.serial}",
            result=ReportResult.PASSED if verdict == "PASS" else ReportResult.FAILED,
            operator=operator,
            sequence_name=panel.model,
            machine_name=panel.test_id if p.machine_name_from_test_id else None,
        )
        if side:
            builder.misc_info("Side", "Top" if side.upper() == "TOP" else "Bottom")
        if "Operator 2" in misc:
            builder.misc_info("Operator 2", misc["Operator 2"])
        if misc.get("Batch"):
            builder.uut.batch_sn = misc["Batch"]
        step_times = 0.0
        groups: dict[str, SequenceBuilder] = {}
        for row in board.rows:
            if p.skipped_tests == "omit" and _skipped(row):
                continue
            into = builder.root
            if p.group_by_component and row.parts not in ("", "*"):
                found = _COMPONENT.match(row.parts)
                group = found.group(1).upper() if found else row.parts or "Tests"
                if group not in groups:
                    groups[group] = builder.root.sequence(group)
                into = groups[group]
            self._step(source, into, row)
            step_times += _milliseconds(row.time)
        seconds = panel.test_time if panel.test_time is not None else step_times / 1000
        builder.uut.exec_time = seconds
        return builder.build()

    def _step(self, source: SourceFile, into: SequenceBuilder, row: _Row) -> None:
        if row.parts in ("", "*"):  # a tester action (probe correction), not a component
            name = row.comment or f"Step {row.step}"
        elif row.value in ("", "*"):
            name = row.parts
        else:
            name = f"{row.parts} {row.value}"
        notes = [n for n in (row.comment if row.comment != "*" else "", f"pins {row.pins}") if n]
        judgement = row.judgement.strip()
        skipped = _skipped(row)
        ref = _quantity(source, row.line, row.ref)
        final = _quantity(source, row.line, row.second) or _quantity(source, row.line, row.first)
        if row.second and _quantity(source, row.line, row.second) and row.first:
            notes.append(f"first attempt {row.first}")
        if skipped or ref is None or final is None:
            if skipped:
                step = into.pass_fail(name, True, status="S", meas_status="S")
            else:
                step = into.pass_fail(name, judgement == "PASS")
            if not skipped and final is None:
                notes.append(f"measured {row.first or row.second or 'nothing'}")
        else:
            value, unit = final
            reference = ref[0]
            plus, minus = _percent(row.tol_plus), _percent(row.tol_minus)
            high = float(reference * (1 + abs(plus) / 100)) if plus is not None else None
            low = float(reference * (1 - abs(minus) / 100)) if minus is not None else None
            op, limit_low, limit_high = _limits(row.function, float(reference), low, high)
            step = into.numeric(
                name,
                float(value),
                op,
                low=limit_low,
                high=limit_high,
                unit=unit or ref[1],
                meas_status="P" if judgement == "PASS" else "F",
            )
            if judgement != "PASS":
                step.error_message = judgement
        if row.mode:
            notes.append(row.mode)
        step.report_text = "; ".join(notes)


def _skipped(row: _Row) -> bool:
    return row.judgement.strip() in _SKIPPED or row.function == "JP"


def _row(number: int, columns: dict[str, str]) -> _Row:
    """A test row from its cells keyed by the tab layout's column names.

    A quantity is its value column and the ``|Unit`` column after it (the quoted layout
    writes value and unit in one field, so it has no ``|Unit`` keys).
    """

    def cell(column: str) -> str:
        return columns.get(column, "")

    def quantity(column: str) -> str:
        return f"{cell(column)} {cell(column + '|Unit')}".strip()

    return _Row(
        line=number,
        step=cell("Step_number"),
        parts=cell("Parts"),
        value=f"{cell('Value')}{cell('Value|Unit')}",
        comment=cell("Comment"),
        judgement=cell("Judgement"),
        ref=quantity("Ref._Value_(Char)"),
        first=quantity("Test_Value_1_(Char)"),
        second=quantity("Test_Value_2_(Char)"),
        tol_plus=cell("Tolerance_(+)%"),
        tol_minus=cell("Tolerance_(-)%"),
        function=cell("Function"),
        pins=f"{cell('H-pin')}-{cell('L-pin')}",
        mode=cell("Measuring_mode"),
        time=cell("Measuring_time"),
    )


def _column_keys(names: list[str]) -> list[str]:
    """Column names; a repeated ``Unit``/``Net_name`` is keyed after the column before it."""
    keys: list[str] = []
    for name in (n.strip() for n in names):
        if name in ("Unit", "Net_name") and keys:
            base = keys[-1].split("|")[0]
            keys.append(f"{base}|{name}")
        else:
            keys.append(name)
    return keys


def _quantity(source: SourceFile, line: int, text: str) -> tuple[Decimal, str] | None:
    """``"4.21 KO"`` -> (4210.0, "Ω"); ``........`` and ``No Test`` -> None."""
    text = text.strip()
    if not text or text.startswith(".") or text.upper().startswith("NO TEST") or text == "*":
        return None
    number, _, unit = text.partition(" ")
    unit = unit.strip()
    try:
        value = Decimal(number)
    except InvalidOperation:
        raise fail(source, f"line {line}: {text!r} is not a value with a unit") from None
    exponent = 0
    if unit.upper() not in _BASE_UNITS and len(unit) > 1 and unit[0] in _PREFIX:
        exponent, unit = _PREFIX[unit[0]], unit[1:]
    base = _BASE_UNITS.get(unit.upper(), unit)
    return value.scaleb(exponent), base


def _percent(text: str) -> Decimal | None:
    text = text.strip().removesuffix("%")
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _limits(
    function: str, reference: float, low: float | None, high: float | None
) -> tuple[CompOp, float | None, float | None]:
    """The comparison a Takaya function code stands for."""
    if function == "OP" and low is not None:  # open: must stay above the lower limit
        return CompOp.GE, low, None
    if function == "SH" and high is not None:  # short: must stay below the upper limit
        return CompOp.LE, high, None
    if function == "E":
        return CompOp.LE, reference, None
    if function == "F":
        return CompOp.GE, reference, None
    if low is not None and high is not None:
        return CompOp.GELE, min(low, high), max(low, high)
    return CompOp.LOG, None, None


def _milliseconds(text: str) -> float:
    found = re.match(r"^\s*(\d+(?:\.\d+)?)\s*ms\s*$", text)
    return float(found.group(1)) if found else 0.0


def _split_apt_serial(raw: str) -> tuple[str, str, dict[str, str]]:
    """``12345 - SN0001 (FP1 - OP01)`` -> ("SN0001", "FP1", {Batch, Operator 2})."""
    misc: dict[str, str] = {}
    head, _, tail = raw.partition("(")
    operators = [t.strip() for t in tail.rstrip(")").split(" - ") if t.strip()] if tail else []
    batch, dash, serial = head.partition("-")
    if dash and serial.strip():
        misc["Batch"] = batch.strip()
    else:
        serial = head
    if len(operators) > 1:
        misc["Operator 2"] = operators[1]
    return serial.strip(), operators[0] if operators else "", misc
