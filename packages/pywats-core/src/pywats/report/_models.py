"""Pydantic v2 models of the WATS Standard JSON Format (WSJF): the report and its header parts.

The step tree lives in ``_step_models``, the base (unknown keys, key order) in
``_model_base``, the enums in ``_enums``. Timestamps are kept as the exact text received
(7 fractional digits and odd forms such as ``2020-01-01T08:00:00.Z`` survive);
``parse_timestamp`` turns them into ``datetime``. Enums are parsed case-insensitively and
written in their canonical (upper-case) spelling.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from pydantic import Field, PrivateAttr

from ._enums import ReportResult, ReportType
from ._model_base import JsonForm, WsjfModel, WsjfReading, XmlForm
from ._step_models import AdditionalData, Step
from ._timestamps import Timestamp

__all__ = [
    "Asset",
    "AssetStats",
    "BinaryData",
    "Failure",
    "MiscInfo",
    "RefUUR",
    "Report",
    "SubUnit",
    "UURInfo",
    "UUTInfo",
]


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


class RefUUR(WsjfModel):
    id: str | None = None
    start: Timestamp | None = None


class UUTInfo(WsjfModel):
    """The ``uut`` object of a test report (docs/wire-facts.md "Test and repair parts")."""

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
    """The ``uur`` object of a repair report (docs/wire-facts.md "Test and repair parts")."""

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


class Report(WsjfModel):
    """A WSJF report: UUT (``type`` ``T``, has ``root``/``uut``) or UUR (``R``, has ``uur``)."""

    _is_document: ClassVar[bool] = True
    # How the document was spelled where the model alone would write it otherwise (see
    # _model_base): this report's own form, and its parts' paired with the part.
    _json_form: JsonForm | None = PrivateAttr(default=None)
    _part_json_forms: list[tuple[WsjfModel, JsonForm]] = PrivateAttr(default_factory=list)
    _xml_form: XmlForm | None = PrivateAttr(default=None)
    _part_xml_forms: list[tuple[WsjfModel, XmlForm]] = PrivateAttr(default_factory=list)

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

    @classmethod
    def _finish_document(cls, obj: WsjfModel, reading: WsjfReading) -> None:
        if isinstance(obj, Report) and reading.forms:
            obj._json_form = next((form for part, form in reading.forms if part is obj), None)
            obj._part_json_forms = [(part, form) for part, form in reading.forms if part is not obj]

    @classmethod
    def model_validate(cls, obj: Any, **options: Any) -> Report:
        """Pydantic's ``model_validate``; without a ``context`` it reads ``obj`` as a document
        (its key order is kept), as ``parse_wsjf`` does."""
        return super().model_validate(obj, **_as_document(options))

    @classmethod
    def model_validate_json(cls, json_data: str | bytes | bytearray, **options: Any) -> Report:
        """Pydantic's ``model_validate_json``; reads a document as ``model_validate`` does."""
        return super().model_validate_json(json_data, **_as_document(options))


def _as_document(options: dict[str, Any]) -> dict[str, Any]:
    if options.get("context") is None:
        by_alias_only = options.get("by_alias") is True and options.get("by_name") is False
        options["context"] = WsjfReading(keys_by_alias_only=by_alias_only)
    return options
