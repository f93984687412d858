"""A generic CSV / delimited-text converter, configured entirely by settings.

Two layouts:

* ``step_per_row`` (default): every row is one test step; consecutive rows with the same
  serial number (and start time, when mapped) are one unit.
* ``unit_per_row``: every row is one unit; the header columns are mapped to report fields
  and every other column (or those listed in ``measurement_columns``) is one step named
  after its column, with optional limits per column (``column_limits``).

Columns are named by their header text, or by 0-based index when ``has_header`` is false.
:func:`read_table` is the pure tokenizer (text in, rows with line numbers out).
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Literal

from pydantic import Field, field_validator

from pywats.report import MeasurementStatus, Report, StepStatus

from .._sdk import ConversionContext, ConversionError, Converter, ConverterParameters, SourceFile
from ._emit import StandardParameters, build_report
from ._tree import Header, Meas, Node, Unit
from ._values import NUMERIC_OPS, STRING_OPS, default_comp_op, parse_float, parse_timestamp_text

__all__ = [
    "CsvColumnLimit",
    "CsvColumns",
    "CsvConverter",
    "CsvError",
    "CsvParameters",
    "read_table",
]


class CsvError(ValueError):
    """A row breaks the configured layout; ``line`` is 1-based (0: the file as a whole)."""

    def __init__(self, line: int, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}" if line else message)


class CsvColumns(ConverterParameters):
    """Which column holds which field (header text, or index as text without a header).

    ``None`` means the file has no such column.
    """

    serial_number: str = "SerialNumber"
    part_number: str | None = "PartNumber"
    revision: str | None = None
    start: str | None = None
    operation: str | None = None
    operator: str | None = None
    station: str | None = None
    unit_status: str | None = None
    # step_per_row only
    sequence: str | None = None
    step_name: str | None = "StepName"
    step_type: str | None = "StepType"
    measure_name: str | None = None
    value: str | None = "Value"
    low_limit: str | None = "LowLimit"
    high_limit: str | None = "HighLimit"
    comp_op: str | None = None
    unit: str | None = "Unit"
    status: str | None = "Result"


class CsvColumnLimit(ConverterParameters):
    """Limits of one measurement column in the ``unit_per_row`` layout."""

    low: float | None = None
    high: float | None = None
    comp_op: str | None = None
    unit: str | None = None


class CsvParameters(StandardParameters):
    """Settings of the CSV converter. Every field has a default; see docs/converters-standard.md."""

    layout: Literal["step_per_row", "unit_per_row"] = "step_per_row"
    """One row per step, or one row per unit (measurements in columns)."""
    delimiter: str = Field(",", min_length=1, max_length=1)
    """The one character between fields."""
    decimal_separator: Literal[".", ","] = "."
    """The decimal separator of numbers."""
    has_header: bool = True
    """Whether the first (non-skipped) line names the columns."""
    skip_lines: int = Field(0, ge=0)
    """Lines to skip at the start of the file."""
    encodings: tuple[str, ...] = ("utf-8-sig", "cp1252")
    """Text encodings to try, in order."""
    date_format: str | None = None
    extra_fields: Literal["error", "ignore"] = "error"
    columns: CsvColumns = CsvColumns()
    measurement_columns: tuple[str, ...] | None = None
    column_limits: dict[str, CsvColumnLimit] = Field(default_factory=dict)
    pass_values: tuple[str, ...] = ("PASS", "PASSED", "P", "OK", "TRUE", "1")
    fail_values: tuple[str, ...] = ("FAIL", "FAILED", "F", "NOK", "NG", "FALSE", "0")
    skip_values: tuple[str, ...] = ("SKIP", "SKIPPED", "S")
    numeric_types: tuple[str, ...] = ("NumericLimit", "NumericLimitTest", "Numeric", "ET_NLT")
    pass_fail_types: tuple[str, ...] = ("PassFail", "PassFailTest", "ET_PFT")
    string_types: tuple[str, ...] = ("StringValue", "StringValueTest", "String", "ET_SVT")

    @field_validator("column_limits")
    @classmethod
    def _known_ops(cls, value: dict[str, CsvColumnLimit]) -> dict[str, CsvColumnLimit]:
        for column, limit in value.items():
            if limit.comp_op is not None and limit.comp_op.upper() not in NUMERIC_OPS:
                raise ValueError(
                    f"column {column!r}: comp_op {limit.comp_op!r} is not a WATS comparison"
                )
        return value


class CsvConverter(Converter[CsvParameters]):
    """Delimited text logs, mapped to reports by settings."""

    name = "csv"
    patterns = ("*.csv", "*.CSV")
    description = "CSV/delimited logs, one row per step or one row per unit, mapped by settings"

    def convert(self, source: SourceFile, context: ConversionContext) -> list[Report]:
        params = self.parameters
        text = source.read_text(params.encodings)
        try:
            header, rows = read_table(
                text,
                delimiter=params.delimiter,
                has_header=params.has_header,
                skip_lines=params.skip_lines,
            )
            if params.layout == "step_per_row":
                units = _step_rows(header, rows, params)
            else:
                units = _unit_rows(header, rows, params)
        except CsvError as exc:
            raise ConversionError(str(exc), source=source.path) from None
        return [build_report(unit, params, context) for unit in units]


def read_table(
    text: str, *, delimiter: str = ",", has_header: bool = True, skip_lines: int = 0
) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """``(header, [(line, cells)])``; blank lines are skipped, quoting follows RFC 4180."""
    stream = io.StringIO(text, newline="")
    for _ in range(skip_lines):
        stream.readline()
    reader = csv.reader(stream, delimiter=delimiter, strict=True)
    header: list[str] = []
    rows: list[tuple[int, list[str]]] = []
    try:
        for cells in reader:
            line = reader.line_num + skip_lines
            if not any(cell.strip() for cell in cells):
                continue
            if has_header and not header:
                header = [cell.strip() for cell in cells]
                continue
            rows.append((line, cells))
    except csv.Error as exc:
        raise CsvError(reader.line_num + skip_lines, f"malformed CSV ({exc})") from None
    if has_header and not header:
        raise CsvError(0, "the file is empty (no header row)")
    if not rows:
        raise CsvError(0, "the file has no data rows")
    return header, rows


class _Row:
    def __init__(
        self, line: int, cells: list[str], index: dict[str, int], params: CsvParameters
    ) -> None:
        self.line = line
        self.cells = cells
        self.index = index
        if len(cells) > len(index) and params.has_header and params.extra_fields == "error":
            raise CsvError(line, f"{len(cells)} fields, but the header names {len(index)} columns")

    def get(self, column: str | None) -> str:
        if column is None:
            return ""
        position = self.index.get(column)
        if position is None or position >= len(self.cells):
            return ""
        return self.cells[position].strip()


def _column_index(
    header: list[str], rows: list[tuple[int, list[str]]], params: CsvParameters
) -> dict[str, int]:
    if params.has_header:
        return {name: position for position, name in enumerate(header)}
    width = max(len(cells) for _, cells in rows)
    return {str(position): position for position in range(width)}


def _effective_columns(
    index: dict[str, int], params: CsvParameters, required: tuple[str, ...]
) -> CsvColumns:
    """The column mapping with absent optional columns dropped.

    A required column, or an optional one the settings name explicitly (not the default),
    that the file lacks is an error naming the setting.
    """
    defaults = CsvColumns()
    chosen = params.columns.model_dump()
    for setting, column in list(chosen.items()):
        if column is None or column in index:
            continue
        if setting not in required and column == getattr(defaults, setting):
            chosen[setting] = None  # a default name the file does not use: no such column
            continue
        known = ", ".join(index) or "(none)"
        raise CsvError(
            0, f"column {column!r} (setting columns.{setting}) is not in the file; columns: {known}"
        )
    return CsvColumns.model_validate(chosen)


def _header_of(row: _Row, params: CsvParameters) -> Header:
    cols = params.columns
    header = Header(
        sn=row.get(cols.serial_number) or None,
        pn=row.get(cols.part_number) or None,
        rev=row.get(cols.revision) or None,
        operator=row.get(cols.operator) or None,
        station=row.get(cols.station) or None,
    )
    if row.get(cols.operation):
        header.operation = row.get(cols.operation)
    if cols.start is not None and row.get(cols.start):
        header.start = _date(row.get(cols.start), params, row.line)
    return header


def _date(value: str, params: CsvParameters, line: int) -> datetime:
    if params.date_format:
        try:
            parsed = datetime.strptime(value, params.date_format)
        except ValueError:
            raise CsvError(line, f"date {value!r} does not match {params.date_format!r}") from None
        try:
            return parsed.astimezone()
        except (OverflowError, ValueError):  # the calendar's ends, in this machine's zone
            raise CsvError(line, f"date {value!r} is out of range here") from None
    moment = parse_timestamp_text(value)
    if moment is None:
        raise CsvError(line, f"date {value!r} is not yyyy-mm-dd hh:mm:ss (set date_format)")
    return moment


def _verdict(value: str, params: CsvParameters, line: int) -> MeasurementStatus | None:
    if not value:
        return None
    upper = value.upper()
    if upper in (v.upper() for v in params.pass_values):
        return MeasurementStatus.PASSED
    if upper in (v.upper() for v in params.fail_values):
        return MeasurementStatus.FAILED
    if upper in (v.upper() for v in params.skip_values):
        return MeasurementStatus.SKIPPED
    raise CsvError(line, f"status {value!r} is none of pass_values, fail_values, skip_values")


_STEP_STATUS = {
    MeasurementStatus.PASSED: StepStatus.PASSED,
    MeasurementStatus.FAILED: StepStatus.FAILED,
    MeasurementStatus.SKIPPED: StepStatus.SKIPPED,
}


def _number(text: str, params: CsvParameters, line: int, what: str) -> float | None:
    try:
        return parse_float(text, decimal=params.decimal_separator)
    except ValueError:
        raise CsvError(line, f"{what} {text!r} is not a number") from None


def _kind(step_type: str, value: str, params: CsvParameters) -> str:
    lowered = step_type.lower()
    if lowered in (t.lower() for t in params.numeric_types):
        return "numeric"
    if lowered in (t.lower() for t in params.pass_fail_types):
        return "boolean"
    if lowered in (t.lower() for t in params.string_types):
        return "string"
    if not value:
        return "boolean"
    try:
        parse_float(value, decimal=params.decimal_separator)
    except ValueError:
        words = {v.upper() for v in (*params.pass_values, *params.fail_values, *params.skip_values)}
        return "boolean" if value.upper() in words else "string"
    return "numeric"


def _measurement(row: _Row, params: CsvParameters) -> tuple[str, Meas]:
    cols = params.columns
    value = row.get(cols.value)
    step_type = row.get(cols.step_type)
    kind = _kind(step_type, value, params)
    status = _verdict(row.get(cols.status), params, row.line)
    op = row.get(cols.comp_op).upper()
    name = row.get(cols.measure_name) or None
    if kind == "boolean":
        if status is None:
            status = _verdict(value, params, row.line)
        if status is None:
            raise CsvError(row.line, "a pass/fail step needs a status or a pass/fail value")
        return "PassFailTest", Meas(
            "boolean", name=name, passed=status is not MeasurementStatus.FAILED, status=status
        )
    if kind == "string":
        limit = row.get(cols.low_limit) or None
        string_op = op or ("CASESENSIT" if limit is not None else "LOG")
        if string_op not in STRING_OPS:
            raise CsvError(row.line, f"comparison {op!r} does not apply to a string")
        return "StringValueTest", Meas(
            "string", name=name, value=value, comp_op=string_op, limit=limit, status=status
        )
    number = _number(value, params, row.line, "value")
    if number is None:
        raise CsvError(row.line, "a numeric step needs a value")
    low = _number(row.get(cols.low_limit), params, row.line, "low limit")
    high = _number(row.get(cols.high_limit), params, row.line, "high limit")
    op = op or default_comp_op(low, high)
    if op not in NUMERIC_OPS:
        raise CsvError(row.line, f"comparison {op!r} is not a WATS comparison")
    meas = Meas(
        "numeric",
        name=name,
        value=number,
        comp_op=op,
        low=low,
        high=high,
        unit=row.get(cols.unit) or None,
        status=status,
    )
    return "NumericLimitTest", meas


def _step_rows(
    header: list[str], rows: list[tuple[int, list[str]]], params: CsvParameters
) -> list[Unit]:
    index = _column_index(header, rows, params)
    cols = _effective_columns(index, params, ("serial_number", "step_name", "value"))
    params = params.model_copy(update={"columns": cols})
    units: list[Unit] = []
    key: tuple[str, str] | None = None
    sequences: dict[str, Node] = {}
    for line, cells in rows:
        row = _Row(line, cells, index, params)
        sn = row.get(cols.serial_number)
        if not sn:
            raise CsvError(line, f"no serial number (column {cols.serial_number!r} is empty)")
        this = (sn, row.get(cols.start))
        if this != key:
            key = this
            units.append(Unit(header=_header_of(row, params), steps=[], key=len(units)))
            sequences = {}
        unit = units[-1]
        status_text = row.get(cols.unit_status)
        if status_text:
            verdict = _verdict(status_text, params, line)
            unit.root_status = _STEP_STATUS.get(verdict) if verdict is not None else None
        name = row.get(cols.step_name)
        if not name:
            raise CsvError(line, f"no step name (column {cols.step_name!r} is empty)")
        step_type, meas = _measurement(row, params)
        target = unit.steps
        sequence_name = row.get(cols.sequence)
        if sequence_name:
            sequence = sequences.get(sequence_name)
            if sequence is None:
                sequence = Node(sequence_name, "SequenceCall", children=[], seq_name=sequence_name)
                sequences[sequence_name] = sequence
                unit.steps.append(sequence)
            assert sequence.children is not None
            target = sequence.children
        previous = target[-1] if target else None
        if (
            previous is not None
            and previous.name == name
            and meas.name
            and previous.measurements
            and previous.measurements[0].name
        ):
            previous.measurements.append(meas)  # named measurements of one step
            previous.status = None
            continue
        status = _STEP_STATUS.get(meas.status) if meas.status is not None else None
        target.append(Node(name, step_type, status=status, measurements=[meas]))
    return units


def _unit_rows(
    header: list[str], rows: list[tuple[int, list[str]]], params: CsvParameters
) -> list[Unit]:
    index = _column_index(header, rows, params)
    cols = _effective_columns(index, params, ("serial_number",))
    params = params.model_copy(update={"columns": cols})
    mapped = {
        column
        for column in (
            cols.serial_number,
            cols.part_number,
            cols.revision,
            cols.start,
            cols.operation,
            cols.operator,
            cols.station,
            cols.unit_status,
        )
        if column is not None
    }
    for column in params.measurement_columns or ():
        if column not in index:
            raise CsvError(0, f"measurement column {column!r} is not in the file")
    measured = (
        list(params.measurement_columns)
        if params.measurement_columns is not None
        else [c for c in index if c not in mapped]
    )
    if not measured:
        raise CsvError(0, "no measurement columns: every column is mapped to a header field")
    units: list[Unit] = []
    for line, cells in rows:
        row = _Row(line, cells, index, params)
        head = _header_of(row, params)
        if not head.sn:
            raise CsvError(line, f"no serial number (column {cols.serial_number!r} is empty)")
        unit = Unit(header=head, steps=[], key=len(units))
        status_text = row.get(cols.unit_status)
        if status_text:
            verdict = _verdict(status_text, params, line)
            unit.root_status = _STEP_STATUS.get(verdict) if verdict is not None else None
        for column in measured:
            value = row.get(column)
            if not value:
                continue
            limit = params.column_limits.get(column, CsvColumnLimit())
            number = None
            try:
                number = parse_float(value, decimal=params.decimal_separator)
            except ValueError:
                number = None
            if number is None:
                unit.steps.append(
                    Node(column, "StringValueTest", measurements=[Meas("string", value=value)])
                )
                continue
            op = (limit.comp_op or default_comp_op(limit.low, limit.high)).upper()
            meas = Meas(
                "numeric", value=number, comp_op=op, low=limit.low, high=limit.high, unit=limit.unit
            )
            unit.steps.append(Node(column, "NumericLimitTest", measurements=[meas]))
        units.append(unit)
    return units
