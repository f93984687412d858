"""Saki AOI panel results (XML): ``<Panel>`` with one ``<Image>`` per inspected area, each
listing its false calls and failed component references.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from pywats_converters import Converter, ReportResult, UURBuilder

from ._common import EquipmentParameters, fail, new_uut, xml_root

if TYPE_CHECKING:
    from pywats_converters import ConversionContext, Report, SequenceBuilder, SourceFile

__all__ = ["SakiAOI", "SakiParameters"]


class SakiParameters(EquipmentParameters):
    """Settings of the Saki AOI converter.

    ``part_number_source``: ``side`` (default) takes the panel's ``side`` attribute, which
    Saki programs fill with the board's part number; ``setting`` the ``part_number``
    setting. With ``failures_as_repair`` a failed panel also yields a repair report (UUR)
    listing each failed component reference as a failure (category ``failure_category``,
    code ``failure_code``) under the repair process ``repair_process``.
    """

    part_number_source: Literal["side", "setting"] = "side"
    date_order: Literal["mdy", "dmy"] = "mdy"
    failures_as_repair: bool = False
    repair_process: str | int = 500
    failure_category: str = "AOI"
    failure_code: str = "Component defect"


_RESULTS = {"passed": "P", "failed": "F"}


class SakiAOI(Converter[SakiParameters]):
    """Saki AOI XML: one UUT report per panel (and a repair report for its failures)."""

    name = "saki-aoi"
    patterns = ("*.xml", "*.XML")
    description = "Saki AOI panel results (XML); failed component references as failures"

    def convert(self, source: SourceFile, context: ConversionContext) -> list[Report]:
        panel = xml_root(source, tag="Panel", kind="a Saki")
        p = self.parameters
        serial = _required(source, panel, "barcode", "the panel's serial number")
        verdict = _result(source, panel, "the panel")
        start = self._start(source, panel)
        program = panel.find("Program")
        program_name = program.get("name", "") if program is not None else ""
        part_number = panel.get("side", "") if p.part_number_source == "side" else ""
        builder = new_uut(
            context,
            p,
            sn=serial,
            pn=part_number,
            rev="",
            start=start,
            key=f"uut:{serial}",
            result=ReportResult.PASSED if verdict == "P" else ReportResult.FAILED,
            operator=panel.get("operator", ""),
            sequence_name=program_name or "AOI",
        )
        seq_call = builder.root.step.seq_call
        if seq_call is not None and program is not None:
            seq_call.version = program.get("ver") or None
        failed_refs: list[tuple[str, ET.Element]] = []
        for index, image in enumerate(panel.findall("Image"), 1):
            image_id = image.get("id") or str(index)
            status = _result(source, image, f"image {image_id}")
            sequence = builder.root.sequence(f"Image {image_id}", status=status)
            barcode = image.get("barcode", "")
            if barcode and barcode != "N/A":
                sequence.step.report_text = f"barcode {barcode}"
            results = image.find("Results")
            false_calls = results.findall("FalseCalls/Reference") if results is not None else []
            failed = results.findall("Failed/Reference") if results is not None else []
            if false_calls:
                self._references(source, sequence.sequence("False calls"), false_calls, True)
            if failed:
                self._references(source, sequence.sequence("Failed"), failed, False)
                failed_refs.extend((f"Image {image_id}", ref) for ref in failed)
        uut = builder.build()
        reports = [uut]
        if p.failures_as_repair and verdict == "F" and failed_refs:
            reports.append(self._repair(context, uut, failed_refs, start))
        return reports

    def _start(self, source: SourceFile, panel: ET.Element) -> datetime:
        day = _required(source, panel, "startDate", "the start date")
        time = _required(source, panel, "startTime", "the start time")
        order = "%m/%d/%Y" if self.parameters.date_order == "mdy" else "%d/%m/%Y"
        try:
            return datetime.strptime(f"{day} {time}", f"{order} %H:%M:%S")
        except ValueError:
            raise fail(
                source, f"startDate/startTime {day} {time!r} is not a date ({order})"
            ) from None

    def _references(
        self,
        source: SourceFile,
        into: SequenceBuilder,
        references: list[ET.Element],
        passed: bool,
    ) -> None:
        for ref in references:
            designator = _required(source, ref, "designator", "a component reference")
            step = into.pass_fail(designator, passed)
            details = [
                f"{label} {ref.get(key)}"
                for key, label in (("partNumber", "part"), ("package", "package"))
                if ref.get(key)
            ]
            description = ref.get("description")
            if description:
                details.append(description)
            step.report_text = ", ".join(details) or None

    def _repair(
        self,
        context: ConversionContext,
        uut: Report,
        failed: list[tuple[str, ET.Element]],
        start: datetime,
    ) -> Report:
        p = self.parameters
        assert uut.pn is not None
        assert uut.sn is not None
        assert uut.process_code is not None
        repair = UURBuilder(
            pn=uut.pn,
            sn=uut.sn,
            rev=uut.rev or p.revision,
            process_code=context.process_code(p.repair_process),
            test_process_code=uut.process_code,
            machine_name=uut.machine_name or context.station.machine_name,
            location=uut.location or "",
            purpose=uut.purpose or "",
            ref_uut=uut.id,
            operator=uut.uut.user if uut.uut else None,
            comment="component references the AOI failed",
            start=start.replace(tzinfo=p.zone()) if p.zone() else start.astimezone(),
            report_id=context.report_id(f"uur:{uut.sn}"),
        )
        for image, ref in failed:
            repair.failure(
                p.failure_category,
                p.failure_code,
                com_ref=ref.get("designator"),
                comment=image,
            ).art_number = ref.get("partNumber") or None
        return repair.build()


def _required(source: SourceFile, element: ET.Element, attribute: str, what: str) -> str:
    value = (element.get(attribute) or "").strip()
    if not value:
        raise fail(source, f"<{element.tag}> has no {attribute} attribute ({what})")
    return value


def _result(source: SourceFile, element: ET.Element, what: str) -> str:
    text = (element.get("result") or "").strip().lower()
    if text not in _RESULTS:
        raise fail(source, f"{what} has result {element.get('result')!r}, not passed or failed")
    return _RESULTS[text]
