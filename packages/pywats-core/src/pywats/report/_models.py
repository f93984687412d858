"""Pydantic v2 models of the WATS Standard JSON Format (WSJF).

Design (why it looks like this):

* One ``Step`` class carries every payload key; a step's behaviour (``Step.kind``) is decided
  by which payload keys are present, never by ``stepType`` (wats-facts §7.8). Unknown step
  types therefore need no special class.
* Every model keeps unknown keys (``extra="allow"``). Fields are declared in WATS's own
  export order, so most input needs nothing more; an object whose keys came in another order
  remembers that order and ``dump_wsjf`` restores it. Keys present with ``null`` stay
  present, absent keys stay absent (pydantic's ``model_fields_set`` + ``exclude_unset``).
* Timestamps are kept as the exact text received (7 fractional digits and odd forms such as
  ``2020-01-01T08:00:00.Z`` survive); ``parse_timestamp`` turns them into ``datetime``.
* Enums are parsed case-insensitively and written in their canonical (upper-case) spelling.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import Annotated, Any, ClassVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidatorFunctionWrapHandler,
    model_validator,
)

__all__ = [
    "AdditionalData",
    "AdditionalDataArray",
    "AdditionalDataArrayIndex",
    "AdditionalDataProperty",
    "Asset",
    "AssetStats",
    "Attachment",
    "BinaryData",
    "BooleanMeasurement",
    "CallExe",
    "Chart",
    "ChartSeries",
    "CompOp",
    "Failure",
    "LoopInfo",
    "MeasurementStatus",
    "MessagePopup",
    "MiscInfo",
    "NumericMeasurement",
    "RefUUR",
    "Report",
    "ReportResult",
    "ReportType",
    "SequenceCall",
    "Step",
    "StepGroup",
    "StepKind",
    "StepStatus",
    "StringCompOp",
    "StringMeasurement",
    "SubUnit",
    "UURInfo",
    "UUTInfo",
    "WsjfModel",
    "format_timestamp",
    "parse_timestamp",
]


# --------------------------------------------------------------------------- enums


class _CaseInsensitiveEnum(str, Enum):
    """A string enum that accepts any letter case and keeps its canonical value."""

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if isinstance(value, str):
            wanted = value.strip().upper()
            for member in cls:
                if member.value.upper() == wanted:
                    return member
        return None

    def __str__(self) -> str:
        return str(self.value)


class ReportType(_CaseInsensitiveEnum):
    """``T`` = UUT (test) report, ``R`` = UUR (repair) report."""

    UUT = "T"
    UUR = "R"


class ReportResult(_CaseInsensitiveEnum):
    PASSED = "P"
    FAILED = "F"
    ERROR = "E"
    TERMINATED = "T"


class StepStatus(_CaseInsensitiveEnum):
    PASSED = "P"
    FAILED = "F"
    DONE = "D"
    SKIPPED = "S"
    ERROR = "E"
    TERMINATED = "T"
    UNKNOWN = "U"


class MeasurementStatus(_CaseInsensitiveEnum):
    PASSED = "P"
    FAILED = "F"
    SKIPPED = "S"


class StepGroup(_CaseInsensitiveEnum):
    SETUP = "S"
    MAIN = "M"
    CLEANUP = "C"


class CompOp(_CaseInsensitiveEnum):
    """Numeric comparison operators (wats-facts §7.10). Single-limit ones use ``lowLimit``."""

    LOG = "LOG"
    EQ = "EQ"
    NE = "NE"
    GT = "GT"
    GE = "GE"
    LT = "LT"
    LE = "LE"
    GTLT = "GTLT"
    GTLE = "GTLE"
    GELT = "GELT"
    GELE = "GELE"
    LTGT = "LTGT"
    LTGE = "LTGE"
    LEGT = "LEGT"
    LEGE = "LEGE"


class StringCompOp(_CaseInsensitiveEnum):
    """String comparison operators; ``EQ`` and ``CASESENSIT`` mean the same."""

    LOG = "LOG"
    EQ = "EQ"
    NE = "NE"
    CASESENSIT = "CASESENSIT"
    IGNORECASE = "IGNORECASE"


class StepKind(str, Enum):
    """What a step is, decided from the payload keys it carries (wats-facts §7.8)."""

    SEQUENCE_CALL = "sequence_call"
    NUMERIC = "numeric"
    MULTI_NUMERIC = "multi_numeric"
    PASS_FAIL = "pass_fail"  # noqa: S105 - a step family, not a secret
    MULTI_PASS_FAIL = "multi_pass_fail"  # noqa: S105
    STRING = "string"
    MULTI_STRING = "multi_string"
    MIXED = "mixed"
    CALL_EXE = "call_exe"
    MESSAGE_POPUP = "message_popup"
    ATTACHMENT = "attachment"
    CHART = "chart"
    GENERIC = "generic"


# ---------------------------------------------------------------------- timestamps

_TIMESTAMP = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.(\d*))?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$"
)


def _check_timestamp(text: str) -> str:
    if _TIMESTAMP.match(text) is None:
        raise ValueError(f"{text!r} is not an ISO 8601 date-time")
    return text


def parse_timestamp(text: str) -> datetime:
    """Parse a WATS timestamp leniently (7 fractional digits, ``...00.Z``, no offset).

    Digits beyond microseconds are truncated; a timestamp without offset is naive.
    """
    match = _TIMESTAMP.match(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not an ISO 8601 date-time")
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    micro = int((fraction or "").ljust(6, "0")[:6])
    tz: timezone | None = None
    if offset == "Z":
        tz = timezone.utc
    elif offset:
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    return datetime(
        int(year),
        int(month),
        int(day),
        int(hour or 0),
        int(minute or 0),
        int(second or 0),
        micro,
        tzinfo=tz,
    )


def format_timestamp(moment: datetime) -> str:
    """Write a timestamp the way WATS does: 7 fractional digits, offset or ``Z`` for UTC."""
    base = moment.strftime("%Y-%m-%dT%H:%M:%S")
    fraction = f".{moment.microsecond:06d}0"
    offset = moment.utcoffset()
    if offset is None:
        return base + fraction
    if offset == timedelta(0) and moment.tzinfo is timezone.utc:
        return base + fraction + "Z"
    total = int(offset.total_seconds() // 60)
    sign = "-" if total < 0 else "+"
    total = abs(total)
    return f"{base}{fraction}{sign}{total // 60:02d}:{total % 60:02d}"


Timestamp = Annotated[str, AfterValidator(_check_timestamp)]


# ------------------------------------------------------------------------ base


_ORDER_STATE = threading.local()


def _note_non_canonical_order() -> None:
    _ORDER_STATE.seen = True


def take_non_canonical_flag() -> bool:
    """Whether an object with non-canonical key order was validated since the last call."""
    seen = bool(getattr(_ORDER_STATE, "seen", False))
    _ORDER_STATE.seen = False
    return seen


# (model class, input keys) -> whether those keys are already in the class's emit order
_CANONICAL_CACHE: dict[tuple[type[Any], tuple[str, ...]], bool] = {}


def _is_canonical(cls: type[WsjfModel], keys: tuple[str, ...]) -> bool:
    position = cls._key_positions()
    last = -1
    unknown_seen = False
    for key in keys:
        index = position.get(key)
        if index is None:
            unknown_seen = True
            continue
        if unknown_seen or index < last:
            return False
        last = index
    return True


class WsjfModel(BaseModel):
    """Base of every WSJF object: keeps unknown keys and the original key order.

    Pydantic emits declared fields in declaration order (which follows WATS's own export
    order) and unknown keys after them. Only when an input object had another order is
    that order remembered (in ``__pydantic_private__``), so the common case costs nothing.
    """

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
        ser_json_inf_nan="strings",
        # step.status = "f" stores StepStatus.FAILED; a wrong value fails at once
        validate_assignment=True,
    )

    #: the top-level document (``Report``): collects whether any part kept its own order
    _is_document: ClassVar[bool] = False

    @classmethod
    def _key_positions(cls) -> dict[str, int]:
        cached: dict[str, int] | None = cls.__dict__.get("_wsjf_positions")
        if cached is None:
            cached = {}
            for index, (name, field) in enumerate(cls.model_fields.items()):
                cached[field.alias or name] = index
            # stored on the class itself, not inherited by subclasses
            type.__setattr__(cls, "_wsjf_positions", cached)
        return cached

    @model_validator(mode="wrap")
    @classmethod
    def _remember_key_order(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        if cls._is_document:
            _ORDER_STATE.seen = False
        obj = handler(data)
        if data.__class__ is dict and isinstance(obj, WsjfModel):
            extra = obj.__pydantic_extra__
            if extra:
                _unmark_name_collisions(cls, obj, data, extra)
            keys = tuple(data)
            lookup = (cls, keys)
            canonical = _CANONICAL_CACHE.get(lookup)
            if canonical is None:
                canonical = _is_canonical(cls, keys)
                if len(_CANONICAL_CACHE) < 10_000:
                    _CANONICAL_CACHE[lookup] = canonical
            if not canonical:
                set_presentation(obj, "order", keys)
                _note_non_canonical_order()
        if cls._is_document and take_non_canonical_flag():
            # some object had its own key order: dumping takes the order-restoring path
            set_presentation(obj, "reorder", True)
        return obj

    def __eq__(self, other: object) -> bool:
        # Equality is about content: key order and XML-only attributes do not count.
        if not isinstance(other, WsjfModel) or type(self) is not type(other):
            return NotImplemented
        if (self.__pydantic_extra__ or {}) != (other.__pydantic_extra__ or {}):
            return False
        mine, theirs = self.__dict__, other.__dict__
        if mine == theirs:
            return True
        # NaN is a value like any other in a report: equal to itself here
        return mine.keys() == theirs.keys() and all(
            a == b or (a.__class__ is float and b.__class__ is float and a != a and b != b)
            for a, b in ((mine[key], theirs[key]) for key in mine)
        )

    __hash__ = None  # type: ignore[assignment]

    @property
    def extra_fields(self) -> dict[str, Any]:
        """Keys this model does not know, kept verbatim."""
        return dict(self.__pydantic_extra__ or {})


def _unmark_name_collisions(
    cls: type[WsjfModel], obj: BaseModel, data: dict[str, Any], extra: dict[str, Any]
) -> None:
    """An unknown key spelled like one of our Python names (``step_type``) is kept as an
    unknown key; pydantic also lists it as a set field, which would emit ``stepType``."""
    for name in extra.keys() & cls.model_fields.keys():
        alias = cls.model_fields[name].alias
        if alias is not None and alias != name and alias not in data:
            obj.__pydantic_fields_set__.discard(name)


def presentation(obj: BaseModel, key: str) -> Any:
    """Format-specific metadata kept beside the content (key order, WSXF-only attributes)."""
    private = obj.__pydantic_private__
    return None if private is None else private.get(key)


def set_presentation(obj: BaseModel, key: str, value: Any) -> None:
    private = obj.__pydantic_private__
    if private is None:
        object.__setattr__(obj, "__pydantic_private__", {key: value})
    else:
        private[key] = value


# ------------------------------------------------------------------ report parts


class MiscInfo(WsjfModel):
    description: str | None = None
    typedef: str | None = None
    text: str | None = None
    numeric: int | None = None
    numeric_format: str | None = Field(None, alias="numericFormat")
    id: str | None = None


class Asset(WsjfModel):
    asset_sn: str | None = Field(None, alias="assetSN")
    usage_count: int | None = Field(None, alias="usageCount")
    usage_count_format: str | None = Field(None, alias="usageCountFormat")


class AssetStats(WsjfModel):
    asset_sn: str | None = Field(None, alias="assetSN")
    running_count: int | None = Field(None, alias="runningCount")
    running_count_exceeded: int | None = Field(None, alias="runningCountExceeded")
    total_count: int | None = Field(None, alias="totalCount")
    total_count_exceeded: int | None = Field(None, alias="totalCountExceeded")
    days_since_calibration: float | None = Field(None, alias="daysSinceCalibration")
    is_days_since_calibration_unknown: bool | None = Field(
        None, alias="isDaysSinceCalibrationUnknown"
    )
    calibration_days_overdue: float | None = Field(None, alias="calibrationDaysOverdue")
    days_since_maintenance: float | None = Field(None, alias="daysSinceMaintenance")
    is_days_since_maintenance_unknown: bool | None = Field(
        None, alias="isDaysSinceMaintenanceUnknown"
    )
    maintenance_days_overdue: float | None = Field(None, alias="maintenanceDaysOverdue")
    message: str | None = None


class BinaryData(WsjfModel):
    """Report-level or failure attachment: base64 ``data``."""

    content_type: str | None = Field(None, alias="contentType")
    data: str | None = None
    name: str | None = None
    id: str | None = None


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


class RefUUR(WsjfModel):
    id: str | None = None
    start: Timestamp | None = None


class UUTInfo(WsjfModel):
    """The ``uut`` object of a test report (wats-facts §7.2)."""

    exec_time: float | None = Field(None, alias="execTime")
    exec_time_format: str | None = Field(None, alias="execTimeFormat")
    test_socket_index: int | None = Field(None, alias="testSocketIndex")
    test_socket_index_format: str | None = Field(None, alias="testSocketIndexFormat")
    batch_sn: str | None = Field(None, alias="batchSN")
    comment: str | None = None
    error_code: int | None = Field(None, alias="errorCode")
    error_code_format: str | None = Field(None, alias="errorCodeFormat")
    error_message: str | None = Field(None, alias="errorMessage")
    fixture_id: str | None = Field(None, alias="fixtureId")
    user: str | None = None
    batch_fail_count: int | None = Field(None, alias="batchFailCount")
    batch_fail_count_format: str | None = Field(None, alias="batchFailCountFormat")
    batch_loop_index: int | None = Field(None, alias="batchLoopIndex")
    batch_loop_index_format: str | None = Field(None, alias="batchLoopIndexFormat")
    step_id_caused_uut_failure: int | None = Field(None, alias="stepIdCausedUUTFailure")
    ref_uurs: list[RefUUR] | None = Field(None, alias="refUURs")


class UURInfo(WsjfModel):
    """The ``uur`` object of a repair report (wats-facts §7.3)."""

    comment: str | None = None
    user: str | None = None
    process_code: int | None = Field(None, alias="processCode")
    process_code_format: str | None = Field(None, alias="processCodeFormat")
    process_name: str | None = Field(None, alias="processName")
    ref_uut: str | None = Field(None, alias="refUUT")
    confirm_date: Timestamp | None = Field(None, alias="confirmDate")
    finalize_date: Timestamp | None = Field(None, alias="finalizeDate")
    exec_time: float | None = Field(None, alias="execTime")
    parent: str | None = None
    children: list[str] | None = None


class Failure(WsjfModel):
    art_number: str | None = Field(None, alias="artNumber")
    art_rev: str | None = Field(None, alias="artRev")
    art_vendor: str | None = Field(None, alias="artVendor")
    art_description: str | None = Field(None, alias="artDescription")
    category: str | None = None
    code: str | None = None
    comment: str | None = None
    com_ref: str | None = Field(None, alias="comRef")
    func_block: str | None = Field(None, alias="funcBlock")
    ref_step_id: int | None = Field(None, alias="refStepId")
    ref_step_name: str | None = Field(None, alias="refStepName")
    attachments: list[BinaryData] | None = None


class SubUnit(WsjfModel):
    """A sub-unit; ``idx``/``parentIdx``/``replacedIdx``/``failures`` are UUR-only."""

    part_type: str | None = Field(None, alias="partType")
    pn: str | None = None
    rev: str | None = None
    sn: str | None = None
    idx: int | None = None
    parent_idx: int | None = Field(None, alias="parentIdx")
    position: int | None = None
    replaced_idx: int | None = Field(None, alias="replacedIdx")
    failures: list[Failure] | None = None


# ------------------------------------------------------------------------ steps


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


class Report(WsjfModel):
    """A WSJF report: UUT (``type`` ``T``, has ``root``/``uut``) or UUR (``R``, has ``uur``)."""

    _is_document: ClassVar[bool] = True

    type: ReportType
    id: str
    pn: str | None = None
    sn: str | None = None
    rev: str | None = None
    product_name: str | None = Field(None, alias="productName")
    process_code: int | None = Field(None, alias="processCode")
    process_code_format: str | None = Field(None, alias="processCodeFormat")
    process_name: str | None = Field(None, alias="processName")
    result: ReportResult | None = None
    machine_name: str | None = Field(None, alias="machineName")
    location: str | None = None
    purpose: str | None = None
    origin: str | None = None
    start: Timestamp | None = None
    start_utc: Timestamp | None = Field(None, alias="startUTC")
    root: Step | None = None
    uut: UUTInfo | None = None
    uur: UURInfo | None = None
    misc_infos: list[MiscInfo] | None = Field(None, alias="miscInfos")
    sub_units: list[SubUnit] | None = Field(None, alias="subUnits")
    assets: list[Asset] | None = None
    asset_stats: list[AssetStats] | None = Field(None, alias="assetStats")
    binary_data: list[BinaryData] | None = Field(None, alias="binaryData")
    additional_data: list[AdditionalData] | None = Field(None, alias="additionalData")

    @property
    def is_uut(self) -> bool:
        return self.type is ReportType.UUT

    @property
    def is_uur(self) -> bool:
        return self.type is ReportType.UUR

    def steps(self) -> list[Step]:
        """Every step of the tree, depth first (empty for UUR reports)."""
        return self.root.walk() if self.root is not None else []

    def find_steps(self, predicate: Callable[[Step], bool]) -> list[Step]:
        return [step for step in self.steps() if predicate(step)]


AdditionalDataArrayIndex.model_rebuild()
AdditionalDataArray.model_rebuild()
AdditionalDataProperty.model_rebuild()
Step.model_rebuild()
