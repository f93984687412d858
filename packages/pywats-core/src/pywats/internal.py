"""Models of WATS's **internal** API (``/api/internal/...``), used by ``wats.internal``.

**Internal:** Virinco documents these routes only in its internal specification and may
change them without notice; so may these shapes. Every model keeps fields it does not
name (``extra="allow"``) and accepts both the wire names and the Python names.

Where a shape comes from: the internal spec's schema (``openapi_internal_v3.json``, named
per model) or, where the spec leaves the answer untyped, the field names olreppe/pyWATS
read from a live server (its ``src/pywats/domains/*/models.py`` at c1427d6).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field

__all__ = [
    "MiMiscInfo",
    "MiStep",
    "ProductCategory",
    "ProductRevisionRelation",
    "RelationConflict",
    "SerialNumberRange",
    "SoftwareEntity",
    "SoftwarePackageRecord",
    "TestSequenceDefinition",
    "TestSequenceRelation",
    "UnitFlowLink",
    "UnitFlowNode",
    "UnitFlowUnit",
    "UnitPhase",
]


# Ids are GUIDs on the wire; a uuid.UUID (as the public models give them) is taken too.
_Id = Annotated[str, BeforeValidator(lambda v: str(v) if v is not None else v)]


class _Wire(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class UnitPhase(_Wire):
    """A unit phase (spec: ``Mes.UnitPhase``)."""

    unit_phase_id: int | None = Field(default=None, alias="UnitPhaseId")
    code: str | None = Field(default=None, alias="Code")
    name: str | None = Field(default=None, alias="Name")
    description: str | None = Field(default=None, alias="Description")


class ProductCategory(_Wire):
    """A product category (spec: ``Mes.Product.ProductCategory``)."""

    product_category_id: _Id | None = Field(default=None, alias="ProductCategoryId")
    name: str | None = Field(default=None, alias="Name")
    description: str | None = Field(default=None, alias="Description")


class ProductRevisionRelation(_Wire):
    """A child revision in a parent revision, the link that makes a box build
    (spec: ``Mes.Product.ProductRevisionRelation``)."""

    product_revision_relation_id: _Id | None = Field(
        default=None, alias="ProductRevisionRelationId"
    )
    parent_product_revision_id: _Id | None = Field(default=None, alias="ParentProductRevisionId")
    product_revision_id: _Id | None = Field(default=None, alias="ProductRevisionId")
    quantity: int | None = Field(default=None, alias="Quantity")
    revision_mask: str | None = Field(default=None, alias="RevisionMask")


class SerialNumberRange(_Wire):
    """A range of a serial-number pool (spec: ``Mes.Production.SerialNumberRange``)."""

    type: str | None = None
    start_address: str | None = Field(default=None, alias="startAddress")
    end_address: str | None = Field(default=None, alias="endAddress")
    total: int | None = None
    free: int | None = None
    taken: int | None = None
    reserved: int | None = None


class SoftwareEntity(_Wire):
    """A folder or file of a software package (spec: ``Mes.SoftwareEntity``)."""

    id: _Id | None = None
    type: int | None = None
    parent_id: _Id | None = Field(default=None, alias="parentId")
    name: str | None = None
    file_size: int | None = Field(default=None, alias="fileSize")


class TestSequenceDefinition(_Wire):
    """A manual-inspection test sequence definition (spec: ``Mes.MI.TestSequenceDefinition``;
    the spec lists more fields, kept as extras)."""

    __test__ = False  # not a pytest test class, whatever its name says

    test_sequence_definition_id: _Id | None = Field(default=None, alias="TestSequenceDefinitionId")
    name: str | None = Field(default=None, alias="Name")
    version: int | None = Field(default=None, alias="Version")
    description: str | None = Field(default=None, alias="Description")
    status: int | None = Field(default=None, alias="Status")
    is_global: bool | None = Field(default=None, alias="IsGlobal")
    virtual_folder_id: _Id | None = Field(default=None, alias="VirtualFolderId")


class TestSequenceRelation(_Wire):
    """What a test sequence definition applies to: a product, revision, process ...
    (spec: ``Mes.MI.TestSequenceRelation``)."""

    __test__ = False

    test_sequence_relation_id: _Id | None = Field(default=None, alias="TestSequenceRelationId")
    test_sequence_definition_id: _Id | None = Field(default=None, alias="TestSequenceDefinitionId")
    entity_schema: str | None = Field(default=None, alias="EntitySchema")
    entity_name: str | None = Field(default=None, alias="EntityName")
    entity_key: str | None = Field(default=None, alias="EntityKey")
    entity_value: str | None = Field(default=None, alias="EntityValue")
    status: int | None = Field(default=None, alias="Status")


class RelationConflict(_Wire):
    """A definition whose relations collide (spec: ``ConflictingProductionManagerRelation``)."""

    id: _Id | None = None
    name: str | None = None
    version: int | None = None


class MiStep(_Wire):
    """A step of a manual-inspection sequence (spec: ``Mes.MI.Step``)."""

    definition_id: _Id | None = Field(default=None, alias="definitionId")
    id: int | None = None
    parent_id: int | None = Field(default=None, alias="parentId")
    name: str | None = None
    type: str | None = None
    desc: str | None = None
    result: int | None = None
    operator: str | None = None
    comment: str | None = None
    exec_time: float | None = Field(default=None, alias="execTime")


class MiMiscInfo(_Wire):
    """A misc-info field of a manual inspection, checked against its regex
    (spec: ``Mes.MI.MiscInfo``)."""

    guid: _Id | None = None
    name: str | None = None
    regex: str | None = None
    value: str | None = None
    is_valid: bool | None = Field(default=None, alias="isValid")
    type: int | None = None


class SoftwarePackageRecord(_Wire):
    """A software package as the internal routes spell it (spec: ``Mes.Software.Package``,
    PascalCase; the public API's :class:`pywats.models.Package` is camelCase)."""

    package_id: _Id | None = Field(default=None, alias="PackageId")
    name: str | None = Field(default=None, alias="Name")
    version: int | None = Field(default=None, alias="Version")
    description: str | None = Field(default=None, alias="Description")
    tags: str | None = Field(default=None, alias="Tags")
    status: int | None = Field(default=None, alias="Status")


class UnitFlowNode(_Wire):
    """An operation in the unit-flow diagram (olreppe/pyWATS's field names)."""

    id: int | str | None = None
    name: str | None = None
    process_code: str | int | None = Field(
        default=None, validation_alias=AliasChoices("processCode", "process_code")
    )
    unit_count: int | None = Field(
        default=None, validation_alias=AliasChoices("unitCount", "unit_count")
    )
    pass_count: int | None = Field(
        default=None, validation_alias=AliasChoices("passCount", "pass_count")
    )
    fail_count: int | None = Field(
        default=None, validation_alias=AliasChoices("failCount", "fail_count")
    )


class UnitFlowLink(_Wire):
    """A move of units between two nodes (olreppe/pyWATS's field names)."""

    source_id: int | str | None = Field(
        default=None, validation_alias=AliasChoices("sourceId", "source")
    )
    target_id: int | str | None = Field(
        default=None, validation_alias=AliasChoices("targetId", "target")
    )
    unit_count: int | None = Field(
        default=None, validation_alias=AliasChoices("unitCount", "unit_count")
    )


class UnitFlowUnit(_Wire):
    """One unit's move in the unit flow (spec: ``UnitFlow.UnitFlowUnit``)."""

    source: int | None = None
    target: int | None = None
    unit_id: int | None = Field(default=None, alias="unitId")
    has_passed: bool | None = Field(default=None, alias="hasPassed")
    has_failed: bool | None = Field(default=None, alias="hasFailed")
