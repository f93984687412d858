"""Pydantic models of WATS API payloads that are not reports."""

from __future__ import annotations

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

__all__ = ["Process", "InsertReportResult", "ReportHeader", "MiscInfoReport", "MiscInfoEntry"]


def _alias(camel: str, pascal: str) -> AliasChoices:
    return AliasChoices(camel, pascal)


class Process(BaseModel):
    """A WATS process (test, repair or WIP operation), identified by its ``code``.

    WATS spells these fields in camelCase on the public API and in PascalCase on the
    internal one; both are accepted. Fields the server adds later are kept (``extra``).
    """

    model_config = ConfigDict(extra="allow", populate_by_name=True, frozen=True)

    code: int = Field(validation_alias=_alias("code", "Code"))
    name: str = Field(validation_alias=_alias("name", "Name"))
    description: str | None = Field(
        default=None, validation_alias=_alias("description", "Description")
    )
    process_id: str | None = Field(
        default=None, validation_alias=AliasChoices("processID", "processId", "ProcessID")
    )
    process_index: int | None = Field(
        default=None, validation_alias=_alias("processIndex", "ProcessIndex")
    )
    state: int | None = Field(default=None, validation_alias=_alias("state", "State"))
    is_test_operation: bool = Field(
        default=False, validation_alias=_alias("isTestOperation", "IsTestOperation")
    )
    is_repair_operation: bool = Field(
        default=False, validation_alias=_alias("isRepairOperation", "IsRepairOperation")
    )
    is_wip_operation: bool = Field(
        default=False,
        validation_alias=AliasChoices("isWipOperation", "isWIPOperation", "IsWIPOperation"),
    )


class InsertReportResult(BaseModel):
    """The server's answer to a report upload.

    ``id`` is the report id that was sent (``ID``), ``uuid`` the id WATS stored it under,
    ``report_id`` a legacy integer.
    """

    model_config = ConfigDict(extra="allow", populate_by_name=True, frozen=True)

    id: str = Field(validation_alias=AliasChoices("ID", "id", "Id"))
    uuid: str | None = Field(default=None, validation_alias=AliasChoices("uuid", "UUID", "Uuid"))
    report_id: int | None = Field(
        default=None, validation_alias=AliasChoices("Report_ID", "reportId", "ReportId")
    )


class ReportHeader(BaseModel):
    """One row of ``GET /api/Report/Query/Header``: a report's identifying data.

    Expanded collections (``subUnits``, ``miscInfo``, ``attachments`` ...) and fields the
    server adds later are kept as extra fields, as sent.
    """

    model_config = ConfigDict(extra="allow", populate_by_name=True, frozen=True)

    uuid: str
    serial_number: str | None = Field(default=None, alias="serialNumber")
    part_number: str | None = Field(default=None, alias="partNumber")
    revision: str | None = None
    report_type: str | None = Field(default=None, alias="reportType")
    start: str | None = None
    result: str | None = None
    process_code: int | None = Field(default=None, alias="processCode")
    process_name: str | None = Field(default=None, alias="processName")
    station_name: str | None = Field(default=None, alias="stationName")
    location: str | None = None
    purpose: str | None = None
    batch_number: str | None = Field(default=None, alias="batchNumber")
    user_name: str | None = Field(default=None, alias="userName")
    receive_count: int | None = Field(default=None, alias="receiveCount")
    time_stamp: int | None = Field(
        default=None, validation_alias=AliasChoices("timeStamp", "timestamp")
    )


class MiscInfoEntry(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    description: str | None = None
    data: str | None = None


class MiscInfoReport(BaseModel):
    """One row of ``GET /api/Report/Query/HeaderByMiscInfo`` (WATS's ``WATS_UUTResult``)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, frozen=True)

    uuid: str
    serial_number: str | None = Field(default=None, alias="serialNumber")
    part_number: str | None = Field(default=None, alias="partNumber")
    start: str | None = None
    result: str | None = None
    process_code: int | None = Field(default=None, alias="processCode")
    process_name: str | None = Field(default=None, alias="processName")
    misc_data: list[MiscInfoEntry] = Field(default_factory=list, alias="miscData")
