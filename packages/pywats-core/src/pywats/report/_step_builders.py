"""Builders of steps and measurements: sequences and the step families inside them.

A ``SequenceBuilder`` adds steps to a sequence; the ``Multi*Step`` builders add named
measurements to one step. Measurements are made by a ``MeasurementMaker`` (the report
builder), which knows the mode: in ``active`` mode it computes each measurement's status from
its ``compOp`` and limits, in ``import`` mode it requires one.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any, Literal, TypedDict, TypeVar

from typing_extensions import Unpack

from ._compare import DUAL_LIMIT, SINGLE_LIMIT, numeric_passes, string_passes
from ._enums import CompOp, MeasurementStatus, StepGroup, StepStatus, StringCompOp
from ._step_models import (
    Attachment,
    BooleanMeasurement,
    CallExe,
    Chart,
    ChartSeries,
    MessagePopup,
    NumericMeasurement,
    SequenceCall,
    Step,
    StringMeasurement,
)

__all__ = [
    "BuildMode",
    "MeasurementMaker",
    "MultiNumericStep",
    "MultiPassFailStep",
    "MultiStringStep",
    "NumericLimits",
    "SequenceBuilder",
]

BuildMode = Literal["active", "import"]


class NumericLimits(TypedDict, total=False):
    """The keywords a numeric measurement takes beside its value and ``comp_op``
    (``SequenceBuilder.numeric``, ``MultiNumericStep.add``); each may be left out.

    ``low`` and ``high`` are the limits of a two-limit comparison (``GELE`` ...); ``limit`` is
    the one limit of a single-limit comparison (``GE``, ``LT`` ...; WSJF keeps it in
    ``lowLimit``); ``unit`` is the value's unit.
    """

    low: float | None
    high: float | None
    limit: float | None
    unit: str | None


def _meas_status(passed: bool) -> MeasurementStatus:
    return MeasurementStatus.PASSED if passed else MeasurementStatus.FAILED


def _status_or_none(status: StepStatus | str | None) -> StepStatus | None:
    return None if status is None else StepStatus(status)


def _mstatus_or_none(status: MeasurementStatus | str | None) -> MeasurementStatus | None:
    return None if status is None else MeasurementStatus(status)


class MeasurementMaker:
    """Makes measurements in the builder's mode; keeps the steps given an explicit status."""

    def __init__(self, mode: BuildMode) -> None:
        if mode not in ("active", "import"):
            raise ValueError(f"mode must be 'active' or 'import', not {mode!r}")
        self.mode: BuildMode = mode
        # id(step) -> the status given when it was added (None: computed in active mode)
        self._explicit: dict[int, StepStatus | None] = {}
        #: set by build(): the steps and lists now belong to the report
        self._built = False

    def _check_open(self) -> None:
        """Refuse a change once ``build()`` has handed the builder's objects to a report."""
        if self._built:
            name = type(self).__name__
            raise RuntimeError(
                f"{name}.build() was called already: the report owns this builder's steps "
                f"and lists now, so the builder takes no more changes (and builds once). "
                f"Make a new {name} for another report, or change the report itself."
            )

    # measurement factories shared by the step builders
    def _numeric(
        self,
        name: str | None,
        value: float,
        comp_op: CompOp | str,
        status: MeasurementStatus | str | None,
        limits: NumericLimits,
    ) -> NumericMeasurement:
        unknown = sorted(limits.keys() - NumericLimits.__optional_keys__)
        if unknown:
            raise TypeError(
                f"unexpected keyword argument(s) {', '.join(unknown)}: a numeric measurement "
                "takes low, high, limit, unit"
            )
        op = CompOp(comp_op)
        low, high, limit = limits.get("low"), limits.get("high"), limits.get("limit")
        if limit is not None:
            if low is not None:
                raise ValueError("pass either limit= or low=, not both")
            low = limit
        if op in SINGLE_LIMIT and high is not None and low is None:
            # WSJF keeps every single limit in lowLimit (docs/wire-facts.md "Comparison operators")
            low, high = high, None
        if op in SINGLE_LIMIT and high is not None:
            raise ValueError(f"{op.value} compares against one limit; got low and high")
        if op in DUAL_LIMIT and (low is None or high is None):
            raise ValueError(f"{op.value} needs low= and high=")
        if op in SINGLE_LIMIT and low is None:
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
            unit=limits.get("unit"),
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


_M = TypeVar("_M", NumericMeasurement, StringMeasurement, BooleanMeasurement)
_S = TypeVar("_S", bound="_StepBase")


class _StepBase:
    def __init__(self, builder: MeasurementMaker, step: Step, explicit: StepStatus | None):
        self._builder = builder
        self.step = step
        self.explicit_status = explicit

    def _append(self, field: str, measurement: _M) -> _M:
        """Add ``measurement`` to the step's list ``field`` (created on first use)."""
        self._builder._check_open()
        if getattr(self.step, field) is None:
            setattr(self.step, field, [])
        getattr(self.step, field).append(measurement)
        return measurement

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
        status: MeasurementStatus | str | None = None,
        **limits: Unpack[NumericLimits],
    ) -> NumericMeasurement:
        """Add the measurement ``name``; ``limits``: ``low``/``high``, or ``limit``, and ``unit``
        (``NumericLimits``)."""
        meas = self._builder._numeric(name, value, comp_op, status, limits)
        return self._append("numeric_meas", meas)


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
        return self._append(
            "string_meas", self._builder._string(name, value, comp_op, limit, status)
        )


class MultiPassFailStep(_StepBase):
    """A step with several named pass/fail measurements (``ET_MPFT``)."""

    def add(
        self, name: str, passed: bool, *, status: MeasurementStatus | str | None = None
    ) -> BooleanMeasurement:
        return self._append("boolean_meas", self._builder._boolean(name, passed, status))


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
        self._builder._check_open()
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

    def _add_parent(
        self,
        builder: type[_S],
        name: str,
        step_type: str,
        status: StepStatus | str | None,
        group: StepGroup | str,
        **payload: Any,
    ) -> _S:
        """Append a step that takes children or measurements later, and its builder."""
        what = "sequence" if builder is SequenceBuilder else "step"
        self._require_status(status, f"{what} {name!r}")
        step = self._add(name, step_type, status, group, **payload)
        return builder(self._builder, step, _status_or_none(status))

    def sequence(
        self,
        name: str,
        *,
        path: str | None = None,
        version: str | None = None,
        status: StepStatus | str | None = None,
        group: StepGroup | str = StepGroup.MAIN,
    ) -> SequenceBuilder:
        call = SequenceCall(path=path, name=name, version=version)
        return self._add_parent(SequenceBuilder, name, "SequenceCall", status, group, seqCall=call)

    def numeric(
        self,
        name: str,
        value: float,
        comp_op: CompOp | str = CompOp.LOG,
        *,
        status: StepStatus | str | None = None,
        meas_status: MeasurementStatus | str | None = None,
        group: StepGroup | str = StepGroup.MAIN,
        **limits: Unpack[NumericLimits],
    ) -> Step:
        """One numeric measurement (``ET_NLT``); ``limits``: ``low``/``high``, or ``limit``
        (the single limit, written as lowLimit), and ``unit`` (``NumericLimits``)."""
        self._require_status(status, f"step {name!r}")
        meas = self._builder._numeric(None, value, comp_op, meas_status, limits)
        return self._add(name, "ET_NLT", status, group, numericMeas=[meas])

    def multi_numeric(
        self,
        name: str,
        *,
        status: StepStatus | str | None = None,
        group: StepGroup | str = StepGroup.MAIN,
    ) -> MultiNumericStep:
        return self._add_parent(MultiNumericStep, name, "ET_MNLT", status, group)

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
        return self._add_parent(MultiStringStep, name, "ET_MSVT", status, group)

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
        return self._add_parent(MultiPassFailStep, name, "ET_MPFT", status, group)

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
        return self._add_parent(MultiNumericStep, name, "WATS_XYGMNLT", status, group, chart=chart)

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
