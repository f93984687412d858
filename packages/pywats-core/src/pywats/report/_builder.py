"""Writing reports in code.

Two modes:

* ``active`` (default): the builder computes each measurement's status from its ``compOp``
  and limits (single-limit comparisons use ``lowLimit``, as the server does;
  docs/wire-facts.md "Comparison operators"), sets each step's status from its
  measurements, each sequence's status from its children, and the report result from the
  root.
* ``import``: statuses and the result are taken as given (for converters that copy a
  tester's verdicts); nothing is recomputed.

The report id (a UUID) is assigned when the builder is created and never regenerated: every
``build()`` returns a report with that id.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from ._compare import numeric_passes, string_passes
from ._enums import MeasurementStatus, ReportResult, ReportType, StepGroup, StepStatus
from ._models import Asset, BinaryData, Failure, MiscInfo, Report, SubUnit, UURInfo, UUTInfo
from ._step_builders import (
    BuildMode,
    MeasurementMaker,
    MultiNumericStep,
    MultiPassFailStep,
    MultiStringStep,
    SequenceBuilder,
)
from ._step_models import SequenceCall, Step
from ._timestamps import format_timestamp

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


def _binary(name: str, data: bytes, content_type: str) -> BinaryData:
    return BinaryData(
        contentType=content_type,
        data=base64.b64encode(data).decode(),
        name=name,
        id=str(uuid.uuid4()),
    )


def _now() -> datetime:
    return datetime.now(timezone.utc).astimezone()


@dataclass(kw_only=True, eq=False, repr=False)
class _ReportBuilderBase(MeasurementMaker):
    """The report header and the lists beside the step tree, common to UUT and UUR.

    The header fields are declared here once; ``UUTBuilder`` and ``UURBuilder`` add their
    own and finish in ``__post_init__``.
    """

    pn: str
    sn: str
    rev: str
    process_code: int
    machine_name: str
    location: str
    purpose: str
    process_name: str | None = None
    start: datetime | None = None
    report_id: uuid.UUID | str | None = None

    def _begin(self, report_type: ReportType, mode: BuildMode) -> None:
        MeasurementMaker.__init__(self, mode)
        #: fixed at creation; every build() uses it (the server upserts by this id)
        self.id = str(
            uuid.UUID(str(self.report_id)) if self.report_id is not None else uuid.uuid4()
        )
        moment = self.start or _now()
        self._start = moment if moment.tzinfo is not None else moment.astimezone()
        self.report_type = report_type
        self.misc_infos: list[MiscInfo] = []
        self.sub_units: list[SubUnit] = []
        self.assets: list[Asset] = []

    def _header(self) -> dict[str, Any]:
        start = self._start
        header: dict[str, Any] = {
            "type": self.report_type,
            "id": self.id,
            "pn": self.pn,
            "sn": self.sn,
            "rev": self.rev,
            "processCode": self.process_code,
            "machineName": self.machine_name,
            "location": self.location,
            "purpose": self.purpose,
            "start": format_timestamp(start),
            "startUTC": format_timestamp(start.astimezone(timezone.utc)),
        }
        if self.process_name is not None:
            header["processName"] = self.process_name
        return header

    def _report(self, **parts: Any) -> Report:
        """A new ``Report``: the header, ``parts``, misc infos and assets (an empty list is
        left out)."""
        parts["miscInfos"] = [m.model_copy() for m in self.misc_infos]
        parts["assets"] = [a.model_copy() for a in self.assets]
        data = self._header()
        data.update((key, value) for key, value in parts.items() if value != [])
        return Report(**data)

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


@dataclass(kw_only=True, eq=False, repr=False)
class UUTBuilder(_ReportBuilderBase):
    """Build a test (UUT, type ``T``) report.

    >>> b = UUTBuilder(pn="PN1", sn="SN1", rev="A", process_code=10,
    ...                machine_name="ST1", location="Lab", purpose="Test")
    >>> _ = b.root.numeric("Voltage", 5.02, "GELE", low=4.9, high=5.1, unit="V")
    >>> b.build().result.value
    'P'
    """

    operator: str | None = None
    mode: BuildMode = "active"
    result: ReportResult | str | None = None
    sequence_name: str = "MainSequence Callback"

    def __post_init__(self) -> None:
        self._begin(ReportType.UUT, self.mode)
        if self.mode == "import" and self.result is None:
            raise ValueError("import mode: the report result must be given")
        self.result = None if self.result is None else ReportResult(self.result)
        self.uut = UUTInfo(user=self.operator)
        root = Step(
            name=self.sequence_name,
            stepType="SequenceCall",
            group=StepGroup.MAIN,
            seqCall=SequenceCall(name=self.sequence_name),
        )
        self.root = SequenceBuilder(self, root, None)
        if self.mode == "import":
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
        return self._report(
            result=result,
            root=root,
            uut=self.uut.model_copy(deep=True),
            subUnits=[s.model_copy() for s in self.sub_units],
        )

    def sub_unit(self, part_type: str, pn: str, sn: str, rev: str) -> SubUnit:
        unit = SubUnit(partType=part_type, pn=pn, sn=sn, rev=rev)
        self.sub_units.append(unit)
        return unit


@dataclass(kw_only=True, eq=False, repr=False)
class UURBuilder(_ReportBuilderBase):
    """Build a repair (UUR, type ``R``) report with sub-units and failures.

    ``process_code`` is the repair operation (e.g. 500); ``test_process_code`` the test
    operation in which the failure was found. Sub-unit ``idx`` 0 is the repaired unit itself
    and is created from ``pn``/``sn``/``rev``.
    """

    test_process_code: int
    ref_uut: uuid.UUID | str | None = None
    operator: str | None = None
    comment: str | None = None
    part_type: str = "Main"
    result: ReportResult | str = ReportResult.PASSED

    def __post_init__(self) -> None:
        self._begin(ReportType.UUR, "import")
        self.result = ReportResult(self.result)
        self.uur = UURInfo(
            user=self.operator,
            comment=self.comment,
            processCode=self.test_process_code,
            refUUT=None if self.ref_uut is None else str(uuid.UUID(str(self.ref_uut))),
        )
        unit = SubUnit(partType=self.part_type, pn=self.pn, sn=self.sn, rev=self.rev, idx=0)
        self.sub_units.append(unit)
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
        return self._report(
            result=self.result,
            uur=self.uur.model_copy(deep=True),
            subUnits=[unit.model_copy(deep=True) for unit in self.sub_units],
            binaryData=[b.model_copy() for b in self.binary_data],
        )

    def attachment(
        self, name: str, data: bytes, content_type: str = "application/octet-stream"
    ) -> BinaryData:
        """Attach a file to the repair report itself (``binaryData``)."""
        item = _binary(name, data, content_type)
        self.binary_data.append(item)
        return item
