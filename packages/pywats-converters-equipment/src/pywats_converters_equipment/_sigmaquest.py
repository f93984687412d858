"""SigmaQuest / SigmaSure unit reports (XML, ``urn:unitreport-schema``).

``<UnitReport>`` names the station, operator and product (``Category/Product``) and holds
one root ``<TestRun>``; test runs nest, and a run's ``<Result>`` (or ``<SetUp>``) elements
carry typed values (``ValueDouble``, ``ValueInteger``, ``ValueString``, ``ValueBoolean``)
with ``lsl``/``usl`` limits, a unit (``uom``) and an optional grade.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime
from typing import TYPE_CHECKING

from pywats_converters import CompOp, Converter, ReportResult, StringCompOp

from ._common import EquipmentParameters, comparison, fail, new_uut, xml_root

if TYPE_CHECKING:
    from pywats_converters import ConversionContext, Report, SequenceBuilder, SourceFile, Step

__all__ = ["SigmaQuestParameters", "SigmaQuestUnitReport"]


class SigmaQuestParameters(EquipmentParameters):
    """Settings of the SigmaQuest converter (the file names part number and serial)."""


# Grades -> (step status, report result). PENDING: the run never finished its verdict.
_GRADES = {
    "PASS": ("P", ReportResult.PASSED),
    "PASSED": ("P", ReportResult.PASSED),
    "FAIL": ("F", ReportResult.FAILED),
    "FAILED": ("F", ReportResult.FAILED),
    "ERROR": ("F", ReportResult.ERROR),
    "ABORT": ("S", ReportResult.TERMINATED),
    "ABORTED": ("S", ReportResult.TERMINATED),
    "PENDING": ("S", ReportResult.TERMINATED),
    "SKIP": ("S", ReportResult.PASSED),
    "SKIPPED": ("S", ReportResult.PASSED),
}
_VALUE_KINDS = ("ValueDouble", "ValueInteger", "ValueString", "ValueBoolean")


def _local(tag: str) -> str:
    """The element name without its namespace (files come with and without one)."""
    return tag.rsplit("}", 1)[-1]


def _child(element: ET.Element, name: str) -> ET.Element | None:
    return next((c for c in element if _local(c.tag) == name), None)


def _children(element: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in element if _local(c.tag) == name]


class SigmaQuestUnitReport(Converter[SigmaQuestParameters]):
    """SigmaSure ``UnitReport`` XML: one report per file."""

    name = "sigmaquest"
    patterns = ("*.xml", "*.XML")
    description = "SigmaQuest / SigmaSure unit reports (XML)"

    def convert(self, source: SourceFile, context: ConversionContext) -> list[Report]:
        unit = xml_root(source, tag="{*}UnitReport", kind="a SigmaSure")
        product = next((e for e in unit.iter() if _local(e.tag) == "Product"), None)
        if product is None:
            raise fail(source, "no <Product> (Category/Product names part number and serial)")
        serial = (product.get("serial-no") or "").strip()
        if not serial:
            raise fail(source, "<Product> has no serial-no attribute")
        part = (product.get("part-no") or "").strip()
        if not part:
            raise fail(source, "<Product> has no part-no attribute")
        root_run = _child(unit, "TestRun")
        if root_run is None:
            raise fail(source, "no <TestRun>: the unit report holds no test")
        # The root run's times are the test's; the unit report's may be when it was written.
        start = _time(source, root_run, "start-time", required=False) or _time(
            source, unit, "start-time", required=True
        )
        assert start is not None
        end = _time(source, root_run, "end-time", required=False) or _time(
            source, unit, "end-time", required=False
        )
        grade = self._grade(source, root_run)
        station = _child(unit, "Station")
        station_name = (station.get("name") or "").strip() if station is not None else ""
        operator = _child(unit, "Operator")
        builder = new_uut(
            context,
            self.parameters,
            sn=serial,
            pn=part,
            rev=(product.get("version") or "").strip(),
            start=start,
            key=serial,
            result=_GRADES[grade][1],
            operator=operator.get("name", "") if operator is not None else "",
            sequence_name=root_run.get("name") or "TestRun",
            machine_name=None if station_name.startswith("<") else station_name or None,
        )
        if end is not None:
            builder.uut.exec_time = max(0.0, (end - start).total_seconds())
        seq_call = builder.root.step.seq_call
        if seq_call is not None:
            seq_call.version = unit.get("software-version") or None
        for key in ("mode", "version"):
            if unit.get(key):
                builder.misc_info(f"Report {key}", unit.get(key, "")[:100])
        for category in (e for e in unit.iter() if _local(e.tag) == "Category"):
            if category.get("name"):
                builder.misc_info("Category", category.get("name", "")[:100])
        for sub in (e for e in product.iter() if _local(e.tag) == "Product" and e is not product):
            builder.sub_unit(
                sub.get("name") or "Product",
                sub.get("part-no", ""),
                sub.get("serial-no", ""),
                sub.get("version") or "1",
            )
        self._run_contents(source, builder.root, root_run)
        return [builder.build()]

    def _grade(self, source: SourceFile, run: ET.Element) -> str:
        grade = (run.get("grade") or "").strip().upper()
        if grade not in _GRADES:
            raise fail(
                source, f"test run {run.get('name')!r} has grade {run.get('grade')!r}, unknown"
            )
        return grade

    def _run_contents(self, source: SourceFile, into: SequenceBuilder, run: ET.Element) -> None:
        """A run's own values as one step, then its sub-runs."""
        values = self._values(run)
        if values:
            self._value_step(source, into, run, values)
        for sub in _children(run, "TestRun"):
            if _children(sub, "TestRun"):
                status = _GRADES[self._grade(source, sub)][0]
                sequence = into.sequence(sub.get("name") or "TestRun", status=status)
                self._run_contents(source, sequence, sub)
            else:
                self._leaf(source, into, sub)

    def _values(self, run: ET.Element) -> list[ET.Element]:
        found: list[ET.Element] = []
        for holder in (*_children(run, "Result"), *_children(run, "SetUp")):
            for element in holder.iter():
                if _local(element.tag) in _VALUE_KINDS:
                    found.append(element)
        return found

    def _leaf(self, source: SourceFile, into: SequenceBuilder, run: ET.Element) -> None:
        values = self._values(run)
        if values:
            step = self._value_step(source, into, run, values)
        else:
            status = _GRADES[self._grade(source, run)][0]
            if status == "S":
                step = into.pass_fail(
                    run.get("name") or "TestRun", True, status="S", meas_status="S"
                )
            else:
                step = into.pass_fail(run.get("name") or "TestRun", status == "P")
        self._decorate(source, step, run)

    def _value_step(
        self, source: SourceFile, into: SequenceBuilder, run: ET.Element, values: list[ET.Element]
    ) -> Step:
        name = run.get("name") or "TestRun"
        run_status = _GRADES[self._grade(source, run)][0]
        # "null": the tester recorded no value; said in the report text, not invented
        missing = [v for v in values if (v.text or "").strip().lower() == "null"]
        values = [v for v in values if v not in missing]
        kinds = {_local(v.tag) for v in values}
        single = len(values) == 1
        if not values:
            if run_status == "S":
                step = into.pass_fail(name, True, status="S", meas_status="S")
            else:
                step = into.pass_fail(name, run_status == "P")
        elif kinds <= {"ValueDouble", "ValueInteger"}:
            multi = into.multi_numeric(name)
            for value in values:
                number, op, low, high, unit = self._numeric(source, name, value)
                multi.add(
                    value.get("name") or name,
                    number,
                    op,
                    low=low,
                    high=high,
                    unit=unit,
                    status=self._status(source, value, run_status),
                )
            step = multi.step
        elif kinds == {"ValueString"}:
            strings = into.multi_string(name)
            for value in values:
                limit = value.get("usl") or value.get("lsl")
                strings.add(
                    value.get("name") or name,
                    (value.text or "").strip(),
                    StringCompOp.IGNORECASE if limit else StringCompOp.LOG,
                    limit=limit,
                    status=self._status(source, value, run_status),
                )
            step = strings.step
        else:  # booleans, or a mix: each value passes or fails on its own grade
            flags = into.multi_pass_fail(name)
            for value in values:
                status = self._status(source, value, run_status)
                flags.add(value.get("name") or name, status == "P", status=status)
            step = flags.step
        if missing:
            step.report_text = "no value: " + ", ".join(v.get("name") or "?" for v in missing)
        if single:  # one measurement: the WATS single-measurement step types, unnamed
            step.step_type = {"ET_MNLT": "ET_NLT", "ET_MSVT": "ET_SVT", "ET_MPFT": "ET_PFT"}.get(
                step.step_type or "", step.step_type
            )
            for measurement in step.measurements():
                measurement.name = None
        return step

    def _numeric(
        self, source: SourceFile, name: str, value: ET.Element
    ) -> tuple[float, CompOp, float | None, float | None, str | None]:
        text = (value.text or "").strip().replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            raise fail(
                source, f"test run {name!r}: value {value.get('name')!r} is {text!r}, no number"
            ) from None
        low = _number(value.get("lsl"))
        high = _number(value.get("usl"))
        unit = value.get("uom") or None
        # SigmaSure writes 0 for "no limit": lsl = usl = 0 is no limit at all, and where lsl
        # is above usl the one that is 0 is no limit
        if low is not None and high is not None:
            if low == high == 0:
                low = high = None
            elif low > high:
                if high == 0:
                    high = None
                elif low == 0:
                    low = None
                else:
                    raise fail(source, f"test run {name!r}: lsl {low} is above usl {high}")
        return (number, *comparison(low, high), unit)

    def _status(self, source: SourceFile, value: ET.Element, run_status: str) -> str:
        grade = (value.get("grade") or "").strip().upper()
        if not grade:
            return run_status
        if grade not in _GRADES:
            raise fail(source, f"value {value.get('name')!r} has grade {grade!r}, unknown")
        return _GRADES[grade][0]

    def _decorate(self, source: SourceFile, step: Step, run: ET.Element) -> None:
        start = _time(source, run, "start-time", required=False)
        end = _time(source, run, "end-time", required=False)
        if start is not None and end is not None:
            step.tot_time = max(0.0, (end - start).total_seconds())
        notes = []
        for holder in _children(run, "Property"):
            for item in holder:
                kind = _local(item.tag)
                if kind == "ValueAttachment":
                    notes.append(f"attachment {item.get('name', '')}: {item.get('fqn', '')}")
                elif kind in _VALUE_KINDS or kind == "ValueTimestamp":
                    notes.append(f"{item.get('name', '')}={(item.text or '').strip()}")
        errors = [
            f"{m.get('name', '')}={(m.text or '').strip()}"
            for error in _children(run, "Error")
            for m in error
        ]
        if errors:
            step.error_message = "; ".join(errors)
        if notes:
            step.report_text = "\n".join([step.report_text or "", *notes]).strip()


def _number(text: str | None) -> float | None:
    if text is None or not text.strip():
        return None
    try:
        return float(text.strip().replace(",", "."))
    except ValueError:
        return None


def _time(
    source: SourceFile, element: ET.Element, attribute: str, *, required: bool
) -> datetime | None:
    text = (element.get(attribute) or "").strip()
    if not text:
        if required:
            raise fail(source, f"<{_local(element.tag)}> has no {attribute}")
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise fail(
            source, f"<{_local(element.tag)}> {attribute} {text!r} is not a date and time"
        ) from None
