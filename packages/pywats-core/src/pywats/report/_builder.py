"""Writing reports in code.

Two modes:

* ``active`` (default): the builder computes each measurement's status from its ``compOp``
  and limits (single-limit comparisons use ``lowLimit``, as the server does, wats-facts
  §7.10), sets each step's status from its measurements, each sequence's status from its
  children, and the report result from the root.
* ``import``: statuses and the result are taken as given (for converters that copy a
  tester's verdicts); nothing is recomputed.

The report id (a UUID) is assigned when the builder is created and never regenerated: every
``build()`` returns a report with that id.
"""

from __future__ import annotations

import base64
import math
import uuid
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any, Literal

from ._models import (
    Asset,
    Attachment,
    BinaryData,
    BooleanMeasurement,
    CallExe,
    Chart,
    ChartSeries,
    CompOp,
    Failure,
    MeasurementStatus,
    MessagePopup,
    MiscInfo,
    NumericMeasurement,
    Report,
    ReportResult,
    ReportType,
    SequenceCall,
    Step,
    StepGroup,
    StepStatus,
    StringCompOp,
    StringMeasurement,
    SubUnit,
    UURInfo,
    UUTInfo,
    format_timestamp,
)

__all__ = [
    "BuildMode",
    "MultiNumericStep",
    "MultiPassFailStep",
    "MultiStringStep",
    "SequenceBuilder",
    "UURBuilder",
    "UUTBuilder",
    "numeric_passes",
    "string_passes",
]

BuildMode = Literal["active", "import"]

_SINGLE_LIMIT = {CompOp.EQ, CompOp.NE, CompOp.GT, CompOp.GE, CompOp.LT, CompOp.LE}
_DUAL_LIMIT = {
    CompOp.GTLT,
    CompOp.GTLE,
    CompOp.GELT,
    CompOp.GELE,
    CompOp.LTGT,
    CompOp.LTGE,
    CompOp.LEGT,
    CompOp.LEGE,
}


def numeric_passes(
    comp_op: CompOp | str, value: float, low: float | None = None, high: float | None = None
) -> bool:
    """Whether ``value`` passes ``comp_op`` (wats-facts §7.10); single limits are ``low``."""
    op = CompOp(comp_op)
    if op is CompOp.LOG:
        return True
    if low is None:
        raise ValueError(f"{op.value} needs a limit (lowLimit)")
    if math.isnan(value):
        return op is CompOp.NE
    v, lo = value, low
    if op in _SINGLE_LIMIT:
        return {
            CompOp.EQ: v == lo,
            CompOp.NE: v != lo,
            CompOp.GT: v > lo,
            CompOp.GE: v >= lo,
            CompOp.LT: v < lo,
            CompOp.LE: v <= lo,
        }[op]
    if high is None:
        raise ValueError(f"{op.value} needs two limits (lowLimit and highLimit)")
    hi = high
    return {
        CompOp.GTLT: lo < v < hi,
        CompOp.GTLE: lo < v <= hi,
        CompOp.GELT: lo <= v < hi,
        CompOp.GELE: lo <= v <= hi,
        CompOp.LTGT: v < lo or v > hi,
        CompOp.LTGE: v < lo or v >= hi,
        CompOp.LEGT: v <= lo or v > hi,
        CompOp.LEGE: v <= lo or v >= hi,
    }[op]


def string_passes(comp_op: StringCompOp | str, value: str, limit: str | None = None) -> bool:
    """Whether ``value`` passes a string ``comp_op``; ``EQ`` and ``CASESENSIT`` are the same."""
    op = StringCompOp(comp_op)
    if op is StringCompOp.LOG:
        return True
    if limit is None:
        raise ValueError(f"{op.value} needs a limit")
    if op in (StringCompOp.EQ, StringCompOp.CASESENSIT):
        return value == limit
    if op is StringCompOp.NE:
        return value != limit
    return value.casefold() == limit.casefold()


def _meas_status(passed: bool) -> MeasurementStatus:
    return MeasurementStatus.PASSED if passed else MeasurementStatus.FAILED


def _status_or_none(status: StepStatus | str | None) -> StepStatus | None:
    return None if status is None else StepStatus(status)


def _mstatus_or_none(status: MeasurementStatus | str | None) -> MeasurementStatus | None:
    return None if status is None else MeasurementStatus(status)


class _StepBase:
    def __init__(self, builder: _ReportBuilderBase, step: Step, explicit: StepStatus | None):
        self._builder = builder
        self.step = step
        self.explicit_status = explicit

    def _require_status(self, status: object, what: str) -> None:
        if self._builder.mode == "import" and status is None:
            raise ValueError(f"import mode: {what} needs an explicit status")


class MultiNumericStep(_StepBase):
    """A step with several named numeric measurements (``ET_MNLT``)."""

    def add(
        self,
        name: str,
        value: float,
        comp_op: CompOp | str = CompOp.LOG,
        *,
        low: float | None = None,
        high: float | None = None,
        limit: float | None = None,
        unit: str | None = None,
        status: MeasurementStatus | str | None = None,
    ) -> NumericMeasurement:
        meas = self._builder._numeric(name, value, comp_op, low, high, limit, unit, status)
        if self.step.numeric_meas is None:
            self.step.numeric_meas = []
        self.step.numeric_meas.append(meas)
        return meas


class MultiStringStep(_StepBase):
    """A step with several named string measurements (``ET_MSVT``)."""

    def add(
        self,
        name: str,
        value: str,
        comp_op: StringCompOp | str = StringCompOp.LOG,
        *,
        limit: str | None = None,
        status: MeasurementStatus | str | None = None,
    ) -> StringMeasurement:
        meas = self._builder._string(name, value, comp_op, limit, status)
        if self.step.string_meas is None:
            self.step.string_meas = []
        self.step.string_meas.append(meas)
        return meas


class MultiPassFailStep(_StepBase):
    """A step with several named pass/fail measurements (``ET_MPFT``)."""

    def add(
        self, name: str, passed: bool, *, status: MeasurementStatus | str | None = None
    ) -> BooleanMeasurement:
        meas = self._builder._boolean(name, passed, status)
        if self.step.boolean_meas is None:
            self.step.boolean_meas = []
        self.step.boolean_meas.append(meas)
        return meas


class SequenceBuilder(_StepBase):
    """A sequence call: add child steps and nested sequences to it."""

    def _add(
        self,
        name: str,
        step_type: str,
        status: StepStatus | str | None,
        group: StepGroup | str,
        **payload: Any,
    ) -> Step:
        step = Step(
            name=name,
            stepType=step_type,
            group=StepGroup(group),
            status=_status_or_none(status),
            **payload,
        )
        if self.step.steps is None:
            self.step.steps = []
        self.step.steps.append(step)
        self._builder._explicit[id(step)] = _status_or_none(status)
        return step

    def sequence(
        self,
        name: str,
        *,
        path: str | None = None,
        version: str | None = None,
        status: StepStatus | str | None = None,
        group: StepGroup | str = StepGroup.MAIN,
    ) -> SequenceBuilder:
        self._require_status(status, f"sequence {name!r}")
        step = self._add(
            name,
            "SequenceCall",
            status,
            group,
            seqCall=SequenceCall(path=path, name=name, version=version),
        )
        return SequenceBuilder(self._builder, step, _status_or_none(status))

    def numeric(
        self,
        name: str,
        value: float,
        comp_op: CompOp | str = CompOp.LOG,
        *,
        low: float | None = None,
        high: float | None = None,
        limit: float | None = None,
        unit: str | None = None,
        status: StepStatus | str | None = None,
        meas_status: MeasurementStatus | str | None = None,
        group: StepGroup | str = StepGroup.MAIN,
    ) -> Step:
        """One numeric measurement (``ET_NLT``); ``limit`` is the single limit (lowLimit)."""
        self._require_status(status, f"step {name!r}")
        meas = self._builder._numeric(None, value, comp_op, low, high, limit, unit, meas_status)
        return self._add(name, "ET_NLT", status, group, numericMeas=[meas])

    def multi_numeric(
        self,
        name: str,
        *,
        status: StepStatus | str | None = None,
        group: StepGroup | str = StepGroup.MAIN,
    ) -> MultiNumericStep:
        self._require_status(status, f"step {name!r}")
        step = self._add(name, "ET_MNLT", status, group)
        return MultiNumericStep(self._builder, step, _status_or_none(status))

    def string(
        self,
        name: str,
        value: str,
        comp_op: StringCompOp | str = StringCompOp.LOG,
        *,
        limit: str | None = None,
        status: StepStatus | str | None = None,
        meas_status: MeasurementStatus | str | None = None,
        group: StepGroup | str = StepGroup.MAIN,
    ) -> Step:
        self._require_status(status, f"step {name!r}")
        meas = self._builder._string(None, value, comp_op, limit, meas_status)
        return self._add(name, "ET_SVT", status, group, stringMeas=[meas])

    def multi_string(
        self,
        name: str,
        *,
        status: StepStatus | str | None = None,
        group: StepGroup | str = StepGroup.MAIN,
    ) -> MultiStringStep:
        self._require_status(status, f"step {name!r}")
        step = self._add(name, "ET_MSVT", status, group)
        return MultiStringStep(self._builder, step, _status_or_none(status))

    def pass_fail(
        self,
        name: str,
        passed: bool,
        *,
        status: StepStatus | str | None = None,
        meas_status: MeasurementStatus | str | None = None,
        group: StepGroup | str = StepGroup.MAIN,
    ) -> Step:
        self._require_status(status, f"step {name!r}")
        meas = self._builder._boolean(None, passed, meas_status)
        return self._add(name, "ET_PFT", status, group, booleanMeas=[meas])

    def multi_pass_fail(
        self,
        name: str,
        *,
        status: StepStatus | str | None = None,
        group: StepGroup | str = StepGroup.MAIN,
    ) -> MultiPassFailStep:
        self._require_status(status, f"step {name!r}")
        step = self._add(name, "ET_MPFT", status, group)
        return MultiPassFailStep(self._builder, step, _status_or_none(status))

    def chart(
        self,
        name: str,
        *,
        label: str,
        series: Sequence[tuple[str, Sequence[float], Sequence[float]]],
        chart_type: str = "Line",
        x_label: str | None = None,
        x_unit: str | None = None,
        y_label: str | None = None,
        y_unit: str | None = None,
        status: StepStatus | str | None = None,
        group: StepGroup | str = StepGroup.MAIN,
    ) -> MultiNumericStep:
        """A chart step (``WATS_XYGMNLT``); add numeric measurements to the returned step.

        ``series`` holds ``(name, xs, ys)``; data is written as ``;``-joined numbers.
        """
        self._require_status(status, f"step {name!r}")
        chart = Chart(
            chartType=chart_type,
            label=label,
            xLabel=x_label,
            xUnit=x_unit,
            yLabel=y_label,
            yUnit=y_unit,
            series=[
                ChartSeries(
                    dataType="XYG",
                    name=series_name,
                    xdata=";".join(_num_text(x) for x in xs),
                    ydata=";".join(_num_text(y) for y in ys),
                )
                for series_name, xs, ys in series
            ],
        )
        step = self._add(name, "WATS_XYGMNLT", status, group, chart=chart)
        return MultiNumericStep(self._builder, step, _status_or_none(status))

    def action(
        self,
        name: str,
        *,
        step_type: str = "Action",
        status: StepStatus | str = StepStatus.PASSED,
        report_text: str | None = None,
        group: StepGroup | str = StepGroup.MAIN,
    ) -> Step:
        """A step without measurements (``Action`` or any flow ``step_type``)."""
        extra = {} if report_text is None else {"reportText": report_text}
        return self._add(name, step_type, status, group, **extra)

    def call_exe(
        self,
        name: str,
        exit_code: float,
        *,
        status: StepStatus | str = StepStatus.PASSED,
        group: StepGroup | str = StepGroup.MAIN,
    ) -> Step:
        return self._add(name, "CallExecutable", status, group, callExe=CallExe(exitCode=exit_code))

    def message_popup(
        self,
        name: str,
        *,
        response: str | None = None,
        button: int = 0,
        status: StepStatus | str = StepStatus.PASSED,
        group: StepGroup | str = StepGroup.MAIN,
    ) -> Step:
        return self._add(
            name,
            "MessagePopup",
            status,
            group,
            messagePopup=MessagePopup(response=response, button=button),
        )

    def attachment(
        self,
        name: str,
        data: bytes,
        content_type: str = "application/octet-stream",
        *,
        status: StepStatus | str = StepStatus.PASSED,
        group: StepGroup | str = StepGroup.MAIN,
    ) -> Step:
        return self._add(
            name,
            "WATS_AttachFile",
            status,
            group,
            attachment=Attachment(
                name=name, contentType=content_type, data=base64.b64encode(data).decode()
            ),
        )


def _num_text(value: float) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def _binary(name: str, data: bytes, content_type: str) -> BinaryData:
    return BinaryData(
        contentType=content_type,
        data=base64.b64encode(data).decode(),
        name=name,
        id=str(uuid.uuid4()),
    )


def _now() -> datetime:
    return datetime.now(timezone.utc).astimezone()


class _ReportBuilderBase:
    def __init__(
        self,
        *,
        report_type: ReportType,
        pn: str,
        sn: str,
        rev: str,
        process_code: int,
        machine_name: str,
        location: str,
        purpose: str,
        process_name: str | None,
        start: datetime | None,
        report_id: uuid.UUID | str | None,
        mode: BuildMode,
    ) -> None:
        if mode not in ("active", "import"):
            raise ValueError(f"mode must be 'active' or 'import', not {mode!r}")
        self.mode: BuildMode = mode
        #: fixed at creation; every build() uses it (the server upserts by this id)
        self.id = str(uuid.UUID(str(report_id)) if report_id is not None else uuid.uuid4())
        moment = start or _now()
        if moment.tzinfo is None:
            moment = moment.astimezone()
        self.report_type = report_type
        self.header: dict[str, Any] = {
            "type": report_type,
            "id": self.id,
            "pn": pn,
            "sn": sn,
            "rev": rev,
            "processCode": process_code,
            "machineName": machine_name,
            "location": location,
            "purpose": purpose,
            "start": format_timestamp(moment),
            "startUTC": format_timestamp(moment.astimezone(timezone.utc)),
        }
        if process_name is not None:
            self.header["processName"] = process_name
        self.misc_infos: list[MiscInfo] = []
        self.sub_units: list[SubUnit] = []
        self.assets: list[Asset] = []
        self._explicit: dict[int, StepStatus | None] = {}

    def asset(self, asset_sn: str, usage_count: int | None = None) -> Asset:
        """Record equipment (fixture, instrument) used for this report."""
        item = Asset(assetSN=asset_sn)
        if usage_count is not None:
            item.usage_count = usage_count
        self.assets.append(item)
        return item

    def misc_info(self, description: str, value: str | int) -> MiscInfo:
        info = (
            MiscInfo(description=description, numeric=value)
            if isinstance(value, int) and not isinstance(value, bool)
            else MiscInfo(description=description, text=str(value))
        )
        self.misc_infos.append(info)
        return info

    # measurement factories shared by the step builders
    def _numeric(
        self,
        name: str | None,
        value: float,
        comp_op: CompOp | str,
        low: float | None,
        high: float | None,
        limit: float | None,
        unit: str | None,
        status: MeasurementStatus | str | None,
    ) -> NumericMeasurement:
        op = CompOp(comp_op)
        if limit is not None:
            if low is not None:
                raise ValueError("pass either limit= or low=, not both")
            low = limit
        if op in _SINGLE_LIMIT and high is not None and low is None:
            # WSJF keeps every single limit in lowLimit (wats-facts §7.10)
            low, high = high, None
        if op in _SINGLE_LIMIT and high is not None:
            raise ValueError(f"{op.value} compares against one limit; got low and high")
        if op in _DUAL_LIMIT and (low is None or high is None):
            raise ValueError(f"{op.value} needs low= and high=")
        if op in _SINGLE_LIMIT and low is None:
            raise ValueError(f"{op.value} needs limit=")
        given = _mstatus_or_none(status)
        if given is None:
            if self.mode == "import":
                raise ValueError("import mode: measurements need an explicit status")
            given = _meas_status(numeric_passes(op, float(value), low, high))
        return NumericMeasurement(
            compOp=op,
            name=name,
            status=given,
            unit=unit,
            value=value,
            highLimit=high,
            lowLimit=low,
        )

    def _string(
        self,
        name: str | None,
        value: str,
        comp_op: StringCompOp | str,
        limit: str | None,
        status: MeasurementStatus | str | None,
    ) -> StringMeasurement:
        op = StringCompOp(comp_op)
        given = _mstatus_or_none(status)
        if given is None:
            if self.mode == "import":
                raise ValueError("import mode: measurements need an explicit status")
            given = _meas_status(string_passes(op, value, limit))
        return StringMeasurement(compOp=op, name=name, status=given, value=value, limit=limit)

    def _boolean(
        self, name: str | None, passed: bool, status: MeasurementStatus | str | None
    ) -> BooleanMeasurement:
        given = _mstatus_or_none(status)
        if given is None:
            given = _meas_status(passed)
        return BooleanMeasurement(name=name, status=given)


def _settle(step: Step, explicit: dict[int, StepStatus | None]) -> None:
    """Active mode: statuses from measurements and children, bottom-up."""
    for child in step.steps or []:
        _settle(child, explicit)
    if explicit.get(id(step)) is not None:
        return
    statuses = [m.status for m in step.measurements() if m.status is not None]
    failed = MeasurementStatus.FAILED in statuses or any(
        child.status in (StepStatus.FAILED, StepStatus.ERROR, StepStatus.TERMINATED)
        for child in step.steps or []
    )
    if failed:
        step.status = StepStatus.FAILED
    elif statuses and all(s is MeasurementStatus.SKIPPED for s in statuses):
        step.status = StepStatus.SKIPPED
    else:
        step.status = StepStatus.PASSED
    if step.steps is not None or step.measurements():
        step.caused_uut_failure = failed and not any(
            child.status is StepStatus.FAILED for child in step.steps or []
        )


def _number_ids(root: Step) -> None:
    for number, step in enumerate(root.walk(), start=1):
        step.id = number


class UUTBuilder(_ReportBuilderBase):
    """Build a test (UUT, type ``T``) report.

    >>> b = UUTBuilder(pn="PN1", sn="SN1", rev="A", process_code=10,
    ...                machine_name="ST1", location="Lab", purpose="Test")
    >>> _ = b.root.numeric("Voltage", 5.02, "GELE", low=4.9, high=5.1, unit="V")
    >>> b.build().result.value
    'P'
    """

    def __init__(
        self,
        *,
        pn: str,
        sn: str,
        rev: str,
        process_code: int,
        machine_name: str,
        location: str,
        purpose: str,
        process_name: str | None = None,
        operator: str | None = None,
        start: datetime | None = None,
        report_id: uuid.UUID | str | None = None,
        mode: BuildMode = "active",
        result: ReportResult | str | None = None,
        sequence_name: str = "MainSequence Callback",
    ) -> None:
        super().__init__(
            report_type=ReportType.UUT,
            pn=pn,
            sn=sn,
            rev=rev,
            process_code=process_code,
            machine_name=machine_name,
            location=location,
            purpose=purpose,
            process_name=process_name,
            start=start,
            report_id=report_id,
            mode=mode,
        )
        if mode == "import" and result is None:
            raise ValueError("import mode: the report result must be given")
        self.result = None if result is None else ReportResult(result)
        self.uut = UUTInfo(user=operator)
        root = Step(
            name=sequence_name,
            stepType="SequenceCall",
            group=StepGroup.MAIN,
            seqCall=SequenceCall(name=sequence_name),
        )
        self.root = SequenceBuilder(self, root, None)
        if mode == "import":
            root.status = StepStatus.PASSED
            self._explicit[id(root)] = StepStatus.PASSED

    def build(self) -> Report:
        """A new ``Report`` from the current state (same id every time)."""
        root = self.root.step.model_copy(deep=True)
        explicit = dict(self._explicit)
        # deep copy gives new objects: carry the explicit-status marks over by position
        for original, copied in zip(self.root.step.walk(), root.walk(), strict=True):
            explicit[id(copied)] = self._explicit.get(id(original))
        if self.mode == "active":
            _settle(root, explicit)
        _number_ids(root)
        result = self.result
        if result is None:
            result = (
                ReportResult.FAILED
                if root.status in (StepStatus.FAILED, StepStatus.ERROR, StepStatus.TERMINATED)
                else ReportResult.PASSED
            )
        data: dict[str, Any] = dict(self.header)
        data["result"] = result
        data["root"] = root
        data["uut"] = self.uut.model_copy(deep=True)
        if self.misc_infos:
            data["miscInfos"] = [m.model_copy() for m in self.misc_infos]
        if self.sub_units:
            data["subUnits"] = [s.model_copy() for s in self.sub_units]
        if self.assets:
            data["assets"] = [a.model_copy() for a in self.assets]
        return Report(**data)

    def sub_unit(self, part_type: str, pn: str, sn: str, rev: str) -> SubUnit:
        unit = SubUnit(partType=part_type, pn=pn, sn=sn, rev=rev)
        self.sub_units.append(unit)
        return unit


class UURBuilder(_ReportBuilderBase):
    """Build a repair (UUR, type ``R``) report with sub-units and failures.

    ``process_code`` is the repair operation (e.g. 500); ``test_process_code`` the test
    operation in which the failure was found. Sub-unit ``idx`` 0 is the repaired unit itself
    and is created from ``pn``/``sn``/``rev``.
    """

    def __init__(
        self,
        *,
        pn: str,
        sn: str,
        rev: str,
        process_code: int,
        test_process_code: int,
        machine_name: str,
        location: str,
        purpose: str,
        ref_uut: uuid.UUID | str | None = None,
        process_name: str | None = None,
        operator: str | None = None,
        comment: str | None = None,
        part_type: str = "Main",
        start: datetime | None = None,
        report_id: uuid.UUID | str | None = None,
        result: ReportResult | str = ReportResult.PASSED,
    ) -> None:
        super().__init__(
            report_type=ReportType.UUR,
            pn=pn,
            sn=sn,
            rev=rev,
            process_code=process_code,
            machine_name=machine_name,
            location=location,
            purpose=purpose,
            process_name=process_name,
            start=start,
            report_id=report_id,
            mode="import",
        )
        self.result = ReportResult(result)
        self.uur = UURInfo(
            user=operator,
            comment=comment,
            processCode=test_process_code,
            refUUT=None if ref_uut is None else str(uuid.UUID(str(ref_uut))),
        )
        self.sub_units.append(SubUnit(partType=part_type, pn=pn, sn=sn, rev=rev, idx=0))
        self.binary_data: list[BinaryData] = []

    def sub_unit(
        self,
        part_type: str,
        pn: str,
        sn: str,
        rev: str,
        *,
        parent_idx: int = 0,
        replaced_idx: int | None = None,
    ) -> int:
        """Add a sub-unit under ``parent_idx``; returns its ``idx``."""
        known = {unit.idx for unit in self.sub_units}
        if parent_idx not in known:
            numbers = sorted(i for i in known if i is not None)
            raise ValueError(f"parent_idx {parent_idx} is not a sub-unit idx ({numbers})")
        idx = max(i for i in known if i is not None) + 1
        unit = SubUnit(partType=part_type, pn=pn, sn=sn, rev=rev, idx=idx, parentIdx=parent_idx)
        if replaced_idx is not None:
            unit.replaced_idx = replaced_idx
        self.sub_units.append(unit)
        return idx

    def failure(
        self,
        category: str,
        code: str,
        *,
        idx: int = 0,
        comment: str | None = None,
        com_ref: str | None = None,
        func_block: str | None = None,
        ref_step_id: int | None = None,
        ref_step_name: str | None = None,
        attachments: Sequence[tuple[str, bytes, str]] = (),
    ) -> Failure:
        """Record a failure found on sub-unit ``idx`` (0 = the repaired unit).

        ``attachments`` holds ``(file name, bytes, content type)`` for pictures or logs.
        """
        unit = next((u for u in self.sub_units if u.idx == idx), None)
        if unit is None:
            raise ValueError(f"no sub-unit with idx {idx}")
        failure = Failure(
            category=category,
            code=code,
            comment=comment,
            comRef=com_ref,
            funcBlock=func_block,
            refStepId=ref_step_id,
            refStepName=ref_step_name,
        )
        if attachments:
            failure.attachments = [_binary(*item) for item in attachments]
        if unit.failures is None:
            unit.failures = []
        unit.failures.append(failure)
        return failure

    def build(self) -> Report:
        data: dict[str, Any] = dict(self.header)
        data["result"] = self.result
        data["uur"] = self.uur.model_copy(deep=True)
        data["subUnits"] = [unit.model_copy(deep=True) for unit in self.sub_units]
        if self.misc_infos:
            data["miscInfos"] = [m.model_copy() for m in self.misc_infos]
        if self.binary_data:
            data["binaryData"] = [b.model_copy() for b in self.binary_data]
        if self.assets:
            data["assets"] = [a.model_copy() for a in self.assets]
        return Report(**data)

    def attachment(
        self, name: str, data: bytes, content_type: str = "application/octet-stream"
    ) -> BinaryData:
        """Attach a file to the repair report itself (``binaryData``)."""
        item = _binary(name, data, content_type)
        self.binary_data.append(item)
        return item
