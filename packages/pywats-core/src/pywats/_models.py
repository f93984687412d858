"""Pydantic models of WATS API payloads that are not reports."""

from __future__ import annotations

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

__all__ = ["Process"]


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
