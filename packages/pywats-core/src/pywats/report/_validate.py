"""Client-side checks of the rules the WATS server applies on ``POST /api/Report/WSJF``.

Paths and messages follow the server's 400 text (docs/wire-facts.md "Submitting a report",
"Loops"): segments joined by `` -> `` (``root``, ``step <name>``, ``loop <name>``,
``Index <n>``, ``numericMeas``...), then ``: `` and the message. Messages the server is
known to use are reproduced verbatim; the others (required fields, lengths, characters) use
our own wording in the same shape.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ._enums import MeasurementStatus, StepStatus
from ._models import Report, SubUnit
from ._step_models import BooleanMeasurement, NumericMeasurement, Step, StringMeasurement

__all__ = [
    "MSG_ENDING_INDEX",
    "MSG_MATCH",
    "MSG_NUM",
    "MSG_STATUS",
    "SEARCH_BREAKING_CHARACTERS",
    "ValidationProblem",
    "format_problems",
    "validate",
]

# Verbatim server messages (reference/olreppe-pyWATS/server-errors/service_error.txt).
MSG_STATUS = "Status cannot be different from measurement status."
MSG_ENDING_INDEX = "endingIndex is required to be the same as highest index."
MSG_NUM = "num is required to be one more than endingIndex."
MSG_MATCH = "is required to match Summary step."

#: characters that act as wildcards or delimiters in WATS searches (client policy, §7.1)
SEARCH_BREAKING_CHARACTERS = "*%?[]^!/\\"

_Measurement = NumericMeasurement | StringMeasurement | BooleanMeasurement
_MEAS_KEYS = ("numericMeas", "stringMeas", "booleanMeas")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


@dataclass(frozen=True)
class ValidationProblem:
    """One problem: where (server-style path) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        # The server writes "-> stringMeas : ..." (space before the colon) after a
        # measurement-array segment, and "path: ..." everywhere else.
        if self.path.endswith(_MEAS_KEYS):
            return f"{self.path} : {self.message}"
        return f"{self.path}: {self.message}"


def format_problems(problems: Iterable[ValidationProblem]) -> str:
    """The problems as the server's 400 body: one per line."""
    return "\n".join(str(problem) for problem in problems)


class _Checker:
    def __init__(self, processes: Mapping[int, str] | None, check_characters: bool) -> None:
        self.processes = processes
        self.check_characters = check_characters
        self.problems: list[ValidationProblem] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(ValidationProblem(path, message))

    # ----------------------------------------------------------------- header

    def text(self, path: str, name: str, value: str | None, limit: int, *, required: bool) -> None:
        if value is None or (required and not value.strip()):
            if required:
                self.add(path, f"{name} is required.")
            return
        if len(value) > limit:
            self.add(path, f"{name} is longer than {limit} characters ({len(value)}).")

    def search_characters(self, path: str, name: str, value: str | None) -> None:
        if not self.check_characters or not value:
            return
        bad = sorted({char for char in value if char in SEARCH_BREAKING_CHARACTERS})
        if bad:
            shown = " ".join(bad)
            self.add(path, f"{name} contains characters that break WATS searches: {shown}")

    def process(self, path: str, code: int | None, name: str | None, what: str) -> None:
        if code is None:
            self.add(path, f"{what} is required.")
            return
        if self.processes is None:
            return
        known = self.processes.get(code)
        if known is None:
            self.add(path, f"{what} {code} is not a known process.")
        elif name is not None and name != known:
            self.add(
                path,
                f"processName '{name}' does not match process {code} '{known}' (case-sensitive).",
            )

    def header(self, report: Report) -> None:
        path = "report"
        if not _GUID.match(report.id or ""):
            self.add(path, f"id '{report.id}' is not a GUID.")
        for name, value in (
            ("pn", report.pn),
            ("sn", report.sn),
            ("rev", report.rev),
            ("machineName", report.machine_name),
            ("location", report.location),
            ("purpose", report.purpose),
        ):
            self.text(path, name, value, 100, required=True)
        self.search_characters(path, "sn", report.sn)
        self.search_characters(path, "pn", report.pn)
        if report.result is None:
            self.add(path, "result is required.")
        if report.start is None:
            self.add(path, "start is required.")
        if report.start_utc is None:
            self.add(path, "startUTC is required.")
        self.process(path, report.process_code, report.process_name, "processCode")
        for index, info in enumerate(report.misc_infos or []):
            where = f"{path} -> miscInfo {index}"
            if not info.description:
                self.add(where, "description is required.")
            if info.text is None and info.numeric is None:
                self.add(where, "text or numeric is required.")
            self.text(where, "text", info.text, 100, required=False)
            self.text(where, "typedef", info.typedef, 30, required=False)
        for index, unit in enumerate(report.sub_units or []):
            self.sub_unit(f"{path} -> subUnit {index}", unit, report.is_uur)
        if report.is_uut:
            if report.uur is not None:
                self.add(path, "uur is only allowed on a UUR (type R) report.")
            if report.binary_data:
                self.add(path, "binaryData is only allowed on a UUR (type R) report.")
            if report.uut is None:
                self.add(path, "uut is required on a UUT (type T) report.")
            elif report.uut.comment is not None and len(report.uut.comment) > 500:
                self.add(f"{path} -> uut", "comment is longer than 500 characters.")
            if report.root is None:
                self.add(path, "root is required on a UUT (type T) report.")
        else:
            self.uur(report)

    def sub_unit(self, path: str, unit: SubUnit, is_uur: bool) -> None:
        self.text(path, "partType", unit.part_type, 50, required=False)
        for name, value in (("pn", unit.pn), ("sn", unit.sn), ("rev", unit.rev)):
            self.text(path, name, value, 100, required=True)
        self.search_characters(path, "sn", unit.sn)
        self.search_characters(path, "pn", unit.pn)
        if is_uur and unit.idx is None:
            self.add(path, "idx is required on a UUR sub-unit.")

    def uur(self, report: Report) -> None:
        path = "report"
        if report.root is not None:
            self.add(path, "root is not allowed on a UUR (type R) report.")
        if report.uur is None:
            self.add(path, "uur is required on a UUR (type R) report.")
        else:
            info = report.uur
            self.process(f"{path} -> uur", info.process_code, info.process_name, "processCode")
            for name, guid in (("refUUT", info.ref_uut), ("parent", info.parent)):
                if guid is not None and not _GUID.match(guid):
                    self.add(f"{path} -> uur", f"{name} '{guid}' is not a GUID.")
        units = report.sub_units or []
        indexes = {unit.idx for unit in units if unit.idx is not None}
        if not units:
            self.add(path, "subUnits is required on a UUR (type R) report.")
        elif 0 not in indexes:
            self.add(path, "subUnits needs the repaired unit itself (idx 0).")
        for position, unit in enumerate(units):
            where = f"{path} -> subUnit {position}"
            for name, ref in (("parentIdx", unit.parent_idx), ("replacedIdx", unit.replaced_idx)):
                if ref is not None and ref not in indexes:
                    self.add(where, f"{name} {ref} does not refer to a sub-unit idx.")

    # ------------------------------------------------------------------ steps

    def step(self, step: Step, path: str) -> None:
        numeric, strings, booleans = step.numeric_meas, step.string_meas, step.boolean_meas
        if numeric or strings or booleans:
            measurements: list[_Measurement] = [
                *(numeric or ()),
                *(strings or ()),
                *(booleans or ()),
            ]
            self.status(step, measurements, path)
            if len(measurements) > 1:
                self.named_measurements(step, path)
        children = step.steps
        if children:
            self.loops(children, path)
            for child in children:
                self.step(child, f"{path} -> step {child.name}")

    def status(self, step: Step, measurements: list[_Measurement], path: str) -> None:
        if step.status in (None, StepStatus.ERROR, StepStatus.TERMINATED):
            return
        statuses = {meas.status for meas in measurements}
        statuses.discard(None)
        if not statuses:
            return
        if MeasurementStatus.FAILED in statuses:
            expected = StepStatus.FAILED
        elif MeasurementStatus.PASSED in statuses:
            expected = StepStatus.PASSED
        else:
            expected = StepStatus.SKIPPED
        if step.status is not expected:
            self.add(path, MSG_STATUS)

    def named_measurements(self, step: Step, path: str) -> None:
        """A step with more than one measurement needs a name on each (§7.9)."""
        groups: tuple[tuple[str, Sequence[_Measurement] | None], ...] = (
            ("numericMeas", step.numeric_meas),
            ("stringMeas", step.string_meas),
            ("booleanMeas", step.boolean_meas),
        )
        for key, measurements in groups:
            for index, meas in enumerate(measurements or ()):
                if not meas.name:
                    self.add(
                        f"{path} -> {key}",
                        f"name is required on measurement {index}"
                        " when a step has more than one measurement.",
                    )

    def loops(self, siblings: list[Step], path: str) -> None:
        for position, summary in enumerate(siblings):
            loop = summary.loop
            if loop is None or loop.idx is not None:
                continue
            iterations: list[tuple[int, Step]] = []
            for sibling in siblings[position + 1 :]:
                if sibling.loop is None or sibling.loop.idx is None or sibling.name != summary.name:
                    break
                iterations.append((sibling.loop.idx, sibling))
            loop_path = f"{path} -> loop {summary.name}"
            highest = max((index for index, _ in iterations), default=None)
            # rule 1 needs iterations to compare with (a loop that never ran has none)
            if highest is not None and loop.ending_index != highest:
                self.add(loop_path, MSG_ENDING_INDEX)
            if loop.num is None or loop.ending_index is None or loop.num != loop.ending_index + 1:
                self.add(loop_path, MSG_NUM)
            for index, iteration in iterations:
                where = f"{loop_path} -> Index {index}"
                if iteration.step_type != summary.step_type:
                    self.add(where, f"stepType {MSG_MATCH}")
                self.match(summary, iteration, where)

    def match(self, summary: Step, other: Step, path: str) -> None:
        """An iteration (or a step inside one) against its summary counterpart."""
        self.match_measurements(summary, other, path)
        other_children = other.steps or []
        for child in summary.steps or []:
            twin = next((step for step in other_children if step.name == child.name), None)
            if twin is None:
                self.add(path, f"step {child.name} in Summary step requires a match.")
                continue
            where = f"{path} -> step {child.name}"
            if twin.step_type != child.step_type:
                self.add(where, f"stepType {MSG_MATCH}")
            self.match(child, twin, where)

    def match_measurements(self, summary: Step, other: Step, path: str) -> None:
        groups: tuple[tuple[str, Sequence[_Measurement] | None, Sequence[_Measurement] | None], ...]
        groups = (
            ("numericMeas", summary.numeric_meas, other.numeric_meas),
            ("stringMeas", summary.string_meas, other.string_meas),
            ("booleanMeas", summary.boolean_meas, other.boolean_meas),
        )
        for key, mine, theirs in groups:
            left: Sequence[_Measurement] = mine or []
            right: Sequence[_Measurement] = theirs or []
            if len(left) != len(right):
                self.add(path, f"{key} {MSG_MATCH}")
                continue
            where = f"{path} -> {key}"
            for a, b in zip(left, right, strict=True):
                if a.name != b.name:
                    self.add(where, f"name {MSG_MATCH}")
                if isinstance(a, NumericMeasurement) and isinstance(b, NumericMeasurement):
                    if a.comp_op != b.comp_op:
                        self.add(where, f"compOp {MSG_MATCH}")
                    if not _same_number(a.low_limit, b.low_limit):
                        self.add(where, f"lowLimit {MSG_MATCH}")
                    if not _same_number(a.high_limit, b.high_limit):
                        self.add(where, f"highLimit {MSG_MATCH}")
                elif isinstance(a, StringMeasurement) and isinstance(b, StringMeasurement):
                    if a.comp_op != b.comp_op:
                        self.add(where, f"compOp {MSG_MATCH}")
                    if a.limit != b.limit:
                        self.add(where, f"limit {MSG_MATCH}")


def _same_number(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return a == b or (a != a and b != b)  # NaN equals NaN here


def validate(
    report: Report,
    *,
    processes: Mapping[int, str] | None = None,
    check_search_characters: bool = True,
) -> list[ValidationProblem]:
    """Check ``report`` against the server's known rules; an empty list means valid.

    ``processes`` maps known process codes to names (from ``GET /api/App/Processes``); when
    given, ``processCode`` must be one of them and ``processName``, if present, must match
    it case-sensitively. ``check_search_characters`` rejects SN/PN characters that act as
    wildcards in WATS searches (client policy, not a server rule).
    """
    checker = _Checker(processes, check_search_characters)
    checker.header(report)
    if report.root is not None:
        checker.step(report.root, "root")
    return checker.problems
