"""StepWize config-and-results files (``.XSPC``): a header, then one
``Config_and_Data_Result`` row per result item; consecutive rows of one step form it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime
from typing import TYPE_CHECKING

from pywats_converters import CompOp, ConversionError, Converter, ReportResult

from ._common import EquipmentParameters, fail, new_uut, xml_root

if TYPE_CHECKING:
    from pywats_converters import ConversionContext, Report, SequenceBuilder, SourceFile, Step

__all__ = ["StepWize", "StepWizeParameters"]


class StepWizeParameters(EquipmentParameters):
    """Settings of the StepWize converter.

    The file's ``operation`` is looked up among the station's processes by name; when it is
    not one of them, ``process`` (or the station default) is used.
    """


# limitMode -> comparison and which limit a single-limit comparison uses.
_LIMIT_MODES = {
    "Value > LL": (CompOp.GT, "lower"),
    "Value >= LL": (CompOp.GE, "lower"),
    "Value < UL": (CompOp.LT, "upper"),
    "Value <= UL": (CompOp.LE, "upper"),
    "LL <= Value <= UL": (CompOp.GELE, "both"),
    "LL < Value < UL": (CompOp.GTLT, "both"),
    "LL <= Value < UL": (CompOp.GELT, "both"),
    "LL < Value <= UL": (CompOp.GTLE, "both"),
    "Value = LL": (CompOp.EQ, "lower"),
    "Value == LL": (CompOp.EQ, "lower"),
}
_RESULTS = {"pass": ReportResult.PASSED, "fail": ReportResult.FAILED}
_RESULTS["incomplete"] = ReportResult.TERMINATED
_RESULTS["aborted"] = ReportResult.TERMINATED
_MISC = (
    "resultSetID",
    "modelNumber",
    "partDescription",
    "label",
    "description",
    "build",
    "softwarePN",
    "workOrder",
    "factoryNumber",
    "exportRestriction",
    "plantName",
    "alternatePartNumber",
    "alternateModelNumber",
)


class StepWize(Converter[StepWizeParameters]):
    """StepWize ``.XSPC``: one report per file."""

    name = "stepwize"
    patterns = ("*.XSPC", "*.xspc")
    description = "StepWize config-and-results files (.XSPC)"

    def convert(self, source: SourceFile, context: ConversionContext) -> list[Report]:
        document = xml_root(source, tag="ConfigAndResultsDataFile")
        header = document.find("ConfigandResultsData")
        if header is None:
            raise fail(source, "no <ConfigandResultsData> header")
        serial = _text(header, "serialNumber")
        if not serial:
            raise fail(source, "no serial number (<serialNumber> is missing or empty)")
        verdict = _text(header, "sequencePF").lower()
        if verdict not in _RESULTS:
            raise fail(source, f"<sequencePF> is {verdict!r}, not Pass, Fail or Incomplete")
        rows = header.findall("Config_and_Result_Data/Config_and_Data_Result")
        if not rows:
            raise fail(source, "no <Config_and_Data_Result> rows: the file holds no results")
        start = _time(source, rows[0], "startDateTime")
        end = _time(source, rows[-1], "endDateTime")
        operation = _text(header, "operation")
        process: str | int | None = None
        if operation:
            try:
                process = context.process_code(operation)
            except ConversionError:
                context.logger.info("%s: operation %r is no known process", source.name, operation)
        builder = new_uut(
            context,
            self.parameters,
            sn=serial,
            pn=_text(header, "partNumber"),
            rev=_text(header, "revision") or _text(header, "partRev"),
            start=start,
            key=serial,
            result=_RESULTS[verdict],
            operator=_text(rows[0], "operator"),
            process=process,
            sequence_name=_text(header, "sourceFile") or "StepWize",
        )
        seq_call = builder.root.step.seq_call
        if seq_call is not None:
            seq_call.version = _text(header, "version") or None
        builder.uut.exec_time = max(0.0, (end - start).total_seconds())
        if operation:
            builder.misc_info("operation", operation[:100])
        for key in _MISC:
            value = _text(header, key)
            if value:
                builder.misc_info(key, value[:100])
        assets = sorted({_text(row, "assetID") for row in rows} - {""})
        for asset in assets:
            builder.asset(asset)
        sequence: SequenceBuilder | None = None
        current = ""
        for number, row in enumerate(rows, 1):
            step_name = _text(row, "stepName") or f"Step {_text(row, 'stepIndex')}"
            if sequence is None or step_name != current:
                sequence = builder.root.sequence(step_name)
                current = step_name
            self._row(source, sequence, row, number)
        return [builder.build()]

    def _row(self, source: SourceFile, into: SequenceBuilder, row: ET.Element, number: int) -> None:
        name = _text(row, "subItemName") or _text(row, "genus") or _text(row, "stepName")
        kind = _text(row, "dataType")
        outcome = _text(row, "stepOutcome").lower()
        measured = _text(row, "measurementOutcome").lower()
        where = f"result row {number} ({_text(row, 'stepName')}/{name})"
        if kind == "0":
            step = self._numeric(source, into, row, name, measured, where)
        elif kind == "1":
            step = into.pass_fail(name, (measured or outcome).startswith("pass"))
        elif kind == "2":
            status = "P" if outcome.startswith("pass") else "F"
            step = into.action(name, status=status, report_text=_text(row, "stringValue") or None)
        else:
            raise fail(source, f"{where}: dataType {kind!r} is not 0, 1 or 2")
        started = _time(source, row, "startDateTime")
        ended = _time(source, row, "endDateTime")
        step.tot_time = max(0.0, (ended - started).total_seconds())
        notes = _text(row, "stepNotes")
        cause = _text(row, "causeText") or _text(row, "cause")
        if notes:
            step.report_text = "; ".join(t for t in (step.report_text, notes) if t)
        if cause:
            step.error_message = cause

    def _numeric(
        self,
        source: SourceFile,
        into: SequenceBuilder,
        row: ET.Element,
        name: str,
        measured: str,
        where: str,
    ) -> Step:
        value = _number(source, row, "stepValue", where)
        unit = _text(row, "units") or None
        if measured.startswith("performed"):  # "Performed- Record Only": logged, no limits
            return into.numeric(name, value, CompOp.LOG, unit=unit, meas_status="P")
        mode = " ".join(_text(row, "limitMode").split())
        if mode not in _LIMIT_MODES:
            raise fail(source, f"{where}: limitMode {mode!r} is not known")
        op, which = _LIMIT_MODES[mode]
        lower = _number(source, row, "lowerLimit", where)
        upper = _number(source, row, "upperLimit", where)
        status = "P" if measured.startswith("pass") else "F"
        if which == "both":
            return into.numeric(
                name, value, op, low=lower, high=upper, unit=unit, meas_status=status
            )
        limit = lower if which == "lower" else upper
        return into.numeric(name, value, op, limit=limit, unit=unit, meas_status=status)


def _text(element: ET.Element, tag: str) -> str:
    return (element.findtext(tag) or "").strip()


def _number(source: SourceFile, row: ET.Element, tag: str, where: str) -> float:
    text = _text(row, tag)
    try:
        return float(text)
    except ValueError:
        raise fail(source, f"{where}: <{tag}> {text!r} is not a number") from None


def _time(source: SourceFile, row: ET.Element, tag: str) -> datetime:
    text = _text(row, tag)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise fail(source, f"<{tag}> {text!r} is not a date and time") from None
