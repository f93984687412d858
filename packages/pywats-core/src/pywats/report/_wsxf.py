"""WSXF (WATS Standard XML Format) reading and writing with ``xml.etree``.

Mapping from the server's WSXF export and Virinco's WSXF example (wats-facts §8). Attributes
that exist only in WSXF (``StepIndex``, ``MeasIndex``, ``MeasOrderNumber``, ``Filename``,
``module_time``, ``Idx``, MiscInfo ``idx``/``order_no``, Chart ``idx``, Attachment ``Size``)
are kept beside the model (not part of its content) so that WSXF -> model -> WSXF gives the
same elements and attributes back. The UUR part of WSXF has no reference file; its element
names follow WRML (``ReportUnitHierarchy Idx ParentIDX``) and are documented as ours.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from ._errors import ReportFormatError
from ._models import (
    Asset,
    Attachment,
    BinaryData,
    BooleanMeasurement,
    CallExe,
    Chart,
    ChartSeries,
    Failure,
    LoopInfo,
    MessagePopup,
    MiscInfo,
    NumericMeasurement,
    Report,
    SequenceCall,
    Step,
    StringMeasurement,
    SubUnit,
    UURInfo,
    UUTInfo,
    WsjfModel,
    presentation,
    set_presentation,
)
from ._wsjf import describe_validation_error

__all__ = ["NAMESPACE", "dumps_wsxf", "parse_wsxf"]

NAMESPACE = "http://wats.virinco.com/schemas/WATS/Report/wsxf"
_NS = "{" + NAMESPACE + "}"

_RESULT_WORDS = {"P": "Passed", "F": "Failed", "E": "Error", "T": "Terminated"}
_STATUS_WORDS = {
    "P": "Passed",
    "F": "Failed",
    "D": "Done",
    "S": "Skipped",
    "E": "Error",
    "T": "Terminated",
    "U": "Unknown",
}
_GROUP_WORDS = {"S": "Setup", "M": "Main", "C": "Cleanup"}
_TYPE_WORDS = {"T": "UUT", "R": "UUR"}


def _letters(words: dict[str, str]) -> dict[str, str]:
    table = {word.upper(): letter for letter, word in words.items()}
    table.update({letter: letter for letter in words})
    return table


_RESULT_LETTERS = _letters(_RESULT_WORDS)
_STATUS_LETTERS = _letters(_STATUS_WORDS)
_GROUP_LETTERS = _letters(_GROUP_WORDS)
_TYPE_LETTERS = _letters(_TYPE_WORDS)


# ---------------------------------------------------------------------- reading


class _Reader:
    def __init__(self) -> None:
        self.where = "Report"

    def fail(self, message: str) -> ReportFormatError:
        return ReportFormatError(f"not a valid WSXF report: {self.where}: {message}")

    def word(self, value: str, table: dict[str, str], what: str) -> str:
        letter = table.get(value.strip().upper())
        if letter is None:
            raise self.fail(f"{what} {value!r} is not one of {', '.join(sorted(set(table)))}")
        return letter

    def number(self, value: str, what: str) -> float:
        text = value.strip()
        special = {"NAN": math.nan, "INFINITY": math.inf, "-INFINITY": -math.inf, "INF": math.inf}
        if text.upper() in special:
            return special[text.upper()]
        try:
            return float(text)
        except ValueError:
            raise self.fail(f"{what} {value!r} is not a number") from None

    def integer(self, value: str, what: str) -> int:
        try:
            return int(value.strip())
        except ValueError:
            try:
                as_float = float(value)
            except ValueError:
                raise self.fail(f"{what} {value!r} is not an integer") from None
            if as_float.is_integer():
                return int(as_float)
            raise self.fail(f"{what} {value!r} is not an integer") from None

    def boolean(self, value: str, what: str) -> bool:
        text = value.strip().lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise self.fail(f"{what} {value!r} is not a boolean")

    def attrs(
        self,
        element: ET.Element,
        spec: dict[str, tuple[str, str]],
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """Split attributes into model fields (converted) and XML-only leftovers."""
        fields: dict[str, Any] = {}
        leftovers: dict[str, str] = {}
        for name, value in element.attrib.items():
            target = spec.get(name)
            if target is None:
                leftovers[name] = value
                continue
            key, kind = target
            fields[key] = self.convert(value, kind, name)
            if kind == "bool" and value not in ("true", "false"):
                # keep "0"/"1" spelling (Virinco example) for the way back to WSXF
                leftovers["\0bool:" + name] = value
        return fields, leftovers

    def convert(self, value: str, kind: str, name: str) -> Any:
        if kind == "str":
            return value
        if kind == "float":
            return self.number(value, name)
        if kind == "int":
            return self.integer(value, name)
        if kind == "bool":
            return self.boolean(value, name)
        if kind == "status":
            return self.word(value, _STATUS_LETTERS, name)
        if kind == "result":
            return self.word(value, _RESULT_LETTERS, name)
        if kind == "group":
            return self.word(value, _GROUP_LETTERS, name)
        if kind == "type":
            return self.word(value, _TYPE_LETTERS, name)
        if kind == "guid":
            return value.lower()
        raise AssertionError(kind)  # pragma: no cover

    def build(
        self, model: type[WsjfModel], fields: dict[str, Any], leftovers: dict[str, str]
    ) -> Any:
        try:
            obj = model.model_validate(fields)
        except ValidationError as exc:
            # field names in the message are the WSJF names the attributes map to
            raise ReportFormatError(
                describe_validation_error(exc, "WSXF", prefix=f"{self.where} -> {model.__name__} ")
            ) from None
        if leftovers:
            set_presentation(obj, "xml", leftovers)
        return obj


_REPORT_ATTRS = {
    "type": ("type", "type"),
    "ID": ("id", "guid"),
    "Start": ("start", "str"),
    "Start_utc": ("startUTC", "str"),
    "Result": ("result", "result"),
    "SN": ("sn", "str"),
    "PN": ("pn", "str"),
    "Rev": ("rev", "str"),
    "origin": ("origin", "str"),
    "MachineName": ("machineName", "str"),
    "Location": ("location", "str"),
    "Purpose": ("purpose", "str"),
    "ProductName": ("productName", "str"),
}
_UUT_ATTRS = {
    "UserLoginName": ("user", "str"),
    "BatchSN": ("batchSN", "str"),
    "TestSocketIndex": ("testSocketIndex", "int"),
    "ExecutionTime": ("execTime", "float"),
    "FixtureId": ("fixtureId", "str"),
    "ErrorCode": ("errorCode", "int"),
    "ErrorMessage": ("errorMessage", "str"),
    "BatchFailCount": ("batchFailCount", "int"),
    "BatchLoopIndex": ("batchLoopIndex", "int"),
    "StepIdCausedUUTFailure": ("stepIdCausedUUTFailure", "int"),
}
_UUR_ATTRS = {
    "UserLoginName": ("user", "str"),
    "ExecutionTime": ("execTime", "float"),
    "RefUUT": ("refUUT", "guid"),
    "ConfirmDate": ("confirmDate", "str"),
    "FinalizeDate": ("finalizeDate", "str"),
    "Parent": ("parent", "guid"),
}
_MISC_ATTRS = {
    "Typedef": ("typedef", "str"),
    "Description": ("description", "str"),
    "Numeric": ("numeric", "int"),
    "Id": ("id", "guid"),
}
_UNIT_ATTRS = {
    "PartType": ("partType", "str"),
    "PN": ("pn", "str"),
    "SN": ("sn", "str"),
    "Rev": ("rev", "str"),
    "Position": ("position", "int"),
    "Idx": ("idx", "int"),
    "ParentIDX": ("parentIdx", "int"),
    "ReplacedIDX": ("replacedIdx", "int"),
}
_FAILURE_ATTRS = {
    "Category": ("category", "str"),
    "Code": ("code", "str"),
    "CompRef": ("comRef", "str"),
    "FuncBlock": ("funcBlock", "str"),
    "RefStepId": ("refStepId", "int"),
    "RefStepName": ("refStepName", "str"),
    "ArtNumber": ("artNumber", "str"),
    "ArtRev": ("artRev", "str"),
    "ArtVendor": ("artVendor", "str"),
    "ArtDescription": ("artDescription", "str"),
}
_BINARY_ATTRS = {
    "Name": ("name", "str"),
    "ContentType": ("contentType", "str"),
    "Id": ("id", "guid"),
}
_ASSET_ATTRS = {"AssetSN": ("assetSN", "str"), "UsageCount": ("usageCount", "int")}
_STEP_ATTRS = {
    "Id": ("id", "int"),
    "Group": ("group", "group"),
    "Name": ("name", "str"),
    "StepType": ("stepType", "str"),
    "Status": ("status", "status"),
    "Start": ("start", "str"),
    "total_time": ("totTime", "float"),
    "StepErrorCode": ("errorCode", "int"),
    "StepErrorMessage": ("errorMessage", "str"),
    "TSGuid": ("tsGuid", "str"),
    "StepCausedUUTFailure": ("causedUUTFailure", "bool"),
    "StepCausedSequenceFailure": ("causedSeqFailure", "bool"),
    "InteractiveExeNum": ("interactiveExeNum", "int"),
}
_LOOP_ATTRS = {
    "index": ("idx", "int"),
    "num": ("num", "int"),
    "ending_index": ("endingIndex", "int"),
    "passed": ("passed", "int"),
    "failed": ("failed", "int"),
}
_SEQ_ATTRS = {
    "Name": ("name", "str"),
    "Version": ("version", "str"),
    "Filepath": ("path", "str"),
}
_NUMERIC_ATTRS = {
    "Name": ("name", "str"),
    "NumericValue": ("value", "float"),
    "Units": ("unit", "str"),
    "CompOperator": ("compOp", "str"),
    "LowLimit": ("lowLimit", "float"),
    "HighLimit": ("highLimit", "float"),
    "Status": ("status", "status"),
}
_STRING_ATTRS = {
    "Name": ("name", "str"),
    "CompOperator": ("compOp", "str"),
    "StringValue": ("value", "str"),
    "StringLimit": ("limit", "str"),
    "Status": ("status", "status"),
}
_PASSFAIL_ATTRS = {"Name": ("name", "str"), "Status": ("status", "status")}
_CHART_ATTRS = {
    "ChartType": ("chartType", "str"),
    "Label": ("label", "str"),
    "XLabel": ("xLabel", "str"),
    "XUnit": ("xUnit", "str"),
    "YLabel": ("yLabel", "str"),
    "YUnit": ("yUnit", "str"),
}
_SERIES_ATTRS = {"Name": ("name", "str"), "DataType": ("dataType", "str")}
_POPUP_ATTRS = {"Button": ("button", "int"), "Response": ("response", "str")}
_CALLEXE_ATTRS = {"ExitCode": ("exitCode", "float")}
_ATTACHMENT_ATTRS = {"Name": ("name", "str"), "ContentType": ("contentType", "str")}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _text(element: ET.Element) -> str:
    return element.text or ""


def _read_step(reader: _Reader, element: ET.Element, path: str) -> Step:
    fields, leftovers = reader.attrs(element, _STEP_ATTRS)
    reader.where = f"{path} -> Step {fields.get('name', '?')!s}"
    numeric: list[NumericMeasurement] = []
    strings: list[StringMeasurement] = []
    booleans: list[BooleanMeasurement] = []
    children: list[Step] = []
    for child in element:
        tag = _local(child.tag)
        if tag == "Step":
            children.append(_read_step(reader, child, reader.where))
            reader.where = f"{path} -> Step {fields.get('name', '?')!s}"
        elif tag == "ReportText":
            fields["reportText"] = _text(child)
        elif tag == "Loop":
            fields["loop"] = reader.build(LoopInfo, *reader.attrs(child, _LOOP_ATTRS))
        elif tag == "SequenceCall":
            fields["seqCall"] = reader.build(SequenceCall, *reader.attrs(child, _SEQ_ATTRS))
        elif tag == "NumericLimit":
            numeric.append(reader.build(NumericMeasurement, *reader.attrs(child, _NUMERIC_ATTRS)))
        elif tag == "StringValue":
            strings.append(reader.build(StringMeasurement, *reader.attrs(child, _STRING_ATTRS)))
        elif tag == "PassFail":
            booleans.append(reader.build(BooleanMeasurement, *reader.attrs(child, _PASSFAIL_ATTRS)))
        elif tag == "Chart":
            chart_fields, chart_left = reader.attrs(child, _CHART_ATTRS)
            series = []
            for item in child:
                if _local(item.tag) != "Series":
                    raise reader.fail(f"unexpected <{_local(item.tag)}> in <Chart>")
                series_fields, series_left = reader.attrs(item, _SERIES_ATTRS)
                order = []
                for data in item:
                    name = _local(data.tag)
                    if name not in ("xdata", "ydata"):
                        raise reader.fail(f"unexpected <{name}> in <Series>")
                    series_fields[name] = _text(data)
                    order.append(name)
                built = reader.build(ChartSeries, series_fields, series_left)
                set_presentation(built, "xml_order", tuple(order))
                series.append(built)
            chart_fields["series"] = series
            fields["chart"] = reader.build(Chart, chart_fields, chart_left)
        elif tag == "MessagePopup":
            fields["messagePopup"] = reader.build(MessagePopup, *reader.attrs(child, _POPUP_ATTRS))
        elif tag == "Callexe":
            fields["callExe"] = reader.build(CallExe, *reader.attrs(child, _CALLEXE_ATTRS))
        elif tag == "Attachment":
            attach_fields, attach_left = reader.attrs(child, _ATTACHMENT_ATTRS)
            if child.text and child.text.strip():
                attach_fields["data"] = child.text.strip()
            fields["attachment"] = reader.build(Attachment, attach_fields, attach_left)
        else:
            raise reader.fail(f"unexpected element <{tag}> in <Step>")
    if numeric:
        fields["numericMeas"] = numeric
    if strings:
        fields["stringMeas"] = strings
    if booleans:
        fields["booleanMeas"] = booleans
    if children:
        fields["steps"] = children
    step: Step = reader.build(Step, fields, leftovers)
    return step


def _read_report(reader: _Reader, element: ET.Element) -> Report:
    fields, leftovers = reader.attrs(element, _REPORT_ATTRS)
    misc: list[MiscInfo] = []
    units: list[SubUnit] = []
    binaries: list[BinaryData] = []
    assets: list[Asset] = []
    for child in element:
        tag = _local(child.tag)
        reader.where = f"Report -> {tag}"
        if tag == "UUT":
            uut_fields, uut_left = reader.attrs(child, _UUT_ATTRS)
            for sub in child:
                if _local(sub.tag) == "Comment":
                    uut_fields["comment"] = _text(sub)
            fields["uut"] = reader.build(UUTInfo, uut_fields, uut_left)
        elif tag == "UUR":
            uur_fields, uur_left = reader.attrs(child, _UUR_ATTRS)
            for sub in child:
                name = _local(sub.tag)
                if name == "Comment":
                    uur_fields["comment"] = _text(sub)
                elif name == "Process":
                    if "Code" in sub.attrib:
                        uur_fields["processCode"] = reader.integer(sub.attrib["Code"], "Code")
                    if "Name" in sub.attrib:
                        uur_fields["processName"] = sub.attrib["Name"]
            fields["uur"] = reader.build(UURInfo, uur_fields, uur_left)
        elif tag == "Process":
            if "Code" in child.attrib:
                fields["processCode"] = reader.integer(child.attrib["Code"], "Code")
            if "Name" in child.attrib:
                fields["processName"] = child.attrib["Name"]
        elif tag == "MiscInfo":
            misc_fields, misc_left = reader.attrs(child, _MISC_ATTRS)
            if child.text is not None:
                misc_fields["text"] = child.text
            misc.append(reader.build(MiscInfo, misc_fields, misc_left))
        elif tag == "ReportUnitHierarchy":
            unit_fields, unit_left = reader.attrs(child, _UNIT_ATTRS)
            failures = []
            for sub in child:
                if _local(sub.tag) != "Failure":
                    raise reader.fail(f"unexpected <{_local(sub.tag)}> in <ReportUnitHierarchy>")
                failures.append(_read_failure(reader, sub))
            if failures:
                unit_fields["failures"] = failures
            units.append(reader.build(SubUnit, unit_fields, unit_left))
        elif tag == "BinaryData":
            binaries.append(_read_binary(reader, child))
        elif tag == "Asset":
            assets.append(reader.build(Asset, *reader.attrs(child, _ASSET_ATTRS)))
        elif tag == "Step":
            if "root" in fields:
                raise reader.fail("more than one root <Step>")
            fields["root"] = _read_step(reader, child, "Report")
        else:
            raise reader.fail(f"unexpected element <{tag}> in <Report>")
    if misc:
        fields["miscInfos"] = misc
    if units:
        fields["subUnits"] = units
    if binaries:
        fields["binaryData"] = binaries
    if assets:
        fields["assets"] = assets
    reader.where = "Report"
    for required in ("type", "id"):
        if required not in fields:
            raise reader.fail(f"attribute {'ID' if required == 'id' else required} is required")
    report: Report = reader.build(Report, fields, leftovers)
    return report


def _read_failure(reader: _Reader, element: ET.Element) -> Failure:
    fields, leftovers = reader.attrs(element, _FAILURE_ATTRS)
    attachments = []
    for sub in element:
        name = _local(sub.tag)
        if name == "Comment":
            fields["comment"] = _text(sub)
        elif name == "Attachment":
            attachments.append(_read_binary(reader, sub))
        else:
            raise reader.fail(f"unexpected <{name}> in <Failure>")
    if attachments:
        fields["attachments"] = attachments
    failure: Failure = reader.build(Failure, fields, leftovers)
    return failure


def _read_binary(reader: _Reader, element: ET.Element) -> BinaryData:
    fields, leftovers = reader.attrs(element, _BINARY_ATTRS)
    if element.text and element.text.strip():
        fields["data"] = element.text.strip()
    binary: BinaryData = reader.build(BinaryData, fields, leftovers)
    return binary


def parse_wsxf(data: bytes | str) -> Report:
    """Parse a WSXF document (``<Reports>`` with one ``<Report>``) into a ``Report``."""
    try:
        root = ET.fromstring(data)  # noqa: S314 - stdlib parser: no external entities/DTDs
    except ET.ParseError as exc:
        raise ReportFormatError(f"not a WSXF report: malformed XML ({exc})") from None
    if root.tag == _NS + "Report":
        report_element = root
    elif root.tag == _NS + "Reports":
        reports = [child for child in root if child.tag == _NS + "Report"]
        if len(reports) != 1:
            raise ReportFormatError(
                f"not a WSXF report: <Reports> holds {len(reports)} <Report> elements, expected 1"
            )
        report_element = reports[0]
    else:
        raise ReportFormatError(
            f"not a WSXF report: root element is {root.tag!r}, expected "
            f'<Reports xmlns="{NAMESPACE}">'
        )
    reader = _Reader()
    try:
        return _read_report(reader, report_element)
    except RecursionError:
        raise ReportFormatError("not a WSXF report: steps nested too deeply") from None


# ---------------------------------------------------------------------- writing


def _fmt_float(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


# Characters XML 1.0 cannot carry at all (not even as character references).
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_safe(text: str, where: str) -> str:
    bad = _NOT_XML.search(text)
    if bad is not None:
        raise ReportFormatError(
            f"cannot write WSXF: {where} contains U+{ord(bad.group()):04X}, "
            "which XML 1.0 cannot carry"
        )
    return text


def _set_text(element: ET.Element, text: str) -> None:
    element.text = _xml_safe(text, f"<{_local(element.tag)}> text")


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _fmt_float(value)
    if hasattr(value, "value") and isinstance(value.value, str):  # enum
        return str(value.value)
    return str(value)


class _Writer:
    def put(
        self,
        element: ET.Element,
        model: WsjfModel,
        pairs: list[tuple[str, str, Callable[[Any], str] | None]],
    ) -> None:
        """Set attributes from ``(xml name, python field, formatter)``; keep XML-only ones."""
        for xml_name, field, formatter in pairs:
            value = getattr(model, field)
            if value is None:
                continue
            text = formatter(value) if formatter else _fmt(value)
            element.set(xml_name, _xml_safe(text, f"<{_local(element.tag)} {xml_name}>"))
        extra: dict[str, str] | None = presentation(model, "xml")
        if extra:
            for key, value in extra.items():
                if key.startswith("\0bool:"):
                    name = key[len("\0bool:") :]
                    current = element.get(name)
                    if current is not None and current == ("true" if value == "1" else "false"):
                        element.set(name, value)
                    continue
                element.set(key, _xml_safe(value, f"<{_local(element.tag)} {key}>"))


def _word(table: dict[str, str]) -> Callable[[Any], str]:
    return lambda value: table[_fmt(value)]


def _write_step(writer: _Writer, parent: ET.Element, step: Step) -> None:
    element = ET.SubElement(parent, _NS + "Step")
    writer.put(
        element,
        step,
        [
            ("Id", "id", None),
            ("Group", "group", _word(_GROUP_WORDS)),
            ("Name", "name", None),
            ("StepType", "step_type", None),
            ("Status", "status", _word(_STATUS_WORDS)),
            ("Start", "start", None),
            ("total_time", "tot_time", None),
            ("StepErrorCode", "error_code", None),
            ("StepErrorMessage", "error_message", None),
            ("TSGuid", "ts_guid", None),
            ("InteractiveExeNum", "interactive_exe_num", None),
            ("StepCausedUUTFailure", "caused_uut_failure", None),
            ("StepCausedSequenceFailure", "caused_seq_failure", None),
        ],
    )
    if step.loop is not None:
        loop = ET.SubElement(element, _NS + "Loop")
        writer.put(
            loop,
            step.loop,
            [
                ("index", "idx", None),
                ("num", "num", None),
                ("passed", "passed", None),
                ("failed", "failed", None),
                ("ending_index", "ending_index", None),
            ],
        )
    if step.report_text is not None:
        _set_text(ET.SubElement(element, _NS + "ReportText"), step.report_text)
    if step.seq_call is not None:
        seq = ET.SubElement(element, _NS + "SequenceCall")
        writer.put(
            seq,
            step.seq_call,
            [("Name", "name", None), ("Version", "version", None), ("Filepath", "path", None)],
        )
    for meas in step.numeric_meas or []:
        writer.put(
            ET.SubElement(element, _NS + "NumericLimit"),
            meas,
            [
                ("Name", "name", None),
                ("NumericValue", "value", None),
                ("Units", "unit", None),
                ("CompOperator", "comp_op", None),
                ("LowLimit", "low_limit", None),
                ("HighLimit", "high_limit", None),
                ("Status", "status", _word(_STATUS_WORDS)),
            ],
        )
    for smeas in step.string_meas or []:
        writer.put(
            ET.SubElement(element, _NS + "StringValue"),
            smeas,
            [
                ("Name", "name", None),
                ("CompOperator", "comp_op", None),
                ("StringLimit", "limit", None),
                ("StringValue", "value", None),
                ("Status", "status", _word(_STATUS_WORDS)),
            ],
        )
    for bmeas in step.boolean_meas or []:
        writer.put(
            ET.SubElement(element, _NS + "PassFail"),
            bmeas,
            [("Name", "name", None), ("Status", "status", _word(_STATUS_WORDS))],
        )
    if step.chart is not None:
        chart = ET.SubElement(element, _NS + "Chart")
        writer.put(
            chart,
            step.chart,
            [
                ("ChartType", "chart_type", None),
                ("Label", "label", None),
                ("XLabel", "x_label", None),
                ("XUnit", "x_unit", None),
                ("YLabel", "y_label", None),
                ("YUnit", "y_unit", None),
            ],
        )
        for series in step.chart.series or []:
            item = ET.SubElement(chart, _NS + "Series")
            writer.put(item, series, [("Name", "name", None), ("DataType", "data_type", None)])
            order = presentation(series, "xml_order") or ("ydata", "xdata")
            for name in order:
                value = getattr(series, name)
                if value is not None:
                    _set_text(ET.SubElement(item, _NS + name), value)
    if step.message_popup is not None:
        writer.put(
            ET.SubElement(element, _NS + "MessagePopup"),
            step.message_popup,
            [("Button", "button", None), ("Response", "response", None)],
        )
    if step.call_exe is not None:
        writer.put(
            ET.SubElement(element, _NS + "Callexe"),
            step.call_exe,
            [("ExitCode", "exit_code", None)],
        )
    if step.attachment is not None:
        attachment = ET.SubElement(element, _NS + "Attachment")
        writer.put(
            attachment,
            step.attachment,
            [("Name", "name", None), ("ContentType", "content_type", None)],
        )
        if step.attachment.data:
            _set_text(attachment, step.attachment.data)
    for child in step.steps or []:
        _write_step(writer, element, child)


def _write_binary(writer: _Writer, parent: ET.Element, tag: str, binary: BinaryData) -> None:
    element = ET.SubElement(parent, _NS + tag)
    writer.put(
        element,
        binary,
        [("Name", "name", None), ("ContentType", "content_type", None), ("Id", "id", _upper)],
    )
    if binary.data:
        _set_text(element, binary.data)


def _upper(value: Any) -> str:
    return str(value).upper()


def dumps_wsxf(report: Report) -> bytes:
    """The report as a WSXF document (UTF-8, ``<Reports>`` root, upper-case GUIDs)."""
    ET.register_namespace("", NAMESPACE)
    writer = _Writer()
    reports = ET.Element(_NS + "Reports")
    element = ET.SubElement(reports, _NS + "Report")
    writer.put(
        element,
        report,
        [
            ("type", "type", _word(_TYPE_WORDS)),
            ("ID", "id", _upper),
            ("Start", "start", None),
            ("Start_utc", "start_utc", None),
            ("Result", "result", _word(_RESULT_WORDS)),
            ("SN", "sn", None),
            ("PN", "pn", None),
            ("Rev", "rev", None),
            ("origin", "origin", None),
            ("MachineName", "machine_name", None),
            ("Location", "location", None),
            ("Purpose", "purpose", None),
            ("ProductName", "product_name", None),
        ],
    )
    if report.uut is not None:
        uut = ET.SubElement(element, _NS + "UUT")
        writer.put(
            uut,
            report.uut,
            [
                ("UserLoginName", "user", None),
                ("BatchSN", "batch_sn", None),
                ("TestSocketIndex", "test_socket_index", None),
                ("ExecutionTime", "exec_time", None),
                ("FixtureId", "fixture_id", None),
                ("ErrorCode", "error_code", None),
                ("ErrorMessage", "error_message", None),
                ("BatchFailCount", "batch_fail_count", None),
                ("BatchLoopIndex", "batch_loop_index", None),
                ("StepIdCausedUUTFailure", "step_id_caused_uut_failure", None),
            ],
        )
        if report.uut.comment is not None:
            _set_text(ET.SubElement(uut, _NS + "Comment"), report.uut.comment)
    if report.uur is not None:
        uur = ET.SubElement(element, _NS + "UUR")
        writer.put(
            uur,
            report.uur,
            [
                ("UserLoginName", "user", None),
                ("ExecutionTime", "exec_time", None),
                ("RefUUT", "ref_uut", _upper),
                ("ConfirmDate", "confirm_date", None),
                ("FinalizeDate", "finalize_date", None),
                ("Parent", "parent", _upper),
            ],
        )
        if report.uur.comment is not None:
            _set_text(ET.SubElement(uur, _NS + "Comment"), report.uur.comment)
        if report.uur.process_code is not None or report.uur.process_name is not None:
            process = ET.SubElement(uur, _NS + "Process")
            if report.uur.process_code is not None:
                process.set("Code", str(report.uur.process_code))
            if report.uur.process_name is not None:
                process.set("Name", _xml_safe(report.uur.process_name, "<Process Name>"))
    if report.process_code is not None or report.process_name is not None:
        process = ET.SubElement(element, _NS + "Process")
        if report.process_code is not None:
            process.set("Code", str(report.process_code))
        if report.process_name is not None:
            process.set("Name", _xml_safe(report.process_name, "<Process Name>"))
    for info in report.misc_infos or []:
        misc = ET.SubElement(element, _NS + "MiscInfo")
        writer.put(
            misc,
            info,
            [
                ("Typedef", "typedef", None),
                ("Description", "description", None),
                ("Numeric", "numeric", None),
                ("Id", "id", _upper),
            ],
        )
        if info.text is not None:
            _set_text(misc, info.text)
    for unit in report.sub_units or []:
        hierarchy = ET.SubElement(element, _NS + "ReportUnitHierarchy")
        writer.put(
            hierarchy,
            unit,
            [
                ("PartType", "part_type", None),
                ("PN", "pn", None),
                ("SN", "sn", None),
                ("Rev", "rev", None),
                ("Position", "position", None),
                ("Idx", "idx", None),
                ("ParentIDX", "parent_idx", None),
                ("ReplacedIDX", "replaced_idx", None),
            ],
        )
        for failure in unit.failures or []:
            item = ET.SubElement(hierarchy, _NS + "Failure")
            writer.put(
                item,
                failure,
                [
                    ("Category", "category", None),
                    ("Code", "code", None),
                    ("CompRef", "com_ref", None),
                    ("FuncBlock", "func_block", None),
                    ("RefStepId", "ref_step_id", None),
                    ("RefStepName", "ref_step_name", None),
                    ("ArtNumber", "art_number", None),
                    ("ArtRev", "art_rev", None),
                    ("ArtVendor", "art_vendor", None),
                    ("ArtDescription", "art_description", None),
                ],
            )
            if failure.comment is not None:
                _set_text(ET.SubElement(item, _NS + "Comment"), failure.comment)
            for attachment in failure.attachments or []:
                _write_binary(writer, item, "Attachment", attachment)
    for binary in report.binary_data or []:
        _write_binary(writer, element, "BinaryData", binary)
    for asset in report.assets or []:
        writer.put(
            ET.SubElement(element, _NS + "Asset"),
            asset,
            [("AssetSN", "asset_sn", None), ("UsageCount", "usage_count", None)],
        )
    if report.root is not None:
        _write_step(writer, element, report.root)
    body: bytes = ET.tostring(reports, encoding="utf-8", xml_declaration=True)
    return body
