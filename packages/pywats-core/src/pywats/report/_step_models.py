"""Step models: the step tree, its measurements and payloads.

One ``Step`` class carries every payload key; a step's behaviour (``Step.kind``) is decided by
which payload keys are present, never by ``stepType`` (docs/wire-facts.md "Step kinds",
"Measurements"). Unknown step types therefore need no special class.
"""

from __future__ import annotations

from pydantic import Field

from ._enums import CompOp, MeasurementStatus, StepGroup, StepKind, StepStatus, StringCompOp
from ._model_base import WsjfModel
from ._timestamps import Timestamp

__all__ = [
    "AdditionalData",
    "AdditionalDataArray",
    "AdditionalDataArrayIndex",
    "AdditionalDataProperty",
    "Attachment",
    "BooleanMeasurement",
    "CallExe",
    "Chart",
    "ChartSeries",
    "LoopInfo",
    "MessagePopup",
    "NumericMeasurement",
    "SequenceCall",
    "Step",
    "StringMeasurement",
]


class AdditionalDataArrayIndex(WsjfModel):
    text: str | None = None
    indexes: list[int] | None = None
    value: AdditionalDataProperty | None = None


class AdditionalDataArray(WsjfModel):
    dimension: int | None = None
    type: str | None = None
    indexes: list[AdditionalDataArrayIndex] | None = None


class AdditionalDataProperty(WsjfModel):
    name: str | None = None
    type: str | None = None
    flags: int | None = None
    value: str | None = None
    num_format: str | None = Field(None, alias="numFormat")
    comment: str | None = None
    props: list[AdditionalDataProperty] | None = None
    array: AdditionalDataArray | None = None


class AdditionalData(WsjfModel):
    """Free-form "xml in JSON" block (report ``additionalData``, step ``additionalResults``)."""

    name: str | None = None
    props: list[AdditionalDataProperty] | None = None


class LoopInfo(WsjfModel):
    """Loop summary (``idx`` null, counters set) or iteration (``idx`` set) marker."""

    idx: int | None = None
    num: int | None = None
    ending_index: int | None = Field(None, alias="endingIndex")
    passed: int | None = None
    failed: int | None = None

    @property
    def is_summary(self) -> bool:
        return self.idx is None


class NumericMeasurement(WsjfModel):
    comp_op: CompOp | None = Field(None, alias="compOp")
    name: str | None = None
    status: MeasurementStatus | None = None
    unit: str | None = None
    value: float | None = None
    value_format: str | None = Field(None, alias="valueFormat")
    high_limit: float | None = Field(None, alias="highLimit")
    high_limit_format: str | None = Field(None, alias="highLimitFormat")
    low_limit: float | None = Field(None, alias="lowLimit")
    low_limit_format: str | None = Field(None, alias="lowLimitFormat")


class StringMeasurement(WsjfModel):
    comp_op: StringCompOp | None = Field(None, alias="compOp")
    name: str | None = None
    status: MeasurementStatus | None = None
    value: str | None = None
    limit: str | None = None


class BooleanMeasurement(WsjfModel):
    name: str | None = None
    status: MeasurementStatus | None = None


class SequenceCall(WsjfModel):
    path: str | None = None
    name: str | None = None
    version: str | None = None


class CallExe(WsjfModel):
    exit_code: float | None = Field(None, alias="exitCode")
    exit_code_format: str | None = Field(None, alias="exitCodeFormat")


class MessagePopup(WsjfModel):
    response: str | None = None
    button: int | None = None
    button_format: str | None = Field(None, alias="buttonFormat")


class ChartSeries(WsjfModel):
    """One series; ``xdata``/``ydata`` are numbers joined by ``;``."""

    data_type: str | None = Field(None, alias="dataType")
    name: str | None = None
    xdata: str | None = None
    ydata: str | None = None


class Chart(WsjfModel):
    chart_type: str | None = Field(None, alias="chartType")
    label: str | None = None
    x_label: str | None = Field(None, alias="xLabel")
    x_unit: str | None = Field(None, alias="xUnit")
    y_label: str | None = Field(None, alias="yLabel")
    y_unit: str | None = Field(None, alias="yUnit")
    series: list[ChartSeries] | None = None


class Attachment(WsjfModel):
    """Step attachment (``WATS_AttachFile``): base64 ``data``."""

    name: str | None = None
    content_type: str | None = Field(None, alias="contentType")
    data: str | None = None


class Step(WsjfModel):
    """A step of any family; see ``kind`` for what it is."""

    id: int | None = None
    group: StepGroup | None = None
    step_type: str | None = Field(None, alias="stepType")
    interactive_exe_num: int | None = Field(None, alias="interactiveExeNum")
    interactive_exe_num_format: str | None = Field(None, alias="interactiveExeNumFormat")
    loop: LoopInfo | None = None
    name: str | None = None
    start: Timestamp | None = None
    status: StepStatus | None = None
    error_code: int | None = Field(None, alias="errorCode")
    error_code_format: str | None = Field(None, alias="errorCodeFormat")
    error_message: str | None = Field(None, alias="errorMessage")
    ts_guid: str | None = Field(None, alias="tsGuid")
    tot_time: float | None = Field(None, alias="totTime")
    tot_time_format: str | None = Field(None, alias="totTimeFormat")
    caused_seq_failure: bool | None = Field(None, alias="causedSeqFailure")
    caused_uut_failure: bool | None = Field(None, alias="causedUUTFailure")
    report_text: str | None = Field(None, alias="reportText")
    steps: list[Step] | None = None
    numeric_meas: list[NumericMeasurement] | None = Field(None, alias="numericMeas")
    string_meas: list[StringMeasurement] | None = Field(None, alias="stringMeas")
    boolean_meas: list[BooleanMeasurement] | None = Field(None, alias="booleanMeas")
    additional_results: list[AdditionalData] | None = Field(None, alias="additionalResults")
    seq_call: SequenceCall | None = Field(None, alias="seqCall")
    call_exe: CallExe | None = Field(None, alias="callExe")
    message_popup: MessagePopup | None = Field(None, alias="messagePopup")
    chart: Chart | None = None
    attachment: Attachment | None = None

    @property
    def kind(self) -> StepKind:
        """The step family, from the payload keys present (never from ``stepType``)."""
        if self.seq_call is not None or self.steps is not None:
            return StepKind.SEQUENCE_CALL
        kinds = [
            (self.numeric_meas, StepKind.NUMERIC, StepKind.MULTI_NUMERIC),
            (self.string_meas, StepKind.STRING, StepKind.MULTI_STRING),
            (self.boolean_meas, StepKind.PASS_FAIL, StepKind.MULTI_PASS_FAIL),
        ]
        present = [(meas, single, multi) for meas, single, multi in kinds if meas]
        if len(present) > 1:
            return StepKind.MIXED
        if present:
            meas, single, multi = present[0]
            return single if len(meas) == 1 else multi
        if self.chart is not None:
            return StepKind.CHART
        if self.attachment is not None:
            return StepKind.ATTACHMENT
        if self.call_exe is not None:
            return StepKind.CALL_EXE
        if self.message_popup is not None:
            return StepKind.MESSAGE_POPUP
        return StepKind.GENERIC

    @property
    def children(self) -> list[Step]:
        return self.steps or []

    def measurements(
        self,
    ) -> list[NumericMeasurement | StringMeasurement | BooleanMeasurement]:
        """All measurements of the step, numeric then string then boolean."""
        found: list[NumericMeasurement | StringMeasurement | BooleanMeasurement] = []
        found.extend(self.numeric_meas or [])
        found.extend(self.string_meas or [])
        found.extend(self.boolean_meas or [])
        return found

    def walk(self) -> list[Step]:
        """This step and all its descendants, depth first."""
        out: list[Step] = []
        stack: list[Step] = [self]
        while stack:
            step = stack.pop()
            out.append(step)
            if step.steps:
                stack.extend(reversed(step.steps))
        return out


AdditionalDataArrayIndex.model_rebuild()
AdditionalDataArray.model_rebuild()
AdditionalDataProperty.model_rebuild()
Step.model_rebuild()
