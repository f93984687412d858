"""WRML, the older XML report format of Virinco's WATS Client (UUT and UUR).

``<Reports xmlns="http://wats.virinco.com/schemas/WATS/Report"><Report type="UUT|UUR" …>``.
A UUT report is flat: every ``<Step StepID ParentStepID …>`` is a child of ``<Report>`` and
its payload elements (``SequenceCall``, ``NumericLimit``, ``PassFail``, ``StringValue``,
``Chart``, …) are siblings pointing back with ``StepID``. Charts are a header
(``idx="0"``) plus series whose ``Data`` is base64 of little-endian float64 pairs
``x0,y0,x1,y1…``; attachments travel as ``ChartType="ATTACHMENT"`` charts. A UUR report
has ``<UUR>`` (with the test operation), ``<ReportUnitHierarchy>`` and ``<Failures>``.
"""

from __future__ import annotations

import base64
import binascii
import math
import struct
import uuid
import xml.etree.ElementTree as ET
from collections import defaultdict

from pywats.report import (
    Attachment,
    Chart,
    ChartSeries,
    LoopInfo,
    MeasurementStatus,
    Report,
    ReportResult,
    SubUnit,
    UURBuilder,
)

from .._sdk import ConversionContext, ConversionError, Converter, SourceFile
from .._xml import parse_xml
from ._emit import StandardParameters, build_report, resolve_process
from ._tree import Header, Meas, Node, Unit, number_loops
from ._values import REPORT_RESULTS, STEP_STATUSES, parse_float, parse_timestamp_text
from ._xmltools import child, children, local, text

__all__ = ["WrmlConverter", "WrmlParameters"]

WRML_NAMESPACE = "http://wats.virinco.com/schemas/WATS/Report"

_MEAS = {
    "passed": MeasurementStatus.PASSED,
    "failed": MeasurementStatus.FAILED,
    "skipped": MeasurementStatus.SKIPPED,
    "done": MeasurementStatus.PASSED,
}
_GROUPS = {"setup": "S", "cleanup": "C"}


class WrmlParameters(StandardParameters):
    """Settings of the WRML converter (see :class:`StandardParameters`).

    WRML files carry their own station identity (``MachineName``, ``Location``,
    ``Purpose``); ``station_from_file`` (default true) keeps it.
    """


class WrmlConverter(Converter[WrmlParameters]):
    """WATS Client WRML reports (UUT and UUR)."""

    name = "wrml"
    patterns = ("*.xml", "*.XML", "*.wrml")
    description = "WATS Client WRML XML reports (UUT and UUR)"

    def convert(self, source: SourceFile, context: ConversionContext) -> list[Report]:
        root = parse_xml(source)
        if local(root) != "Reports" or not root.tag.startswith("{" + WRML_NAMESPACE + "}"):
            raise ConversionError(
                f"not a WRML document (root element <{local(root)}>, expected <Reports> in "
                f"{WRML_NAMESPACE})",
                source=source.path,
            )
        reports: list[Report] = []
        for index, report in enumerate(children(root, "Report")):
            kind = (report.get("type") or "").upper()
            if kind == "UUT":
                unit = _uut(report, index, context)
                reports.append(build_report(unit, self.parameters, context))
            elif kind == "UUR":
                reports.append(_uur(report, index, self.parameters, context))
            else:
                raise ConversionError(
                    f"Report {index}: type {report.get('type')!r} is not UUT or UUR",
                    source=source.path,
                )
        if not reports:
            raise ConversionError("the file holds no <Report>", source=source.path)
        return reports


def _fail(context: ConversionContext, message: str) -> ConversionError:
    return ConversionError(message, source=context.source.path)


def _header(report: ET.Element, index: int, context: ConversionContext) -> Header:
    label = f"Report {index}"
    header = Header(
        sn=report.get("SN"),
        pn=report.get("PN"),
        rev=report.get("Rev"),
        station=report.get("MachineName"),
        location=report.get("Location"),
        purpose=report.get("Purpose"),
    )
    for name in ("SN", "PN"):
        if not (report.get(name) or "").strip():
            raise _fail(context, f"{label}: missing the {name} attribute")
    ident = report.get("ID")
    if ident:
        try:
            header.report_id = str(uuid.UUID(ident))
        except ValueError:
            raise _fail(context, f"{label}: ID {ident!r} is not a GUID") from None
    start = report.get("Start")
    header.start = parse_timestamp_text(start) or parse_timestamp_text(report.get("Start_utc"))
    if header.start is None:
        raise _fail(context, f"{label}: missing or invalid Start ({start!r})")
    result = (report.get("Result") or "").lower()
    if result:
        header.result = REPORT_RESULTS.get(result)
        if header.result is None:
            raise _fail(context, f"{label}: Result {report.get('Result')!r} is not a WATS result")
    process = child(report, "Process")
    if process is not None and process.get("Code"):
        header.operation = process.get("Code")
    for info in children(report, "MiscInfo"):
        description = info.get("Description")
        if not description:
            continue
        numeric = info.get("Numeric")
        if info.text is not None and info.text.strip():
            header.misc.append((description, info.text.strip()))
        elif numeric is not None and numeric.strip().lstrip("-").isdigit():
            header.misc.append((description, int(numeric)))
    return header


def _number(element: ET.Element, name: str, context: ConversionContext, what: str) -> float | None:
    try:
        return parse_float(element.get(name))
    except ValueError:
        raise _fail(context, f"{what}: {name}={element.get(name)!r} is not a number") from None


def _uut(report: ET.Element, index: int, context: ConversionContext) -> Unit:
    header = _header(report, index, context)
    uut = child(report, "UUT")
    if uut is not None:
        header.operator = uut.get("UserLoginName")
        header.batch_sn = uut.get("BatchSN")
        header.fixture_id = uut.get("FixtureId")
        header.error_message = uut.get("ErrorMessage")
        header.comment = text(child(uut, "Comment"))
        what = f"Report {index} <UUT>"
        header.exec_time = _number(uut, "ExecutionTime", context, what)
        socket = _number(uut, "TestSocketIndex", context, what)
        header.test_socket_index = None if socket is None else int(socket)
        code = _number(uut, "ErrorCode", context, what)
        header.error_code = None if code is None else int(code)
    for part in children(report, "PartInfo"):
        pn, sn = part.get("PN") or "", part.get("SN") or ""
        if pn and sn:
            header.sub_units.append((part.get("PartType") or "", pn, sn, part.get("Rev") or ""))

    nodes: dict[str, Node] = {}
    parents: dict[str, str | None] = {}
    order: list[str] = []
    payload: dict[str, list[ET.Element]] = defaultdict(list)
    for element in report:
        kind = local(element)
        step_id = element.get("StepID")
        if kind == "Step":
            if not step_id:
                raise _fail(context, f"Report {index}: a <Step> without StepID")
            if step_id in nodes:
                raise _fail(context, f"Report {index}: StepID {step_id} appears twice")
            nodes[step_id] = _step(element)
            parents[step_id] = element.get("ParentStepID")
            order.append(step_id)
        elif step_id is not None:
            payload[step_id].append(element)
    for step_id, elements in payload.items():
        if step_id not in nodes:
            raise _fail(
                context, f"Report {index}: <{local(elements[0])} StepID={step_id}> has no <Step>"
            )
        _payload(nodes[step_id], elements, context, f"step {nodes[step_id].name!r}")

    roots = [sid for sid in order if not parents[sid]]
    if len(roots) != 1:
        raise _fail(
            context,
            f"Report {index}: expected one root <Step> (no ParentStepID), found {len(roots)}",
        )
    for step_id in order:
        parent = parents[step_id]
        if not parent:
            continue
        owner = nodes.get(parent)
        if owner is None:
            raise _fail(
                context,
                f"Report {index}: step {step_id} names ParentStepID {parent}, which does not exist",
            )
        if owner.children is None:
            owner.children = []
        owner.children.append(nodes[step_id])
    for node in nodes.values():
        if node.children:
            number_loops(node.children)
    main = nodes[roots[0]]
    header.sequence_name = main.seq_name or main.name
    header.sequence_path = main.seq_path
    header.sequence_version = main.seq_version
    steps = main.children or []
    number_loops(steps)
    return Unit(header=header, steps=steps, root_status=main.status, key=index)


def _step(element: ET.Element) -> Node:
    node = Node(name=element.get("Name") or "", step_type=element.get("StepType") or "Action")
    node.status = STEP_STATUSES.get((element.get("Status") or "").lower())
    node.group = _GROUPS.get((element.get("Group") or "").lower(), "M")
    try:
        node.tot_time = parse_float(element.get("total_time"))
    except ValueError:
        node.tot_time = None
    code = element.get("StepErrorCode")
    if code and code.strip().lstrip("-").isdigit():
        node.error_code = int(code)
    node.error_message = element.get("StepErrorMessage") or None
    loop = child(element, "Loop")
    if loop is not None and loop.attrib:
        if loop.get("index") is not None:
            node.loop = LoopInfo(idx=int(loop.get("index") or 0))
        elif loop.get("num") is not None:
            node.loop = LoopInfo(
                num=int(loop.get("num") or 0),
                passed=int(loop.get("passed") or 0),
                failed=int(loop.get("failed") or 0),
            )
    report_text = text(child(element, "ReportText"))
    if report_text:
        node.report_text = report_text
    if node.step_type in ("SequenceCall", "WATS_SeqCall"):
        node.children = []
    return node


def _payload(node: Node, elements: list[ET.Element], context: ConversionContext, what: str) -> None:
    charts: list[ET.Element] = []
    for element in elements:
        kind = local(element)
        if kind == "SequenceCall":
            node.seq_name = element.get("Name")
            node.seq_version = element.get("Version")
            node.seq_path = element.get("Filepath") or element.get("Filename")
            if node.children is None:
                node.children = []
        elif kind == "NumericLimit":
            value = _number(element, "NumericValue", context, what)
            node.measurements.append(
                Meas(
                    "numeric",
                    name=element.get("Name"),
                    value=math.nan if value is None else value,
                    comp_op=(element.get("CompOperator") or "LOG").upper(),
                    low=_number(element, "LowLimit", context, what),
                    high=_number(element, "HighLimit", context, what),
                    unit=element.get("Units"),
                    status=_MEAS.get((element.get("Status") or "").lower()),
                )
            )
        elif kind == "StringValue":
            node.measurements.append(
                Meas(
                    "string",
                    name=element.get("Name"),
                    value=element.get("StringValue") or text(element) or "",
                    comp_op=(element.get("CompOperator") or "LOG").upper(),
                    limit=element.get("StringLimit"),
                    status=_MEAS.get((element.get("Status") or "").lower()),
                )
            )
        elif kind == "PassFail":
            status = _MEAS.get((element.get("Status") or "").lower())
            node.measurements.append(
                Meas(
                    "boolean",
                    name=element.get("Name"),
                    status=status,
                    passed=status is not MeasurementStatus.FAILED,
                )
            )
        elif kind == "Chart":
            charts.append(element)
        elif kind == "MessagePopup":
            button = _number(element, "Button", context, what)
            node.popup = (element.get("Response"), int(button or 0))
        elif kind in ("Callexe", "CallExe"):
            node.call_exe = _number(element, "ExitCode", context, what)
        elif kind == "ReportText":
            node.report_text = text(element)
    if charts:
        _charts(node, charts, context, what)


def _charts(node: Node, charts: list[ET.Element], context: ConversionContext, what: str) -> None:
    head = next((c for c in charts if (c.get("idx") or "0") == "0"), None)
    series = [c for c in charts if c is not head]
    if head is not None and (head.get("ChartType") or "").upper() == "ATTACHMENT":
        carrier = series[0] if series else None
        content = "".join((text(child(carrier, "Data")) or "").split())
        try:
            base64.b64decode(content, validate=True)
        except (binascii.Error, ValueError):
            raise _fail(context, f"{what}: the attachment's Data is not base64") from None
        node.attachment = Attachment(
            name=head.get("Label") or node.name,
            contentType=(carrier.get("PlotName") if carrier is not None else None)
            or "application/octet-stream",
            data=content,
        )
        return
    chart = Chart(
        chartType=(head.get("ChartType") if head is not None else None) or "Line",
        label=head.get("Label") if head is not None else node.name,
        xLabel=head.get("XLabel") if head is not None else None,
        xUnit=head.get("XUnit") if head is not None else None,
        yLabel=head.get("YLabel") if head is not None else None,
        yUnit=head.get("YUnit") if head is not None else None,
        series=[],
    )
    for item in series:
        raw = "".join((text(child(item, "Data")) or "").split())
        try:
            data = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            raise _fail(
                context, f"{what}: chart series {item.get('PlotName')!r} is not base64"
            ) from None
        if len(data) % 16:
            raise _fail(
                context,
                f"{what}: chart series {item.get('PlotName')!r} holds {len(data)} bytes, "
                "not whole (x, y) pairs of float64",
            )
        values = struct.unpack(f"<{len(data) // 8}d", data)
        assert chart.series is not None
        chart.series.append(
            ChartSeries(
                dataType=item.get("DataType") or "XYG",
                name=item.get("PlotName"),
                xdata=";".join(_num(v) for v in values[0::2]),
                ydata=";".join(_num(v) for v in values[1::2]),
            )
        )
    node.chart = chart


def _num(value: float) -> str:
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _uur(
    report: ET.Element, index: int, params: WrmlParameters, context: ConversionContext
) -> Report:
    header = _header(report, index, context)
    label = f"Report {index}"
    info = child(report, "UUR")
    if info is None:
        raise _fail(context, f"{label}: a UUR report needs a <UUR> element")
    test_process = child(info, "Process")
    test_code_text = test_process.get("Code") if test_process is not None else None
    if not test_code_text:
        raise _fail(context, f"{label}: <UUR> names no test operation (<Process Code>)")
    operation = params.operation if params.operation not in (None, "") else header.operation
    code, process_name = resolve_process(context, operation)
    test_code, _ = resolve_process(context, test_code_text)
    station = context.station
    machine = header.station if params.station_from_file and header.station else None
    builder = UURBuilder(
        pn=(header.pn or "").strip(),
        sn=(header.sn or "").strip(),
        rev=(header.rev or "").strip() or params.default_revision,
        process_code=code,
        process_name=process_name,
        test_process_code=test_code,
        machine_name=machine or station.machine_name,
        location=(header.location if params.station_from_file and header.location else None)
        or station.location,
        purpose=(header.purpose if params.station_from_file and header.purpose else None)
        or station.purpose,
        operator=info.get("UserLoginName") or context.operator or None,
        comment=text(child(info, "Comment")),
        start=header.start,
        report_id=header.report_id or context.report_id(index),
        result=header.result or ReportResult.PASSED,
    )
    for description, value in header.misc:
        builder.misc_info(description, value)
    units = list(children(report, "ReportUnitHierarchy"))
    known = {0}
    for unit in units:
        idx_text = unit.get("Idx") or ""
        if not idx_text.isdigit():
            raise _fail(context, f"{label}: <ReportUnitHierarchy> Idx {idx_text!r} is not a number")
        idx = int(idx_text)
        if idx == 0:
            main = builder.sub_units[0]
            main.part_type = unit.get("PartType") or main.part_type
            continue
        parent = unit.get("ParentIDX") or "0"
        replaced = unit.get("ReplacedIDX")
        sub = SubUnit(
            partType=unit.get("PartType") or "",
            pn=unit.get("PN") or "",
            sn=unit.get("SN") or "",
            rev=unit.get("Rev") or params.default_revision,
            idx=idx,
            parentIdx=int(parent) if parent.isdigit() else 0,
        )
        if replaced and replaced.isdigit():
            sub.replaced_idx = int(replaced)
        builder.sub_units.append(sub)
        known.add(idx)
    for failure in children(report, "Failures"):
        part = failure.get("PartIdx") or "0"
        if not part.isdigit() or int(part) not in known:
            raise _fail(context, f"{label}: a failure names PartIdx {part!r}, which is no unit")
        step_id = failure.get("StepID")
        builder.failure(
            failure.get("Category") or "",
            failure.get("Code") or "",
            idx=int(part),
            comment=text(child(failure, "Comment")),
            com_ref=failure.get("CompRef") or None,
            ref_step_id=int(step_id) if step_id and step_id.isdigit() else None,
        )
    return builder.build()
