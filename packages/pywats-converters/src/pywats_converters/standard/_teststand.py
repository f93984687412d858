"""TestStand XML reports: NI's XML report, the WATS add-on's ``TSReport``, and simple XML.

Three document shapes are read, told apart by the root element:

* ``<Reports><Report Type="UUT" UUTResult=…>`` — NI TestStand's own XML report: the UUT,
  ``StationInfo``, ``StartDate``/``StartTime`` and the main sequence's ``TEResult`` as
  TestStand property objects (``<Prop Name Type><Value/></Prop>``). One report per
  ``Report`` element (batch files hold several).
* ``<TSReport>`` — the same property objects written by the WATS TestStand add-on, with
  ``<ReportInfo key value/>`` lines carrying the report id, start, SN, PN, revision and
  process code (the "WATS extensions").
* ``<TestReport><Header/><Sequence><NumericTest/>…`` — the simple XML of Virinco's example
  converter; statuses are computed from the limits.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import datetime

from pywats.report import LoopInfo, MeasurementStatus, Report, ReportResult, StepStatus

from .._sdk import ConversionContext, ConversionError, Converter, SourceFile
from .._xml import parse_xml
from ._emit import StandardParameters, build_report
from ._tree import Header, Meas, Node, Unit, number_loops
from ._values import (
    REPORT_RESULTS,
    STEP_STATUSES,
    default_comp_op,
    parse_float,
    parse_timestamp_text,
)
from ._xmltools import child, children, local, text

__all__ = ["TestStandXmlConverter", "TestStandXmlParameters"]

_STATUS = {**STEP_STATUSES, "running": StepStatus.TERMINATED}
_RESULT = {**REPORT_RESULTS, "done": ReportResult.PASSED, "aborted": ReportResult.TERMINATED}
_GROUPS = {"setup": "S", "cleanup": "C"}
_STRING_COMPS = {"casesensitive": "CASESENSIT", "ignorecase": "IGNORECASE"}


class TestStandXmlParameters(StandardParameters):
    """Settings of the TestStand XML converter (see :class:`StandardParameters`)."""


class TestStandXmlConverter(Converter[TestStandXmlParameters]):
    """NI TestStand XML reports, with or without the WATS add-on's extensions."""

    __test__ = False  # not a pytest test class, whatever its name says

    name = "teststand-xml"
    patterns = ("*.xml", "*.XML")
    description = "NI TestStand XML reports (plain or WATS TSReport) and simple TestReport XML"

    def convert(self, source: SourceFile, context: ConversionContext) -> list[Report]:
        root = parse_xml(source)
        kind = local(root)
        if kind == "Reports":
            units = [
                _ni_report(report, index, context)
                for index, report in enumerate(children(root, "Report"))
                if (report.get("Type") or "UUT").upper() == "UUT"
            ]
            if not units:
                raise ConversionError("the file holds no UUT <Report>", source=source.path)
        elif kind == "Report":
            units = [_ni_report(root, 0, context)]
        elif kind == "TSReport":
            units = [_ts_report(root, context)]
        elif kind == "TestReport":
            units = [_simple_report(root, context)]
        else:
            raise ConversionError(
                f"not a TestStand XML report (root element <{kind}>; expected <Reports>, "
                "<TSReport> or <TestReport>)",
                source=source.path,
            )
        return [build_report(unit, self.parameters, context) for unit in units]


# --------------------------------------------------------------------- property objects


def _prop(element: ET.Element | None, *names: str) -> ET.Element | None:
    for name in names:
        element = next((p for p in children(element, "Prop") if p.get("Name") == name), None)
        if element is None:
            return None
    return element


def _value(element: ET.Element | None, *names: str) -> str | None:
    prop = _prop(element, *names) if names else element
    if prop is None:
        return None
    value = child(prop, "Value")
    if value is None or value.text is None:
        return None
    return value.text.strip() or None


def _number(element: ET.Element | None, *names: str) -> float | None:
    try:
        return parse_float(_value(element, *names))
    except ValueError:
        return None


def _elements(array: ET.Element | None) -> Iterator[ET.Element]:
    """The objects of an array property (``<Value ID="[i]"><Prop …/></Value>``)."""
    for value in children(array, "Value"):
        prop = child(value, "Prop")
        if prop is not None:
            yield prop


def _uut_header(uut: ET.Element | None, station: ET.Element | None, header: Header) -> None:
    header.sn = header.sn or _value(uut, "SerialNumber")
    header.pn = header.pn or _value(uut, "UUTPartNumber") or _value(uut, "PartNumber")
    header.rev = header.rev or _value(uut, "UUTPartRevisionNumber")
    operation = _number(uut, "UUTOperationType")
    if header.operation is None and operation:
        header.operation = int(operation)
    header.batch_sn = _value(uut, "BatchSerialNumber")
    socket = _number(uut, "TestSocketIndex")
    if socket is not None and socket >= 0:
        header.test_socket_index = int(socket)
    header.comment = _value(uut, "Comment")
    header.fixture_id = _value(uut, "UUT_Fixture_ID")
    misc = _prop(uut, "MiscUUTResult")
    for part in _elements(_prop(misc, "UUT_Part_Info")):
        pn, sn = _value(part, "Part_Number"), _value(part, "Part_Serial_Number")
        if pn and sn:
            header.sub_units.append(
                (
                    _value(part, "Part_Type") or "",
                    pn,
                    sn,
                    _value(part, "Part_Revision_Number") or "",
                )
            )
    for info in _elements(_prop(misc, "Misc_UUT_Info")):
        description = _value(info, "Description")
        if not description:
            continue
        data = _value(info, "Data_String")
        numeric = _number(info, "Data_Numeric")
        if data is not None:
            header.misc.append((description, data))
        elif numeric is not None and numeric.is_integer():
            header.misc.append((description, int(numeric)))
    header.station = header.station or _value(station, "StationID")
    header.operator = header.operator or _value(station, "LoginName")


def _main(
    result: ET.Element | None, header: Header, context: ConversionContext
) -> tuple[list[Node], StepStatus | None]:
    if result is None:
        raise ConversionError(
            "missing the main sequence's results (TEResult)", source=context.source.path
        )
    call = _prop(result, "TS", "SequenceCall")
    header.sequence_name = _value(call, "Sequence") or header.sequence_name
    header.sequence_path = _value(call, "SequenceFile")
    header.sequence_version = _value(call, "SequenceFileVersion")
    status = _STATUS.get((_value(result, "Status") or "").lower())
    steps = _results(_prop(call, "ResultList"))
    return steps, status


def _ni_report(report: ET.Element, index: int, context: ConversionContext) -> Unit:
    header = Header()
    _uut_header(_prop(report, "UUT"), _prop(report, "StationInfo"), header)
    header.start = _ni_start(_prop(report, "StartDate"), _prop(report, "StartTime"))
    header.result = _RESULT.get((report.get("UUTResult") or "").lower())
    main = next((p for p in children(report, "Prop") if p.get("Type") == "TEResult"), None)
    steps, status = _main(main, header, context)
    total = _number(main, "TS", "TotalTime")
    if total is not None:
        header.exec_time = total
    return Unit(header=header, steps=steps, root_status=status, key=index)


def _ni_start(date: ET.Element | None, time: ET.Element | None) -> datetime | None:
    try:
        parts = [
            _number(date, "Year"),
            _number(date, "Month"),
            _number(date, "MonthDay"),
            _number(time, "Hours"),
            _number(time, "Minutes"),
            _number(time, "Seconds"),
        ]
        if any(p is None for p in parts):
            return None
        year, month, day, hour, minute, second = (int(p or 0) for p in parts)
        milli = int(_number(time, "Milliseconds") or 0)
        return datetime(year, month, day, hour, minute, second, milli * 1000).astimezone()
    except ValueError:
        return None


def _ts_report(root: ET.Element, context: ConversionContext) -> Unit:
    info = {
        (item.get("key") or ""): (item.get("value") or "").strip()
        for item in children(root, "ReportInfo")
    }
    header = Header(
        sn=info.get("SN") or None, pn=info.get("PN") or None, rev=info.get("Rev") or None
    )
    if info.get("PCode"):
        header.operation = info["PCode"]
    if info.get("ID"):
        try:
            header.report_id = str(uuid.UUID(info["ID"]))
        except ValueError:
            raise ConversionError(
                f"ReportInfo ID {info['ID']!r} is not a GUID", source=context.source.path
            ) from None
    header.start = parse_timestamp_text(info.get("Start"))
    if info.get("Start") and header.start is None:
        raise ConversionError(
            f"ReportInfo Start {info['Start']!r} is not a date and time",
            source=context.source.path,
        )
    _uut_header(_prop(root, "UUT"), _prop(root, "StationInfo"), header)
    main = _prop(root, "MainSequenceResults")
    steps, status = _main(main, header, context)
    total = _number(main, "TS", "TotalTime")
    if total is not None:
        header.exec_time = total
    return Unit(header=header, steps=steps, root_status=status)


# ------------------------------------------------------------------------------ steps


def _results(result_list: ET.Element | None) -> list[Node]:
    nodes = [_node(result) for result in _elements(result_list)]
    number_loops(nodes)
    return nodes


def _node(result: ET.Element) -> Node:
    ts = _prop(result, "TS")
    step_type = _value(ts, "StepType") or "Action"
    node = Node(name=_value(ts, "StepName") or "", step_type=step_type)
    node.group = _GROUPS.get((_value(ts, "StepGroup") or "").lower(), "M")
    node.status = _STATUS.get((_value(result, "Status") or "").lower())
    node.tot_time = _number(ts, "TotalTime")
    node.report_text = _value(result, "ReportText")
    error = _prop(result, "Error")
    if (_value(error, "Occurred") or "").lower() == "true":
        code = _number(error, "Code")
        node.error_code = int(code) if code is not None else None
        node.error_message = _value(error, "Msg")
    loop_index = _number(ts, "LoopIndex")
    loops = _number(ts, "NumLoops")
    if loop_index is not None:
        node.loop = LoopInfo(idx=int(loop_index))
    elif loops is not None:
        passed, failed = _number(ts, "NumPassed"), _number(ts, "NumFailed")
        node.loop = LoopInfo(
            num=int(loops),
            passed=None if passed is None else int(passed),
            failed=None if failed is None else int(failed),
        )
    call = _prop(ts, "SequenceCall")
    if call is not None or step_type in ("SequenceCall", "WATS_SeqCall"):
        node.children = _results(_prop(call, "ResultList"))
        node.seq_path = _value(call, "SequenceFile")
        node.seq_name = _value(call, "Sequence")
        node.seq_version = _value(call, "SequenceFileVersion")
    button = _number(result, "ButtonHit")
    if button is not None:
        node.popup = (_value(result, "Response"), int(button))
    exit_code = _number(result, "ExitCode")
    if exit_code is not None:
        node.call_exe = exit_code
    _measurements(node, result)
    return node


def _measurements(node: Node, result: ET.Element) -> None:
    numeric = _prop(result, "Numeric")
    string = _prop(result, "String")
    passfail = _prop(result, "PassFail")
    multi = _prop(result, "Measurement")
    if multi is not None and multi.get("Type") == "Array":
        for index, item in enumerate(_elements(multi)):
            meas = _numeric(item, "Data") or _string(item, "Data")
            if meas is not None:
                meas.name = item.get("Name") or _value(item, "MeasName") or f"Measurement {index}"
                status = _value(item, "Status")
                meas.status = _meas_status(status)
                node.measurements.append(meas)
    elif numeric is not None:
        meas = _numeric(result, "Numeric")
        if meas is not None:
            node.measurements.append(meas)
    elif string is not None and node.step_type != "Action":
        meas = _string(result, "String")
        if meas is not None:
            node.measurements.append(meas)
    elif passfail is not None:
        value = (_value(passfail) or "").lower() == "true"
        node.measurements.append(Meas("boolean", passed=value))
    if len(node.measurements) == 1 and node.status in (StepStatus.PASSED, StepStatus.FAILED):
        # the step's verdict is the measurement's verdict
        only = node.measurements[0]
        if only.status is None:
            only.status = (
                MeasurementStatus.PASSED
                if node.status is StepStatus.PASSED
                else MeasurementStatus.FAILED
            )


def _meas_status(text_value: str | None) -> MeasurementStatus | None:
    return {
        "passed": MeasurementStatus.PASSED,
        "failed": MeasurementStatus.FAILED,
        "skipped": MeasurementStatus.SKIPPED,
    }.get((text_value or "").lower())


def _numeric(owner: ET.Element, name: str) -> Meas | None:
    value = _number(owner, name)
    prop = _prop(owner, name)
    if value is None or prop is None or prop.get("Type") != "Number":
        return None
    comp = (_value(owner, "Comp") or "LOG").upper()
    limits = _prop(owner, "Limits")
    meas = Meas(
        "numeric",
        value=value,
        comp_op=comp,
        low=_number(limits, "Low"),
        high=_number(limits, "High"),
        unit=_value(owner, "Units"),
    )
    if comp in ("LT", "LE") and meas.low is None:
        meas.low, meas.high = meas.high, None
    return meas


def _string(owner: ET.Element, name: str) -> Meas | None:
    prop = _prop(owner, name)
    if prop is None or prop.get("Type") != "String":
        return None
    comp = (_value(owner, "Comp") or "").lower()
    limit = _value(owner, "Limits", "String")
    op = _STRING_COMPS.get(comp, "CASESENSIT" if limit is not None else "LOG")
    return Meas("string", value=_value(prop) or "", comp_op=op, limit=limit or "")


# ---------------------------------------------------------------------- simple XML


def _simple_report(root: ET.Element, context: ConversionContext) -> Unit:
    head = child(root, "Header")
    if head is None:
        raise ConversionError(
            "missing <Header> (serial and part number)", source=context.source.path
        )
    header = Header(
        sn=text(child(head, "SerialNumber")),
        pn=text(child(head, "PartNumber")),
        rev=text(child(head, "Revision")),
        operator=text(child(head, "Operator")),
    )
    code = text(child(head, "OperationTypeCode"))
    if code is not None:
        header.operation = code
    start_text = text(child(head, "StartDate"))
    header.start = parse_timestamp_text(start_text)
    if start_text and header.start is None:
        raise ConversionError(
            f"<StartDate> {start_text!r} is not a date and time", source=context.source.path
        )
    try:
        header.exec_time = parse_float(text(child(head, "ExecutionTime")))
    except ValueError:
        raise ConversionError(
            "<ExecutionTime> is not a number", source=context.source.path
        ) from None
    steps = [_simple_sequence(seq, context) for seq in children(root, "Sequence")]
    return Unit(header=header, steps=steps)


def _simple_sequence(sequence: ET.Element, context: ConversionContext) -> Node:
    name = sequence.get("Name") or ""
    node = Node(name=name, step_type="SequenceCall", children=[], seq_name=name)
    assert node.children is not None
    for test in sequence:
        kind = local(test)
        test_name = test.get("Name") or ""
        where = f"<{kind} Name={test_name!r}>"
        try:
            if kind == "NumericTest":
                low = parse_float(test.get("LowLim"))
                high = parse_float(test.get("HighLim"))
                value = parse_float(test.get("Measure"))
                if value is None:
                    raise ValueError("no Measure")
                op = default_comp_op(low, high)
                meas = Meas(
                    "numeric", value=value, comp_op=op, low=low, high=high, unit=test.get("Unit")
                )
                node.children.append(Node(test_name, "NumericLimitTest", measurements=[meas]))
            elif kind == "StringTest":
                limit = test.get("Limit")
                meas = Meas(
                    "string",
                    value=test.get("Measure") or "",
                    comp_op="CASESENSIT" if limit is not None else "LOG",
                    limit=limit,
                )
                node.children.append(Node(test_name, "StringValueTest", measurements=[meas]))
            elif kind == "PassFailTest":
                measure = (test.get("Measure") or "").strip().lower()
                if measure not in ("true", "false", "1", "0", "pass", "fail", "passed", "failed"):
                    raise ValueError(f"Measure {test.get('Measure')!r} is not true/false")
                passed = measure in ("true", "1", "pass", "passed")
                node.children.append(
                    Node(test_name, "PassFailTest", measurements=[Meas("boolean", passed=passed)])
                )
            elif kind == "Sequence":
                node.children.append(_simple_sequence(test, context))
        except ValueError as exc:
            raise ConversionError(
                f"sequence {name!r}: {where}: {exc}", source=context.source.path
            ) from None
    return node
