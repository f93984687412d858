"""The neutral step tree every standard format reader produces.

A reader turns its file into :class:`Unit` objects: a :class:`Header` and a tree of
:class:`Node` steps carrying :class:`Meas` measurements, with ``None`` wherever the file
says nothing. ``_emit.build_report`` turns a unit into a WSJF report.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from pywats.report import Attachment, Chart, LoopInfo, MeasurementStatus, ReportResult, StepStatus

__all__ = ["Header", "Meas", "MeasKind", "Node", "Unit", "number_loops"]

MeasKind = Literal["numeric", "string", "boolean"]


@dataclass
class Meas:
    """One measurement. ``status=None`` means: compute it from the limits."""

    kind: MeasKind
    name: str | None = None
    value: float | str | None = None
    comp_op: str = "LOG"
    low: float | None = None
    high: float | None = None
    limit: str | None = None
    unit: str | None = None
    status: MeasurementStatus | None = None
    passed: bool | None = None  # boolean measurements


@dataclass
class Node:
    """One step. ``children`` is not ``None`` for sequence calls."""

    name: str
    step_type: str = "Action"
    status: StepStatus | None = None
    group: str = "M"
    children: list[Node] | None = None
    seq_path: str | None = None
    seq_name: str | None = None
    seq_version: str | None = None
    measurements: list[Meas] = field(default_factory=list)
    report_text: str | None = None
    error_code: int | None = None
    error_message: str | None = None
    tot_time: float | None = None
    start: datetime | None = None
    caused_seq_failure: bool | None = None
    loop: LoopInfo | None = None
    call_exe: float | None = None
    popup: tuple[str | None, int] | None = None
    chart: Chart | None = None
    attachment: Attachment | None = None
    additional: list[tuple[str, str, str]] = field(default_factory=list)

    def walk(self) -> Iterable[Node]:
        yield self
        for child in self.children or ():
            yield from child.walk()


@dataclass
class Header:
    """The report header as read from a file (``None``/empty = not in the file)."""

    sn: str | None = None
    pn: str | None = None
    rev: str | None = None
    operation: str | int | None = None
    station: str | None = None
    location: str | None = None
    purpose: str | None = None
    operator: str | None = None
    start: datetime | None = None
    result: ReportResult | None = None
    exec_time: float | None = None
    batch_sn: str | None = None
    test_socket_index: int | None = None
    fixture_id: str | None = None
    comment: str | None = None
    error_code: int | None = None
    error_message: str | None = None
    report_id: str | None = None
    sequence_name: str = "MainSequence Callback"
    sequence_path: str | None = None
    sequence_version: str | None = None
    misc: list[tuple[str, str | int]] = field(default_factory=list)
    sub_units: list[tuple[str, str, str, str]] = field(default_factory=list)


@dataclass
class Unit:
    """One report to build: header, the root sequence's status and its steps."""

    header: Header
    steps: list[Node]
    root_status: StepStatus | None = None
    key: str | int = 0  # tells the reports of one file apart for stable ids


def number_loops(siblings: list[Node]) -> None:
    """Make loop summaries agree with their iterations the way the server checks them.

    A summary is followed by its iterations (same name, ``loop.idx`` set). The server
    wants ``endingIndex`` = highest iteration index and ``num`` = ``endingIndex + 1``.
    """
    for position, node in enumerate(siblings):
        loop = node.loop
        if loop is None or loop.idx is not None:
            continue
        indexes = []
        for follower in siblings[position + 1 :]:
            if follower.loop is None or follower.loop.idx is None or follower.name != node.name:
                break
            indexes.append(follower.loop.idx)
        if indexes:
            loop.ending_index = max(indexes)
            loop.num = loop.ending_index + 1
        elif loop.num is not None:
            loop.ending_index = max(loop.num - 1, 0)
            loop.num = loop.ending_index + 1
