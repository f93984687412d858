"""Teradyne Spectrum ICT logs: nested ``(KEY: …)`` lists, one board per file.

The file is a sequence of lists: ``PROGRAM_NAME``, ``SECTION_NAME`` (a test section),
``STEP`` (one test, with ``PAGE`` lists holding ``ANA``/``INTC`` result blocks) and ``USER``
lines (``Serialnumber:…``, ``Operator:…``, ``STATUS: BOARD PASSED``). It is read with a
real parser (balanced lists, quoted strings), not line by line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Literal

from pywats_converters import Converter, ReportResult

from ._common import EquipmentParameters, comparison, fail, new_uut, read_text

if TYPE_CHECKING:
    from pywats_converters import ConversionContext, Report, SequenceBuilder, SourceFile, Step

__all__ = ["SpectrumParameters", "TeradyneSpectrum"]


class SpectrumParameters(EquipmentParameters):
    """Settings of the Spectrum converter.

    ``part_number_source``: ``program`` (default) uses ``PROGRAM_NAME``, ``setting`` the
    ``part_number`` setting.
    """

    part_number_source: Literal["program", "setting"] = "program"


_TOKEN = re.compile(r'\(\s*([A-Z_][A-Z0-9_]*):|\(|\)|"([^"]*)"|([^()"]+)')
_SCALE = {"f": -15, "p": -12, "n": -9, "u": -6, "µ": -6, "m": -3, "": 0, "k": 3, "K": 3}
_SCALE.update({"M": 6, "G": 9})
_UNITS = {"O": "Ω"}
_STATUS = {"PASS": "P", "PASSED": "P", "FAIL": "F", "FAILED": "F"}
_RESULT_BLOCKS = ("ANA", "INTC")


@dataclass
class _Node:
    key: str
    line: int
    texts: list[str] = field(default_factory=list)
    children: list[_Node] = field(default_factory=list)

    def first(self, key: str) -> _Node | None:
        return next((c for c in self.children if c.key == key), None)

    def all(self, key: str) -> list[_Node]:
        return [c for c in self.children if c.key == key]

    def text(self, key: str) -> str | None:
        node = self.first(key)
        return None if node is None else " ".join(t for t in node.texts if t).strip()


def _parse(source: SourceFile, text: str) -> list[_Node]:
    """The file's top-level lists; refuses unbalanced or keyless lists with their line."""
    top: list[_Node] = []
    stack: list[_Node] = []
    line = 1
    for match in _TOKEN.finditer(text):
        lexeme = match.group(0)
        key, quoted, bare = match.group(1), match.group(2), match.group(3)
        if key is not None:
            node = _Node(key, line)
            (stack[-1].children if stack else top).append(node)
            stack.append(node)
        elif lexeme == "(":
            raise fail(source, f"line {line}: a list without KEY: name")
        elif lexeme == ")":
            if not stack:
                raise fail(source, f"line {line}: ')' closes no list")
            stack.pop()
        elif quoted is not None:
            if not stack:
                raise fail(source, f"line {line}: text outside any list")
            stack[-1].texts.append(quoted)
        elif bare is not None and bare.strip():
            if not stack:
                raise fail(source, f"line {line}: text {bare.strip()[:40]!r} outside any list")
            stack[-1].texts.append(bare.strip())
        line += lexeme.count("\n")
    if stack:
        raise fail(
            source,
            f"the file ends inside ({stack[0].key}: opened on line {stack[0].line}"
            " (the file is truncated or still being written)",
        )
    return top


@dataclass
class _Header:
    program: str = ""
    sn: str = ""
    operator: str = ""
    status: str = ""
    end_time: str = ""
    misc: dict[str, str] = field(default_factory=dict)


class TeradyneSpectrum(Converter[SpectrumParameters]):
    """Teradyne Spectrum ICT log: one report per file."""

    name = "teradyne-spectrum"
    patterns = ("*.txt", "*.TXT")
    description = "Teradyne Spectrum in-circuit tester logs"

    def convert(self, source: SourceFile, context: ConversionContext) -> list[Report]:
        nodes = _parse(source, read_text(source, self.parameters.encodings))
        header = _Header()
        sections: list[tuple[str, list[_Node]]] = []
        first_time: datetime | None = None
        for node in nodes:
            if node.key == "PROGRAM_NAME":
                header.program = " ".join(node.texts).strip()
            elif node.key == "SECTION_NAME":
                sections.append((" ".join(node.texts).strip() or "Section", []))
            elif node.key == "STEP":
                if not sections:
                    sections.append(("Main", []))
                sections[-1][1].append(node)
                if first_time is None:
                    first_time = self._time(source, node)
            elif node.key == "USER":
                self._user(header, " ".join(node.texts))
        if not header.program:
            raise fail(source, "no (PROGRAM_NAME: …): not a Teradyne Spectrum log")
        if not header.status:
            raise fail(
                source,
                "no board result (USER: STATUS: BOARD PASSED/FAILED): the file is incomplete",
            )
        if first_time is None:
            raise fail(source, "no (STEP: …) in the file")
        result = _STATUS.get(header.status.upper())
        if result is None:
            raise fail(source, f"board result {header.status!r} is not PASSED or FAILED")
        p = self.parameters
        builder = new_uut(
            context,
            p,
            sn=header.sn,
            pn=header.program if p.part_number_source == "program" else "",
            rev="",
            start=first_time,
            key=header.sn,
            result=ReportResult(result),
            operator=header.operator,
            sequence_name=header.program,
        )
        for description, value in header.misc.items():
            builder.misc_info(description, value[:100])
        if header.end_time:
            end = _end_time(first_time, header.end_time)
            if end is not None:
                builder.uut.exec_time = end
        for name, steps in sections:
            sequence = builder.root.sequence(name)
            for step in steps:
                self._step(source, sequence, step)
        return [builder.build()]

    def _user(self, header: _Header, text: str) -> None:
        key, _, value = text.partition(":")
        key, value = key.strip(), value.strip()
        lowered = key.lower()
        if lowered == "serialnumber":
            header.sn = value
        elif lowered == "operator":
            header.operator = value
        elif lowered == "status":
            header.status = value.removeprefix("BOARD").strip()
        elif lowered == "endtime":
            header.end_time = value
        elif lowered in ("customerserialnumber", "ordernumber", "version") and value:
            header.misc[key] = value

    def _time(self, source: SourceFile, step: _Node) -> datetime:
        text = step.text("TIME") or ""
        try:
            return datetime.strptime(text, "%m/%d/%Y %H:%M:%S")
        except ValueError:
            raise fail(
                source, f"line {step.line}: step time {text!r} is not MM/DD/YYYY HH:MM:SS"
            ) from None

    def _step(self, source: SourceFile, into: SequenceBuilder, node: _Node) -> None:
        name = node.text("SNAME") or "Step"
        description = node.text("DESC")
        pages = node.all("PAGE")
        if len(pages) == 1:
            step = self._page(source, into, pages[0], name)
            if description:  # the component's description goes first
                notes = (description, step.report_text)
                step.report_text = "; ".join(note for note in notes if note)
        elif pages:
            sub = into.sequence(name)
            sub.step.report_text = description or None
            for page in pages:
                self._page(source, sub, page, page.text("PAGE_NAME") or name)
        else:
            status = self._status(source, node)
            into.pass_fail(name, status == "P", meas_status=status)

    def _page(self, source: SourceFile, into: SequenceBuilder, page: _Node, name: str) -> Step:
        status = self._status(source, page)
        blocks = [c for c in page.children if c.key in _RESULT_BLOCKS]
        measured = [b for b in blocks if _measured(b) is not None]
        if len(blocks) == 1 and measured:
            step = self._numeric(source, into, name, blocks[0], status)
        elif len(blocks) > 1:
            multi = into.multi_pass_fail(name)
            for index, block in enumerate(blocks, 1):
                kind = block.text("TYPE") or block.key
                multi.add(f"{index} {kind}", self._status(source, block) == "P")
            step = multi.step
        else:
            step = into.pass_fail(name, status == "P")
        notes = [page.text("COMMENT"), page.text("FAIL_MSG")]
        program = page.first("EXTPROG")
        if program is not None:
            notes.append(f"program {program.text('PROG_NAME')}")
        for note in notes:
            _note(step, note)
        return step

    def _numeric(
        self, source: SourceFile, into: SequenceBuilder, name: str, block: _Node, status: str
    ) -> Step:
        measured = _measured(block)
        assert measured is not None
        value, unit = _quantity(source, measured)
        low_node, high_node = block.first("LOLIM"), block.first("HILIM")
        low = _quantity(source, low_node)[0] if low_node else None
        high = _quantity(source, high_node)[0] if high_node else None
        op, limit_low, limit_high = comparison(low, high)
        block_status = self._status(source, block)
        return into.numeric(
            name,
            value,
            op,
            low=limit_low,
            high=limit_high,
            unit=unit,
            meas_status="F" if "F" in (status, block_status) else "P",
        )

    def _status(self, source: SourceFile, node: _Node) -> str:
        text = node.text("STAT")
        if text is None:
            result = node.first("INTC_RESULT")
            text = result.text("STAT") if result is not None else None
        if text is None:
            raise fail(source, f"line {node.line}: ({node.key}: has no (STAT: …)")
        status = _STATUS.get(text.upper())
        if status is None:
            raise fail(source, f"line {node.line}: status {text!r} is not PASS or FAIL")
        return status


def _measured(block: _Node) -> _Node | None:
    found = block.first("MEASVAL")
    if found is None:
        result = block.first("INTC_RESULT")
        found = result.first("MEASVAL") if result is not None else None
    return found


def _quantity(source: SourceFile, node: _Node) -> tuple[float, str]:
    """``(VAL: 4.69) (SCALE: n) (UNIT: F)`` -> (4.69e-9, "F")."""
    text = node.text("VAL") or ""
    scale = node.text("SCALE") or ""
    unit = node.text("UNIT") or ""
    if scale not in _SCALE:
        raise fail(source, f"line {node.line}: unknown scale {scale!r}")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise fail(source, f"line {node.line}: ({node.key}: value {text!r} is no number") from None
    if not number.is_finite():
        raise fail(source, f"line {node.line}: ({node.key}: value {text!r} is not finite")
    return float(number.scaleb(_SCALE[scale])), _UNITS.get(unit, unit)


def _note(step: Step, note: str | None) -> None:
    if note:
        note = note.replace("Analysis Comments:", "").strip()
    if note:
        step.report_text = f"{step.report_text}; {note}" if step.report_text else note


def _end_time(start: datetime, text: str) -> float | None:
    """``16:44:38:124`` on the start's day (or the next, past midnight) -> seconds."""
    parts = text.split(":")
    try:
        hour, minute, second = (int(x) for x in parts[:3])
        millis = int(parts[3]) if len(parts) > 3 else 0
    except ValueError:
        return None
    end = start.replace(hour=hour, minute=minute, second=second, microsecond=millis * 1000)
    if end < start:
        end += timedelta(days=1)
    return (end - start).total_seconds()
