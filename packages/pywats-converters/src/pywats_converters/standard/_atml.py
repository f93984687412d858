"""IEEE ATML test results (1636.1: ATML 2.02, 5.00, 6.01) as NI TestStand writes them.

One ``TestResults`` element is one UUT; a ``TestResultsCollection`` (5.00/6.01, and
TestStand batch reports) holds several, and each becomes its own report. TestStand's
extension elements (``ts:TSStepProperties``: step type, group, loop properties, times;
``ts:TSResultSetProperties``: test socket, batch serial number) fill in what ATML itself
does not carry.
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from typing import Literal

from pywats.report import LoopInfo, MeasurementStatus, Report, ReportResult, StepStatus

from .._sdk import ConversionContext, ConversionError, Converter, SourceFile
from .._xml import parse_xml
from ._emit import StandardParameters, build_report
from ._tree import Header, Meas, Node, Unit, number_loops
from ._values import REPORT_RESULTS, STEP_STATUSES, TWO_LIMIT_OPS, parse_float, parse_timestamp_text
from ._xmltools import XSI_TYPE, child, children, local, path, text

__all__ = ["AtmlConverter", "AtmlParameters"]

_STEP_ELEMENTS = ("Test", "TestGroup", "SessionAction")
_SEQUENCE_TYPES = {"SequenceCall", "WATS_SeqCall"}
_LOOP_SUFFIX = re.compile(r"\s*\(Loop Index:\s*\d+\)\s*$")
_CALLER = re.compile(r"SequenceCallStepName\s*=\s*'(.*)'")
_GROUPS = {"setup": "S", "cleanup": "C"}
_STEP_STATUS = {
    **STEP_STATUSES,
    "notstarted": StepStatus.SKIPPED,
    "aborted": StepStatus.TERMINATED,
    "errored": StepStatus.ERROR,
}
_RESULTS = {
    **REPORT_RESULTS,
    "done": ReportResult.PASSED,
    "aborted": ReportResult.TERMINATED,
    "errored": ReportResult.ERROR,
}
_MEAS_STATUS = {
    "passed": MeasurementStatus.PASSED,
    "failed": MeasurementStatus.FAILED,
    "skipped": MeasurementStatus.SKIPPED,
}
# ATML comparators -> WATS string compOp
_STRING_OPS = {"EQ": "CASESENSIT", "CIEQ": "IGNORECASE", "NE": "NE", "CINE": "NE"}
# names of TestStand's multi-measurement "Comp" values
_COMP_WORDS = {
    "equal": "EQ",
    "log": "LOG",
    "ignorecase": "IGNORECASE",
    "casesensitive": "CASESENSIT",
}


class AtmlParameters(StandardParameters):
    """Settings of the ATML converter (see :class:`StandardParameters`).

    * ``part_number_source``: where the part number comes from: ``"identification"``
      (default; the UUT's ``IdentificationNumber`` of type ``Part``) or ``"model_name"``
      (the UUT's ``c:ModelName``, for sequences that put the part number there).
    """

    part_number_source: Literal["identification", "model_name"] = "identification"
    """Where the part number comes from: the UUT's identification or its model name."""


class AtmlConverter(Converter[AtmlParameters]):
    """ATML 2.02 / 5.00 / 6.01 test results from TestStand, batch reports included."""

    name = "atml"
    patterns = ("*.xml", "*.XML", "*.atml")
    description = "IEEE ATML 2.02/5.00/6.01 test results (NI TestStand), one report per UUT"

    def convert(self, source: SourceFile, context: ConversionContext) -> list[Report]:
        root = parse_xml(source)
        units = read_atml(root, context, part_number_source=self.parameters.part_number_source)
        return [build_report(unit, self.parameters, context) for unit in units]


def read_atml(
    root: ET.Element,
    context: ConversionContext,
    *,
    part_number_source: Literal["identification", "model_name"] = "identification",
) -> list[Unit]:
    """Every UUT of an ATML document as a :class:`Unit`."""
    where = context.source.path
    namespace = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
    if "TestResults" not in namespace and "ATML" not in namespace:
        raise ConversionError(
            f"not an ATML test results document (root element <{local(root)}>)", source=where
        )
    kind = local(root)
    batch_sn: str | None = None
    if kind == "TestResults":
        results = [root]
    elif kind == "TestResultsCollection":
        results = list(children(root, "TestResults"))
        table = path(root, "Extension", "TSBatchTable")
        if table is not None:
            batch_sn = (table.get("batchSerialNumber") or "").strip() or None
    else:
        raise ConversionError(
            f"not an ATML test results document (root element <{kind}>)", source=where
        )
    if not results:
        raise ConversionError("the collection holds no TestResults (no UUT)", source=where)
    return [
        _unit(result, index, batch_sn, context, part_number_source)
        for index, result in enumerate(results)
    ]


def _unit(
    result: ET.Element,
    index: int,
    batch_sn: str | None,
    context: ConversionContext,
    part_number_source: str,
) -> Unit:
    where = context.source.path
    label = f"TestResults[{index}]"
    result_set = child(result, "ResultSet")
    if result_set is None:
        raise ConversionError(f"{label} has no ResultSet (no test steps)", source=where)
    uut = child(result, "UUT")
    sn = text(child(uut, "SerialNumber"))
    if sn is None:
        raise ConversionError(
            f"{label}: missing UUT/SerialNumber (the unit's serial number)", source=where
        )
    header = Header(sn=sn, report_id=_guid(result.get("uuid")))
    identification = path(uut, "Definition", "Identification")
    if part_number_source == "model_name":
        header.pn = text(child(identification, "ModelName"))
    numbers = child(identification, "IdentificationNumbers")
    for number in children(
        numbers if part_number_source == "identification" else None, "IdentificationNumber"
    ):
        if (number.get("type") or "").lower() == "part" and (number.get("number") or "").strip():
            header.pn = (number.get("number") or "").strip()
            break
    operator = child(child(result, "Personnel"), "SystemOperator")
    if operator is not None:
        header.operator = operator.get("name") or operator.get("ID")
    header.station = text(child(child(result, "TestStation"), "SerialNumber"))
    start = parse_timestamp_text(result_set.get("startDateTime"))
    end = parse_timestamp_text(result_set.get("endDateTime"))
    if start is None:
        raise ConversionError(
            f"{label}: the ResultSet has no valid startDateTime "
            f"({result_set.get('startDateTime')!r})",
            source=where,
        )
    header.start = start
    if end is not None:
        header.exec_time = (end - start).total_seconds()
    outcome = child(result_set, "Outcome")
    header.result = _result(outcome)
    properties = path(result, "Extension", "TSResultSetProperties")
    socket = _value(child(properties, "TestSocketIndex"))
    if socket is not None:
        header.test_socket_index = int(socket)
    header.batch_sn = _attr(child(properties, "BatchSerialNumber"), "value") or batch_sn

    # ATML 2.02 wraps the main sequence in a TestGroup; 5.00/6.01 make it the ResultSet.
    main = result_set
    groups = list(children(result_set, *_STEP_ELEMENTS))
    if _props(result_set) is None and len(groups) == 1 and local(groups[0]) == "TestGroup":
        main = groups[0]
    file_path, _, sequence = (main.get("name") or "").rpartition("#")
    header.sequence_name = sequence or "MainSequence"
    header.sequence_path = file_path or None
    root_status = _step_status(child(main, "Outcome")) or _status_from_result(header.result)
    steps = _steps(main)
    return Unit(header=header, steps=steps, root_status=root_status, key=index)


def _steps(parent: ET.Element) -> list[Node]:
    nodes = [_node(element) for element in children(parent, *_STEP_ELEMENTS)]
    number_loops(nodes)
    return nodes


def _node(element: ET.Element) -> Node:
    kind = local(element)
    props = _props(element)
    step_type = text(child(props, "StepType")) or {
        "TestGroup": "SequenceCall",
        "SessionAction": "Action",
    }.get(kind, "Action")
    name = element.get("name") or ""
    node = Node(name=name, step_type=step_type)
    node.group = _GROUPS.get((text(child(props, "StepGroup")) or "").lower(), "M")
    node.status = _step_status(child(element, "Outcome", "ActionOutcome"))
    node.start = parse_timestamp_text(element.get("startDateTime"))
    total = _value(child(props, "TotalTime"))
    if total is not None:
        node.tot_time = total
    else:
        end = parse_timestamp_text(element.get("endDateTime"))
        if node.start is not None and end is not None:
            node.tot_time = (end - node.start).total_seconds()
    caused = child(props, "StepCausedSequenceFailure")
    if caused is not None:
        node.caused_seq_failure = (caused.get("value") or "").lower() == "true"
    _loop(node, child(props, "LoopingProperties"))
    if kind == "TestGroup" or step_type in _SEQUENCE_TYPES:
        _sequence(node, element)
    _data(node, child(element, "Data"))
    _results(node, element, kind)
    return node


def _sequence(node: Node, element: ET.Element) -> None:
    file_path, _, sequence = (element.get("name") or "").rpartition("#")
    caller = element.get("callerName")
    if not caller:
        match = _CALLER.search(element.get("userDefinedType") or "")
        caller = match.group(1) if match else None
    if local(element) == "TestGroup":
        node.name = caller or sequence or node.name
        node.seq_path = file_path or None
        node.seq_name = sequence or None
    node.children = _steps(element) if local(element) == "TestGroup" else []


def _loop(node: Node, looping: ET.Element | None) -> None:
    if looping is None:
        return
    index = _value(child(looping, "LoopIndex"))
    if index is not None:
        node.loop = LoopInfo(idx=int(index))
        node.name = _LOOP_SUFFIX.sub("", node.name)
        return
    count = _value(child(looping, "NumLoops"))
    passed = _value(child(looping, "NumPassed"))
    failed = _value(child(looping, "NumFailed"))
    node.loop = LoopInfo(
        num=None if count is None else int(count),
        passed=None if passed is None else int(passed),
        failed=None if failed is None else int(failed),
    )


def _data(node: Node, data: ET.Element | None) -> None:
    """SessionAction/Test ``Data``: report text, message popup, call executable, the rest."""
    button: int | None = None
    response: str | None = None
    for item in children(child(data, "Collection"), "Item"):
        name = item.get("name") or ""
        datum = child(item, "Datum")
        if datum is None:
            continue
        kind, value = _datum(datum)
        if name == "ReportText" and isinstance(value, str):
            node.report_text = value
        elif name == "ButtonHit" and isinstance(value, float):
            button = int(value)
        elif name == "Response" and isinstance(value, str):
            response = value
        elif name == "ExitCode" and isinstance(value, float):
            node.call_exe = value
        elif value is not None:
            node.additional.append((name, kind, _text_of(value)))
    if button is not None or response is not None:
        node.popup = (response, button or 0)


def _results(node: Node, element: ET.Element, kind: str) -> None:
    scalars: list[tuple[ET.Element, str, ET.Element]] = []
    limits_item: dict[str, float | str | None] | None = None
    for result in children(element, "TestResult"):
        name = result.get("name") or result.get("ID") or ""
        data = child(result, "TestData")
        datum = child(data, "Datum")
        collection = child(data, "Collection")
        if datum is not None:
            if name == "ReportText":
                node.report_text = _text_of(_datum(datum)[1])
            else:
                scalars.append((result, name, datum))
        elif collection is not None and name == "Measurement":
            node.measurements.extend(_multi(collection))
        elif collection is not None and name == "Limits":
            limits_item = _collection(collection)
    measured = [s for s in scalars if _has_verdict(s[0])]
    if not measured and scalars and kind == "Test" and not node.measurements:
        measured = scalars[:1]
    for result, name, datum in scalars:
        if not any(result is m[0] for m in measured):
            dtype, value = _datum(datum)
            if value is not None:
                node.additional.append((name, dtype, _text_of(value)))
    single = len(measured) == 1 and not node.measurements
    for result, name, datum in measured:
        meas = _measurement(result, datum, None if single else name)
        if meas is not None:
            node.measurements.append(meas)
    if limits_item is not None and len(node.measurements) == 1:
        _apply_limits(node.measurements[0], limits_item)
    if (
        not node.measurements
        and kind == "Test"
        and _is_pass_fail(node.step_type)
        and node.status in (StepStatus.PASSED, StepStatus.FAILED)
    ):
        # TestStand omits the boolean of a pass/fail step; its outcome is the measurement
        node.measurements.append(Meas("boolean", passed=node.status is StepStatus.PASSED))


def _is_pass_fail(step_type: str) -> bool:
    return step_type in ("PassFailTest", "ET_PFT") or "passfail" in step_type.lower()


def _has_verdict(result: ET.Element) -> bool:
    return child(result, "TestLimits") is not None or child(result, "Outcome") is not None


def _measurement(result: ET.Element, datum: ET.Element, name: str | None) -> Meas | None:
    dtype, value = _datum(datum)
    status = _MEAS_STATUS.get(_attr(child(result, "Outcome"), "value").lower())
    limits = path(result, "TestLimits", "Limits")
    if dtype == "boolean":
        return Meas("boolean", name=name, status=status, passed=bool(value))
    if dtype == "string":
        meas = Meas("string", name=name, value=_text_of(value), status=status)
        expected = child(limits, "Expected")
        if expected is not None:
            meas.comp_op = _STRING_OPS.get((expected.get("comparator") or "EQ").upper(), "LOG")
            limit_datum = child(expected, "Datum")
            meas.limit = _text_of(_datum(limit_datum)[1]) if limit_datum is not None else ""
        return meas
    if not isinstance(value, float):
        return None
    meas = Meas("numeric", name=name, value=value, status=status, unit=_unit_of(datum))
    _numeric_limits(meas, limits)
    return meas


def _numeric_limits(meas: Meas, limits: ET.Element | None) -> None:
    if limits is None:
        return
    single = child(limits, "SingleLimit")
    pair = child(limits, "LimitPair")
    expected = child(limits, "Expected")
    if single is not None:
        meas.comp_op = (single.get("comparator") or "LOG").upper()
        meas.low = _limit_value(single)
    elif pair is not None:
        bounds = list(children(pair, "Limit"))
        if len(bounds) == 2:
            ops = [(b.get("comparator") or "").upper() for b in bounds]
            values = [_limit_value(b) for b in bounds]
            op = ops[0] + ops[1]
            if op in TWO_LIMIT_OPS:
                meas.comp_op, meas.low, meas.high = op, values[0], values[1]
            elif ops[1] + ops[0] in TWO_LIMIT_OPS:
                meas.comp_op, meas.low, meas.high = ops[1] + ops[0], values[1], values[0]
    elif expected is not None:
        op = (expected.get("comparator") or "EQ").upper()
        meas.comp_op = {"CIEQ": "EQ", "CINE": "NE"}.get(op, op)
        meas.low = _limit_value(expected)
    if meas.unit is None:
        for datum in limits.iter():
            if local(datum) == "Datum" and _unit_of(datum):
                meas.unit = _unit_of(datum)
                break


def _apply_limits(meas: Meas, item: dict[str, float | str | None]) -> None:
    """The WATS TestStand add-on's ``Limits`` container (Low/High, no comparator).

    The add-on's numeric step compares low <= value <= high by default, so the limits are
    reported as ``GELE`` (one limit: ``GE``); the tester's verdict is kept as given.
    """
    if meas.kind != "numeric" or meas.comp_op != "LOG":
        return
    low, high = item.get("Low"), item.get("High")
    if isinstance(low, float) and isinstance(high, float):
        meas.comp_op, meas.low, meas.high = "GELE", low, high
    elif isinstance(low, float):
        meas.comp_op, meas.low = "GE", low


def _multi(collection: ET.Element) -> list[Meas]:
    """TestStand's multi pass/fail or multi string container (``Measurement[i]`` items)."""
    found: list[Meas] = []
    for item in children(collection, "Item"):
        fields = _collection(child(item, "Collection"))
        name = _text_of(fields.get("MeasName")) or item.get("name")
        status = _MEAS_STATUS.get(_text_of(fields.get("Status")).lower())
        if "StringData" in fields:
            comp = _COMP_WORDS.get(_text_of(fields.get("Comp")).lower(), "LOG")
            limit = _text_of(fields.get("StringLimit"))
            found.append(
                Meas(
                    "string",
                    name=name,
                    value=_text_of(fields.get("StringData")),
                    comp_op=comp,
                    limit=limit if comp != "LOG" else None,
                    status=status,
                )
            )
        elif "PassFail" in fields:
            passed = fields.get("PassFail")
            found.append(Meas("boolean", name=name, passed=passed == 1.0, status=status))
        elif isinstance(fields.get("Data"), float):
            found.append(Meas("numeric", name=name, value=fields["Data"], status=status))
    return found


def _collection(collection: ET.Element | None) -> dict[str, float | str | None]:
    values: dict[str, float | str | None] = {}
    for item in children(collection, "Item"):
        datum = child(item, "Datum")
        if datum is not None:
            values[item.get("name") or ""] = _datum(datum)[1]
    return values


def _datum(datum: ET.Element) -> tuple[str, float | str | None]:
    """``(kind, value)`` of a ``c:Datum``: numbers as float, booleans as 1.0/0.0."""
    dtype = (datum.get(XSI_TYPE) or "").split(":")[-1].lower().removeprefix("ts_")
    raw = datum.get("value")
    if raw is None:
        raw_text = child(datum, "Value")
        raw = raw_text.text if raw_text is not None and raw_text.text is not None else None
    if dtype == "boolean":
        return "boolean", 1.0 if (raw or "").strip().lower() in ("true", "1") else 0.0
    if dtype == "string" or dtype == "":
        return "string", raw if raw is not None else ""
    try:
        return "numeric", parse_float(raw)
    except ValueError:
        return "string", raw


def _text_of(value: float | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() else repr(value)
    return value


def _unit_of(datum: ET.Element) -> str | None:
    return datum.get("nonStandardUnit") or datum.get("standardUnit") or None


def _limit_value(limit: ET.Element) -> float | None:
    datum = child(limit, "Datum")
    if datum is None:
        return None
    value = _datum(datum)[1]
    return value if isinstance(value, float) else None


def _attr(element: ET.Element | None, name: str) -> str:
    return "" if element is None else (element.get(name) or "").strip()


def _props(element: ET.Element) -> ET.Element | None:
    return path(element, "Extension", "TSStepProperties")


def _value(element: ET.Element | None) -> float | None:
    if element is None:
        return None
    try:
        return parse_float(element.get("value"))
    except ValueError:
        return None


def _step_status(outcome: ET.Element | None) -> StepStatus | None:
    if outcome is None:
        return None
    value = (outcome.get("value") or "").lower()
    qualifier = (outcome.get("qualifier") or "").lower()
    if qualifier == "skipped":
        return StepStatus.SKIPPED
    if value == "userdefined":
        return _STEP_STATUS.get(qualifier, StepStatus.DONE)
    return _STEP_STATUS.get(value)


def _result(outcome: ET.Element | None) -> ReportResult | None:
    if outcome is None:
        return None
    value = (outcome.get("value") or "").lower()
    if value == "userdefined":
        value = (outcome.get("qualifier") or "").lower()
    return _RESULTS.get(value)


def _status_from_result(result: ReportResult | None) -> StepStatus | None:
    if result is None:
        return None
    return {
        ReportResult.PASSED: StepStatus.PASSED,
        ReportResult.FAILED: StepStatus.FAILED,
        ReportResult.ERROR: StepStatus.ERROR,
        ReportResult.TERMINATED: StepStatus.TERMINATED,
    }[result]


def _guid(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None
