"""WSTF, the WATS standard text format: tab-separated UUTs, several per file.

Each UUT is ``--Header-Start--``, key/value rows, ``--Step-Data-Start--``, a column header
row (``StepType StepName MeasureName Value LowLimit HighLimit CompOperator Unit StepStatus
StepExecutionTime StepReportText StepErrorCode StepErrorMessage CausedSequenceFailure``),
step rows, ``--Step-Data-End--``, footer rows (``UUTStatus``) and ``--UUT-End--``.
``SequenceCall`` … ``EndSequenceCall`` nest; a row with an empty ``StepName`` adds another
measurement to the step above it.

:func:`parse_wstf` is the pure parser (text in, units out, :class:`WstfError` with the line
number for bad input); the converter wraps it.
"""

from __future__ import annotations

import re
from datetime import timezone
from typing import Literal

from pywats.report import MeasurementStatus, Report, ReportResult, StepStatus

from .._sdk import ConversionContext, ConversionError, Converter, SourceFile
from ._emit import StandardParameters, build_report
from ._tree import Header, Meas, Node, Unit
from ._values import (
    NUMERIC_OPS,
    REPORT_RESULTS,
    STEP_STATUSES,
    STRING_OPS,
    default_comp_op,
    parse_float,
    parse_timestamp_text,
)

__all__ = ["WSTF_COLUMNS", "WstfConverter", "WstfError", "WstfParameters", "parse_wstf"]

#: The step table's columns, in the order WATS documents them.
WSTF_COLUMNS = (
    "StepType",
    "StepName",
    "MeasureName",
    "Value",
    "LowLimit",
    "HighLimit",
    "CompOperator",
    "Unit",
    "StepStatus",
    "StepExecutionTime",
    "StepReportText",
    "StepErrorCode",
    "StepErrorMessage",
    "CausedSequenceFailure",
)

_MEAS_STATUS = {
    StepStatus.PASSED: MeasurementStatus.PASSED,
    StepStatus.DONE: MeasurementStatus.PASSED,
    StepStatus.FAILED: MeasurementStatus.FAILED,
    StepStatus.SKIPPED: MeasurementStatus.SKIPPED,
}
_MEASURED = {
    "numericlimittest": "numeric",
    "multiplenumericlimittest": "numeric",
    "et_nlt": "numeric",
    "et_mnlt": "numeric",
    "passfailtest": "boolean",
    "multiplepassfailtest": "boolean",
    "et_pft": "boolean",
    "et_mpft": "boolean",
    "stringvaluetest": "string",
    "multiplestringvaluetest": "string",
    "et_svt": "string",
    "et_msvt": "string",
}
_TRUE = {"true", "1", "yes", "pass", "passed"}
_FALSE = {"false", "0", "no", "fail", "failed"}
#: Header rows whose value goes into a :class:`Header` field as written.
_TEXT_FIELDS = {
    "serialnumber": "sn",
    "partnumber": "pn",
    "revision": "rev",
    "operationtypename": "operation",
    "operationtypecode": "operation",
    "operationtype": "operation",
    "errormessage": "error_message",
    "batchserialnumber": "batch_sn",
    "fixtureid": "fixture_id",
    "stationname": "station",
    "operatorname": "operator",
    "softwarename": "sequence_name",
    "softwareversion": "sequence_version",
    "comment": "comment",
}
_HEADER_KEYS = {
    *_TEXT_FIELDS,
    "uutstatus",
    "errorcode",
    "utcstartdatetime",
    "startdatetime",
    "executiontime",
    "subunit",
    "testsocketindex",
}


_OFFSET = re.compile(r"(?:Z|[+-]\d{2}:?\d{2})\s*$")


class WstfError(ValueError):
    """A WSTF file breaks the format; ``line`` is 1-based."""

    def __init__(self, line: int, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}")


class WstfParameters(StandardParameters):
    """Settings of the WSTF converter.

    * ``decimal_separator``: ``"."`` (default) or ``","`` for files written in a culture
      with decimal commas.
    * ``encodings``: tried in order; WATS's own client reads code page 1252 by default.
    """

    decimal_separator: Literal[".", ","] = "."
    encodings: tuple[str, ...] = ("utf-8-sig", "cp1252")


class WstfConverter(Converter[WstfParameters]):
    """WATS standard text format (``--Header-Start--`` … ``--UUT-End--``, several UUTs)."""

    name = "wstf"
    patterns = ("*.txt", "*.wstf")
    description = "WATS standard text format (tab-separated, several UUTs per file)"

    def convert(self, source: SourceFile, context: ConversionContext) -> list[Report]:
        text = source.read_text(self.parameters.encodings)
        try:
            units = parse_wstf(text, decimal=self.parameters.decimal_separator)
        except WstfError as exc:
            raise ConversionError(str(exc), source=source.path) from None
        return [build_report(unit, self.parameters, context) for unit in units]


def _marker(cells: list[str]) -> str | None:
    if not cells or not cells[0].strip().startswith("--"):
        return None
    # lenient: "-- UUT-End--" and "--UUT-End--" are the same marker
    return cells[0].replace(" ", "").strip("-").lower()


def _cells(line: str) -> list[str]:
    cells = line.rstrip("\r").split("\t")
    while cells and not cells[-1].strip():
        cells.pop()
    return cells


def parse_wstf(text: str, *, decimal: str = ".") -> list[Unit]:
    """Every UUT in ``text``. Raises :class:`WstfError` naming the line for bad input."""
    units: list[Unit] = []
    lines = text.split("\n")
    position = 0
    while position < len(lines):
        cells = _cells(lines[position])
        position += 1
        if not cells:
            continue
        if _marker(cells) != "header-start":
            raise WstfError(position, f"expected --Header-Start--, found {cells[0].strip()!r}")
        unit, position = _unit(lines, position, decimal, len(units))
        units.append(unit)
    if not units:
        raise WstfError(1, "no UUT in the file (no --Header-Start--)")
    return units


def _unit(lines: list[str], position: int, decimal: str, index: int) -> tuple[Unit, int]:
    start_line = position
    header = Header()
    status_text: str | None = None
    section = "header"
    columns: list[str] | None = None
    root: list[Node] = []
    stack: list[Node] = []
    while position < len(lines):
        cells = _cells(lines[position])
        position += 1
        if not cells:
            continue
        marker = _marker(cells)
        if marker == "step-data-start" and section == "header":
            section = "steps"
            continue
        if marker == "step-data-end" and section == "steps":
            section = "footer"
            continue
        if marker == "uut-end" and section == "footer":
            if status_text is not None:
                header.result = _result(status_text, position)
            return Unit(header=header, steps=root, key=index), position
        if marker is not None:
            raise WstfError(position, f"unexpected marker {cells[0].strip()!r} in the {section}")
        if section == "header":
            _header_row(header, cells, position, decimal)
            if cells[0].strip().lower() == "uutstatus" and len(cells) > 1:
                status_text = cells[1]
        elif section == "footer":
            if cells[0].strip().lower() == "uutstatus" and len(cells) > 1:
                status_text = cells[1]
        elif columns is None and cells[0].strip().lower() == "steptype":
            columns = [c.strip().lower() for c in cells]
        else:
            row = _row(columns or [c.lower() for c in WSTF_COLUMNS], cells)
            _step_row(row, position, root, stack, decimal)
    raise WstfError(
        position,
        f"the file ends inside the UUT that starts on line {start_line} "
        f"(no --UUT-End--; truncated?)",
    )


def _row(columns: list[str], cells: list[str]) -> dict[str, str]:
    return {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(columns)}


def _result(text: str, line: int) -> ReportResult:
    result = REPORT_RESULTS.get(text.strip().lower())
    if result is None:
        raise WstfError(
            line, f"UUTStatus {text.strip()!r} is not Passed, Failed, Error or Terminated"
        )
    return result


def _header_row(header: Header, cells: list[str], line: int, decimal: str) -> None:
    key = cells[0].strip()
    lowered = key.lower()
    value = cells[1].strip() if len(cells) > 1 else ""
    if lowered == "subunit":
        parts = [c.strip() for c in cells[1:5]] + [""] * (4 - len(cells[1:5]))
        part_type, pn, sn, rev = parts
        if not pn or not sn:
            raise WstfError(line, "Subunit needs PartType, PN, SN and Rev (PN and SN are empty)")
        header.sub_units.append((part_type, pn, sn, rev))
        return
    if lowered not in _HEADER_KEYS:
        if value:
            header.misc.append((key, value))
        return
    if not value:
        return
    try:
        if lowered in _TEXT_FIELDS:
            setattr(header, _TEXT_FIELDS[lowered], value)
        elif lowered == "errorcode":
            header.error_code = int(value)
        elif lowered in ("utcstartdatetime", "startdatetime"):
            moment = parse_timestamp_text(value)
            if moment is None:
                raise ValueError(f"{value!r} is not a date and time (yyyy-mm-ddThh:mm:ss)")
            if lowered == "utcstartdatetime" and _OFFSET.search(value) is None:
                # a UTC time written without its "Z": read it as UTC, not as local time
                moment = moment.replace(tzinfo=None).replace(tzinfo=timezone.utc).astimezone()
            header.start = moment
        elif lowered == "executiontime":
            header.exec_time = parse_float(value, decimal=decimal)
        elif lowered == "testsocketindex":
            header.test_socket_index = int(value)
    except ValueError as exc:
        raise WstfError(line, f"{key}: {exc}") from None


def _step_row(
    row: dict[str, str], line: int, root: list[Node], stack: list[Node], decimal: str
) -> None:
    step_type = row.get("steptype", "")
    name = row.get("stepname", "")
    siblings = stack[-1].children if stack else root
    assert siblings is not None
    lowered = step_type.lower()
    if lowered == "endsequencecall":
        if not stack:
            raise WstfError(line, "EndSequenceCall without a SequenceCall")
        stack.pop()
        return
    status = _status(row.get("stepstatus", ""), line)
    if not name:
        # a blank step name continues the measurement list of the step above
        previous = siblings[-1] if siblings else None
        kind = _MEASURED.get(lowered)
        if previous is None or kind is None or not previous.measurements:
            raise WstfError(
                line, "a row without a StepName must continue a measurement step above it"
            )
        previous.measurements.append(_measurement(kind, row, status, line, decimal))
        if len(previous.measurements) == 2:
            previous.status = None  # several measurements: the step status is their sum
        return
    if not step_type:
        raise WstfError(line, f"step {name!r} has no StepType")
    node = Node(name=name, step_type=step_type, status=status)
    try:
        node.tot_time = parse_float(row.get("stepexecutiontime"), decimal=decimal)
        code = row.get("steperrorcode", "")
        node.error_code = int(code) if code else None
    except ValueError:
        raise WstfError(
            line, f"step {name!r}: StepExecutionTime or StepErrorCode is not a number"
        ) from None
    node.report_text = row.get("stepreporttext") or None
    node.error_message = row.get("steperrormessage") or None
    caused = row.get("causedsequencefailure", "").lower()
    if caused:
        node.caused_seq_failure = caused in _TRUE
    siblings.append(node)
    if lowered == "sequencecall":
        node.step_type = "SequenceCall"
        node.children = []
        node.seq_name = name
        stack.append(node)
        return
    kind = _MEASURED.get(lowered)
    if kind is not None:
        node.measurements.append(_measurement(kind, row, status, line, decimal))
    elif lowered in ("actionstep", "action"):
        node.step_type = "Action"


def _status(text: str, line: int) -> StepStatus | None:
    if not text:
        return None
    status = STEP_STATUSES.get(text.lower())
    if status is None:
        raise WstfError(
            line, f"StepStatus {text!r} is not Passed, Failed, Done, Skipped, Error or Terminated"
        )
    return status


def _measurement(
    kind: str, row: dict[str, str], status: StepStatus | None, line: int, decimal: str
) -> Meas:
    name = row.get("measurename") or None
    raw = row.get("value", "")
    op = row.get("compoperator", "").upper()
    meas_status = _MEAS_STATUS.get(status) if status is not None else None
    if kind == "boolean":
        lowered = raw.lower()
        if lowered in _TRUE:
            passed = True
        elif lowered in _FALSE:
            passed = False
        elif status is not None:
            passed = status is not StepStatus.FAILED
        else:
            raise WstfError(line, f"PassFailTest value {raw!r} is not TRUE or FALSE")
        return Meas("boolean", name=name, passed=passed, status=meas_status)
    if kind == "string":
        limit = row.get("lowlimit") or None
        string_op = op or ("CASESENSIT" if limit is not None else "LOG")
        if string_op not in STRING_OPS:
            raise WstfError(line, f"CompOperator {op!r} does not apply to a StringValueTest")
        return Meas(
            "string", name=name, value=raw, comp_op=string_op, limit=limit, status=meas_status
        )
    try:
        value = parse_float(raw, decimal=decimal)
        low = parse_float(row.get("lowlimit"), decimal=decimal)
        high = parse_float(row.get("highlimit"), decimal=decimal)
    except ValueError:
        raise WstfError(line, "Value, LowLimit or HighLimit is not a number") from None
    if value is None:
        raise WstfError(line, "a NumericLimitTest row needs a Value")
    if not op:
        op = default_comp_op(low, high)
    if op not in NUMERIC_OPS:
        raise WstfError(line, f"CompOperator {op!r} is not a WATS comparison")
    return Meas(
        "numeric",
        name=name,
        value=value,
        comp_op=op,
        low=low,
        high=high,
        unit=row.get("unit") or None,
        status=meas_status,
    )
