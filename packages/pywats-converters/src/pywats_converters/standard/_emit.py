"""Turning a unit of the neutral step tree into a WSJF report, the same way for every format.

:func:`build_report` goes through pywats-core's ``UUTBuilder`` in import mode, so every
status the tester wrote is kept. Where the tester gave no status, it is computed the way
WATS compares values with limits. Step and measurement statuses are reconciled so that the
server's rule "step status = measurement status" always holds (the measurements win).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

from pywats.report import (
    AdditionalData,
    AdditionalDataProperty,
    BooleanMeasurement,
    CallExe,
    CompOp,
    MeasurementStatus,
    MessagePopup,
    NumericMeasurement,
    Report,
    ReportResult,
    SequenceBuilder,
    Step,
    StepStatus,
    StringCompOp,
    StringMeasurement,
    UUTBuilder,
    UUTInfo,
    numeric_passes,
    string_passes,
)

from .._sdk import ConversionContext, ConversionError, ConverterParameters, StationInfo
from ._tree import Header, Meas, Node, Unit
from ._values import SINGLE_LIMIT_OPS, TWO_LIMIT_OPS, step_status_from

__all__ = ["StandardParameters", "build_report", "resolve_process"]


class StandardParameters(ConverterParameters):
    """Settings every standard converter understands.

    * ``operation``: the process (operation) name or code for the reports; ``None`` uses
      what the file says, then the station's default process code.
    * ``default_part_number`` / ``default_revision``: used when the file names none.
      A file without a part number and no default is refused (a wrong part number is
      worse than no report).
    * ``skipped_steps``: ``"keep"`` (default) reports skipped steps with status ``S``;
      ``"drop"`` leaves them out of the report.
    * ``station_from_file``: take the station (machine) name from the file when it has one;
      otherwise the converting station's name is used.
    """

    operation: str | int | None = None
    """Process (operation) name or code; empty: what the file says, then the default."""
    default_part_number: str | None = None
    """Part number for files that name none."""
    default_revision: str = "1"
    """Revision for files that name none."""
    skipped_steps: Literal["keep", "drop"] = "keep"
    """Skipped steps: keep them (status S) or drop them from the report."""
    station_from_file: bool = True
    """Take the station name from the file when it has one."""


# --------------------------------------------------------------------------- header


def resolve_process(
    context: ConversionContext, operation: str | int | None
) -> tuple[int, str | None]:
    """The process code for ``operation`` (name or code) and its name when known."""
    code = context.process_code(operation)
    name = next((n for n, c in context.processes.items() if c == code), None)
    return code, name


def _required(value: str | None, what: str, context: ConversionContext) -> str:
    if value is None or not value.strip():
        raise ConversionError(what, source=context.source.path)
    return value.strip()


# --------------------------------------------------------------------------- emitting


def _meas_status(meas: Meas, step_status: StepStatus | None) -> MeasurementStatus:
    if meas.status is not None:
        return meas.status
    if meas.kind == "boolean" and meas.passed is not None:
        return MeasurementStatus.PASSED if meas.passed else MeasurementStatus.FAILED
    if step_status is StepStatus.SKIPPED:
        return MeasurementStatus.SKIPPED
    try:
        if meas.kind == "numeric" and isinstance(meas.value, float):
            ok = numeric_passes(meas.comp_op, meas.value, meas.low, meas.high)
            return MeasurementStatus.PASSED if ok else MeasurementStatus.FAILED
        if meas.kind == "string" and isinstance(meas.value, str):
            ok = string_passes(meas.comp_op, meas.value, meas.limit)
            return MeasurementStatus.PASSED if ok else MeasurementStatus.FAILED
    except ValueError:
        pass
    if step_status is StepStatus.FAILED:
        return MeasurementStatus.FAILED
    return MeasurementStatus.PASSED


def _numeric(meas: Meas, name: str | None, status: MeasurementStatus) -> NumericMeasurement:
    op = meas.comp_op.upper()
    low, high = meas.low, meas.high
    if op in SINGLE_LIMIT_OPS and low is None:  # WSJF keeps single limits in lowLimit
        low, high = high, None
    if (op in SINGLE_LIMIT_OPS and low is None) or (
        op in TWO_LIMIT_OPS and (low is None or high is None)
    ):
        op = "LOG"  # a comparison without its limits cannot be shown as one
    if op == "LOG":
        low = high = None  # WATS writes log-only measurements without limits
    value = meas.value if isinstance(meas.value, float) else math.nan
    return NumericMeasurement(
        compOp=CompOp(op),
        name=name,
        status=status,
        unit=meas.unit or None,
        value=value,
        highLimit=high,
        lowLimit=low,
    )


def _string(meas: Meas, name: str | None, status: MeasurementStatus) -> StringMeasurement:
    op = meas.comp_op.upper()
    if op != "LOG" and meas.limit is None:
        op = "LOG"
    return StringMeasurement(
        compOp=StringCompOp(op),
        name=name,
        status=status,
        value=meas.value if isinstance(meas.value, str) else str(meas.value or ""),
        limit=meas.limit,
    )


def _unique_names(measurements: Sequence[Meas]) -> list[str | None]:
    if len(measurements) == 1:
        return [measurements[0].name or None]
    names: list[str | None] = []
    for index, meas in enumerate(measurements):
        names.append(meas.name or f"Measurement {index}")
    return names


# Attributes of a tree node / header that go to the same-named attribute of the step / UUT
# header when the file gave them (see _copy_given).
_STEP_FIELDS = (
    "report_text",
    "error_code",
    "error_message",
    "caused_seq_failure",
    "loop",
    "chart",
    "attachment",
)
_UUT_FIELDS = ("batch_sn", "test_socket_index", "fixture_id", "error_code", "error_message")


def _copy_given(read: Node | Header, into: Step | UUTInfo, names: Sequence[str]) -> None:
    """Copy each of ``names`` that the file gave: neither ``None`` nor empty text (an
    error code of 0 is given). What it did not give stays unset, out of the report."""
    for name in names:
        value = getattr(read, name)
        if value is not None and value != "":
            setattr(into, name, value)


def _fill(step: Step, node: Node, status: StepStatus, context: ConversionContext) -> StepStatus:
    """Attach payload and measurements; returns the (reconciled) step status."""
    measurements = node.measurements
    if measurements:
        names = _unique_names(measurements)
        numeric: list[NumericMeasurement] = []
        strings: list[StringMeasurement] = []
        booleans: list[BooleanMeasurement] = []
        statuses: list[MeasurementStatus] = []
        for meas, name in zip(measurements, names, strict=True):
            m_status = _meas_status(meas, status)
            statuses.append(m_status)
            if meas.kind == "numeric":
                numeric.append(_numeric(meas, name, m_status))
            elif meas.kind == "string":
                strings.append(_string(meas, name, m_status))
            else:
                booleans.append(BooleanMeasurement(name=name, status=m_status))
        # only the kinds present: an explicit None would be written as null
        if numeric:
            step.numeric_meas = numeric
        if strings:
            step.string_meas = strings
        if booleans:
            step.boolean_meas = booleans
        agreed = step_status_from(statuses)
        if status not in (StepStatus.ERROR, StepStatus.TERMINATED) and status != agreed:
            context.logger.debug(
                "%s: step %r says %s, its measurements %s; the measurements win",
                context.source.name,
                node.name,
                status.value,
                agreed.value,
            )
            status = agreed
    step.status = status
    _copy_given(node, step, _STEP_FIELDS)
    if node.tot_time is not None and math.isfinite(node.tot_time):
        step.tot_time = node.tot_time
    if node.call_exe is not None:
        step.call_exe = CallExe(exitCode=node.call_exe)
    if node.popup is not None:
        step.message_popup = MessagePopup(response=node.popup[0], button=node.popup[1])
    if node.additional:
        step.additional_results = [
            AdditionalData(
                name=name,
                props=[AdditionalDataProperty(name=name, type=kind, value=value)],
            )
            for name, kind, value in node.additional
        ]
    return status


def _emit(
    seq: SequenceBuilder,
    nodes: Sequence[Node],
    params: StandardParameters,
    context: ConversionContext,
) -> None:
    for node in nodes:
        status = node.status
        if status is StepStatus.SKIPPED and params.skipped_steps == "drop":
            continue
        if node.children is not None:
            given = status or _derive_sequence_status(node)
            child = seq.sequence(
                node.name,
                path=node.seq_path,
                version=node.seq_version,
                status=given,
                group=node.group,
            )
            child.step.step_type = node.step_type
            if node.seq_name and child.step.seq_call is not None:
                child.step.seq_call.name = node.seq_name
            _emit(child, node.children, params, context)
            _fill(child.step, node, given, context)
            continue
        if status is None:
            status = _derive_status(node)
        step = seq.action(node.name, step_type=node.step_type, status=status, group=node.group)
        _fill(step, node, status, context)


def _derive_status(node: Node) -> StepStatus:
    if node.children is not None:
        return _derive_sequence_status(node)
    if not node.measurements:
        return StepStatus.PASSED
    return step_status_from([_meas_status(m, None) for m in node.measurements])


def _derive_sequence_status(node: Node) -> StepStatus:
    statuses = [c.status or _derive_status(c) for c in node.children or ()]
    if any(s in (StepStatus.FAILED, StepStatus.ERROR, StepStatus.TERMINATED) for s in statuses):
        return StepStatus.FAILED
    return StepStatus.PASSED


def build_report(
    unit: Unit,
    params: StandardParameters,
    context: ConversionContext,
) -> Report:
    """One WSJF report from ``unit``, its header completed from settings and context."""
    head = unit.header
    sn = _required(head.sn, "no serial number: the file names no unit serial number", context)
    pn_text = head.pn if head.pn and head.pn.strip() else params.default_part_number
    pn = _required(
        pn_text,
        "no part number: the file names none and the setting default_part_number is not set",
        context,
    )
    rev = head.rev.strip() if head.rev and head.rev.strip() else params.default_revision
    operation = params.operation if params.operation not in (None, "") else head.operation
    code, process_name = resolve_process(context, operation)
    station: StationInfo = context.station
    machine = _from_file(head.station, params)
    root_status = unit.root_status or _derive_sequence_status(
        Node(name=head.sequence_name, children=unit.steps)
    )
    result = head.result or _result_from(root_status)
    builder = UUTBuilder(
        pn=pn,
        sn=sn,
        rev=rev,
        process_code=code,
        process_name=process_name,
        machine_name=machine or station.machine_name,
        location=_from_file(head.location, params) or station.location,
        purpose=_from_file(head.purpose, params) or station.purpose,
        operator=(head.operator or context.operator or None),
        start=head.start or context.source.modified.astimezone(),
        report_id=head.report_id or context.report_id(unit.key),
        mode="import",
        result=result,
        sequence_name=head.sequence_name,
    )
    root = builder.root.step
    root.status = root_status
    if root.seq_call is not None:
        root.seq_call.path = head.sequence_path
        root.seq_call.version = head.sequence_version
    uut = builder.uut
    if head.exec_time is not None and math.isfinite(head.exec_time):
        uut.exec_time = head.exec_time
    _copy_given(head, uut, _UUT_FIELDS)
    if head.comment:
        uut.comment = head.comment[:500]
    for description, value in head.misc:
        builder.misc_info(description, value)
    for part_type, sub_pn, sub_sn, sub_rev in head.sub_units:
        builder.sub_unit(part_type, sub_pn, sub_sn, sub_rev or params.default_revision)
    _emit(builder.root, unit.steps, params, context)
    return builder.build()


def _from_file(value: str | None, params: StandardParameters) -> str | None:
    if params.station_from_file and value and value.strip():
        return value.strip()
    return None


def _result_from(status: StepStatus) -> ReportResult:
    return {
        StepStatus.FAILED: ReportResult.FAILED,
        StepStatus.ERROR: ReportResult.ERROR,
        StepStatus.TERMINATED: ReportResult.TERMINATED,
    }.get(status, ReportResult.PASSED)
