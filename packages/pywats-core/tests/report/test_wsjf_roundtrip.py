"""WSJF parse -> dump is lossless on real files and on the tricky cases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pywats.report import (
    CompOp,
    Report,
    ReportFormatError,
    Step,
    StepKind,
    detect_format,
    dump_wsjf,
    dumps_wsjf,
    parse_report,
    parse_timestamp,
    parse_wsjf,
)


@pytest.mark.reference_files(
    "olreppe-pyWATS/server-exports/*.json", "olreppe-pyWATS/virinco-examples/*.json"
)
def test_reference_wsjf_round_trips_losslessly(
    reference_file: Path, canonical_enums: Any, json_differences: Any
) -> None:
    raw = reference_file.read_bytes()
    source = json.loads(raw)
    report = parse_wsjf(raw)

    dumped = dump_wsjf(report)
    assert json_differences(dumped, canonical_enums(source)) == []
    # bytes form says the same thing
    assert json_differences(json.loads(dumps_wsjf(report)), dumped) == []
    # and a second trip changes nothing
    assert json_differences(dump_wsjf(parse_wsjf(dumps_wsjf(report))), dumped) == []


def test_export_keeps_what_pywats_api_lost(reference_dir: Path) -> None:
    raw = (reference_dir / "olreppe-pyWATS/server-exports/uut-wsjf-export.json").read_bytes()
    dumped = dump_wsjf(parse_wsjf(raw))
    assert dumped["origin"] == "4C5F70D62FF4"
    assert dumped["processName"] == "SW Debug"
    assert dumped["startUTC"] == "2026-01-30T21:01:41.4707353Z"
    assert dumped["start"] == "2026-01-30T22:01:41.4707353+01:00"
    assert [unit["position"] for unit in dumped["subUnits"]] == [0, 0]
    loop = dumped["root"]["steps"][5]["steps"][0]["steps"][0]["loop"]
    assert loop == {"idx": None, "num": 3, "endingIndex": 3, "passed": 1, "failed": 2}
    nulls = raw.count(b":null")
    assert nulls > 300
    assert json.dumps(dumped, separators=(",", ":")).count(":null") == nulls


def test_enum_spelling_is_the_only_canonicalisation(reference_dir: Path) -> None:
    path = reference_dir / "olreppe-pyWATS/virinco-examples/WATS - WSJF UUT Example file.json"
    source = json.loads(path.read_bytes())
    step = source["root"]["steps"][2]["steps"][0]
    assert step["stringMeas"][0]["compOp"] == "Log"
    report = parse_wsjf(source)
    assert report.root is not None
    parsed = report.root.children[2].children[0].string_meas
    assert parsed is not None
    assert parsed[0].comp_op.value == "LOG"
    assert dump_wsjf(report)["root"]["steps"][2]["steps"][0]["stringMeas"][0]["compOp"] == "LOG"


def _minimal(**extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "type": "T",
        "id": "33a2d408-3fc8-480b-b554-6866c77fd91c",
        "pn": "PN",
        "sn": "SN",
        "rev": "A",
        "processCode": 10,
        "result": "P",
        "machineName": "M",
        "location": "L",
        "purpose": "P",
        "start": "2026-01-30T22:01:41.4707353+01:00",
        "startUTC": "2026-01-30T21:01:41.4707353Z",
    }
    doc.update(extra)
    return doc


def test_unknown_step_types_and_fields_stay_in_place() -> None:
    step = {
        "id": 1,
        "customFirst": {"b": 1, "a": [1, None, "x"]},
        "stepType": "Vendor_Frobnicate",
        "name": "odd",
        "status": "P",
        "vendorPayload": {"z": 1, "y": 2},
        "numericMeas": [{"value": 1.5, "weird": True, "compOp": "LOG", "status": "P"}],
    }
    doc = _minimal(root=step, somethingNew=[1, 2, 3])
    dumped = dump_wsjf(parse_wsjf(doc))
    assert dumped == doc
    assert list(dumped["root"]) == list(step)
    assert list(dumped["root"]["numericMeas"][0]) == ["value", "weird", "compOp", "status"]
    assert list(dumped["root"]["customFirst"]) == ["b", "a"]
    assert list(dumped)[-1] == "somethingNew"


def test_key_order_survives_edits_of_a_reordered_document() -> None:
    doc = _minimal(root={"name": "r", "id": 1, "stepType": "Action", "status": "P"})
    doc = {"sn": doc.pop("sn"), **doc}  # sn first: not WATS's own order
    report = parse_wsjf(doc)
    assert report.root is not None
    report.root.name = "renamed"
    dumped = dump_wsjf(report)
    assert list(dumped) == list(doc)
    assert list(dumped["root"]) == ["name", "id", "stepType", "status"]
    assert dumped["root"]["name"] == "renamed"
    assert json.loads(dumps_wsjf(report)) == dumped
    assert list(json.loads(dumps_wsjf(report))) == list(doc)


def test_null_keys_stay_present_and_absent_keys_stay_absent() -> None:
    doc = _minimal(uut={"batchLoopIndex": None, "user": "op"}, productName=None)
    dumped = dump_wsjf(parse_wsjf(doc))
    assert dumped["uut"] == {"batchLoopIndex": None, "user": "op"}
    assert "productName" in dumped
    assert dumped["productName"] is None
    assert "processName" not in dumped
    assert "root" not in dumped


def test_non_finite_numbers_are_written_as_strings() -> None:
    meas = [
        {"value": "NaN", "compOp": "LOG", "status": "P"},
        {"value": "Infinity", "lowLimit": "-Infinity", "compOp": "GT", "status": "P"},
        {"value": float("nan"), "highLimit": "Inf", "compOp": "LOG", "status": "P"},
    ]
    doc = _minimal(root={"id": 1, "name": "n", "status": "P", "numericMeas": meas})
    report = parse_wsjf(json.dumps(doc))
    dumped = dump_wsjf(report)["root"]["numericMeas"]
    assert dumped[0]["value"] == "NaN"
    assert dumped[1]["value"] == "Infinity"
    assert dumped[1]["lowLimit"] == "-Infinity"
    # canonicalisations: a NaN literal becomes "NaN", "Inf" becomes "Infinity"
    assert dumped[2]["value"] == "NaN"
    assert dumped[2]["highLimit"] == "Infinity"
    assert b"NaN," not in dumps_wsjf(report)  # strict JSON: no bare NaN token
    json.loads(dumps_wsjf(report), parse_constant=lambda token: pytest.fail(token))


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2026-01-30T22:01:41.4707353+01:00", "2026-01-30T22:01:41.470735+01:00"),
        ("2020-01-01T08:00:00.Z", "2020-01-01T08:00:00+00:00"),
        ("2018-04-01T13:40:40", "2018-04-01T13:40:40"),
        ("2025-12-21T22:01:45.472138+00:00", "2025-12-21T22:01:45.472138+00:00"),
    ],
)
def test_timestamps_keep_their_text_and_parse_leniently(text: str, iso: str) -> None:
    doc = _minimal(start=text, uur={"confirmDate": text})
    dumped = dump_wsjf(parse_wsjf(doc))
    assert dumped["start"] == text
    assert dumped["uur"]["confirmDate"] == text
    assert parse_timestamp(text).isoformat() == iso


@pytest.mark.parametrize(
    ("field", "given", "canonical"),
    [
        ("compOp", "log", "LOG"),
        ("compOp", "Gele", "GELE"),
        ("status", "p", "P"),
    ],
)
def test_measurement_enums_are_case_insensitive(field: str, given: str, canonical: str) -> None:
    meas = {"value": 1.0, "lowLimit": 0.0, "highLimit": 2.0, "compOp": "GELE", "status": "P"}
    meas[field] = given
    doc = _minimal(root={"id": 1, "name": "n", "status": "p", "group": "m", "numericMeas": [meas]})
    dumped = dump_wsjf(parse_wsjf(doc))
    assert dumped["root"]["numericMeas"][0][field] == canonical
    assert dumped["root"]["status"] == "P"
    assert dumped["root"]["group"] == "M"


def test_string_compops_ignorecase_spelling() -> None:
    meas = {"value": "a", "limit": "A", "compOp": "IgnoreCase", "status": "P"}
    doc = _minimal(type="t", result="f", root={"id": 1, "name": "n", "stringMeas": [meas]})
    dumped = dump_wsjf(parse_wsjf(doc))
    assert dumped["type"] == "T"
    assert dumped["result"] == "F"
    assert dumped["root"]["stringMeas"][0]["compOp"] == "IGNORECASE"


@pytest.mark.parametrize(
    ("payload", "kind"),
    [
        ({"seqCall": {"name": "x"}, "steps": []}, StepKind.SEQUENCE_CALL),
        ({"numericMeas": [{"value": 1}]}, StepKind.NUMERIC),
        ({"numericMeas": [{"name": "a"}, {"name": "b"}]}, StepKind.MULTI_NUMERIC),
        ({"booleanMeas": [{"status": "P"}]}, StepKind.PASS_FAIL),
        ({"booleanMeas": [{"name": "a"}, {"name": "b"}]}, StepKind.MULTI_PASS_FAIL),
        ({"stringMeas": [{"value": "v"}]}, StepKind.STRING),
        ({"stringMeas": [{"name": "a"}, {"name": "b"}]}, StepKind.MULTI_STRING),
        ({"numericMeas": [{"value": 1}], "stringMeas": [{"value": "v"}]}, StepKind.MIXED),
        ({"callExe": {"exitCode": 0}}, StepKind.CALL_EXE),
        ({"messagePopup": {"button": 1}}, StepKind.MESSAGE_POPUP),
        ({"attachment": {"name": "f"}}, StepKind.ATTACHMENT),
        ({"chart": {"series": []}}, StepKind.CHART),
        ({}, StepKind.GENERIC),
    ],
)
def test_step_kind_comes_from_payload_keys_not_step_type(
    payload: dict[str, Any], kind: StepKind
) -> None:
    # stepType deliberately says something else every time
    doc = _minimal(root={"id": 1, "name": "n", "stepType": "ET_NLT", "status": "P", **payload})
    report = parse_wsjf(doc)
    assert report.root is not None
    assert report.root.kind is kind


def test_export_step_kinds(reference_dir: Path) -> None:
    raw = (reference_dir / "olreppe-pyWATS/server-exports/uut-wsjf-export.json").read_bytes()
    report = parse_wsjf(raw)
    steps = report.steps()
    assert len(steps) == 186
    kinds = {step.kind for step in steps}
    assert {StepKind.CALL_EXE, StepKind.MESSAGE_POPUP, StepKind.GENERIC} <= kinds
    assert sum(1 for s in steps if s.loop is not None) == 46
    assert sum(len(s.numeric_meas or []) for s in steps) == 108
    ops = {m.comp_op for s in steps for m in s.numeric_meas or []}
    assert ops == set(CompOp)


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (b"{not json", "invalid JSON at line 1 column 2"),
        (b"[1, 2]", "top level is a JSON list"),
        (b'{"sn": "\xff"}', "not UTF-8"),
        (json.dumps(_minimal(type="X")).encode(), "type: Input should be 'T' or 'R'"),
        (
            json.dumps(_minimal(root={"steps": [{"status": "Q"}]})).encode(),
            "root -> steps[0] -> status",
        ),
        (json.dumps(_minimal(start="yesterday")).encode(), "start: Value error"),
        (
            json.dumps(_minimal(root={"numericMeas": [{"value": "abc"}]})).encode(),
            "root -> numericMeas[0] -> value",
        ),
    ],
)
def test_bad_input_gets_a_specific_error(data: bytes, needle: str) -> None:
    with pytest.raises(ReportFormatError) as caught:
        parse_wsjf(data)
    assert needle in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_missing_id_is_reported() -> None:
    doc = _minimal()
    del doc["id"]
    with pytest.raises(ReportFormatError, match=r"id: Field required"):
        parse_wsjf(doc)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b'  {"type": "T"}', "wsjf"),
        (b'\xef\xbb\xbf{"a": 1}', "wsjf"),
        (
            b'<?xml version="1.0"?><Reports xmlns="http://wats.virinco.com/schemas/WATS/Report/wsxf"/>',
            "wsxf",
        ),
    ],
)
def test_detect_format(data: bytes, expected: str) -> None:
    assert detect_format(data) == expected


@pytest.mark.parametrize(
    ("data", "needle"),
    [(b"", "empty input"), (b"hello", "input starts with 'hello'"), (b"<html/>", "namespace")],
)
def test_detect_format_rejects_other_content(data: bytes, needle: str) -> None:
    with pytest.raises(ReportFormatError, match=needle):
        parse_report(data)


def test_parse_report_reads_both_formats(reference_dir: Path) -> None:
    exports = reference_dir / "olreppe-pyWATS/server-exports"
    from_json = parse_report((exports / "uut-wsjf-export.json").read_bytes())
    from_xml = parse_report((exports / "uut-wsxf-export.xml").read_bytes())
    assert isinstance(from_json, Report)
    assert isinstance(from_xml, Report)
    assert from_json.id == from_xml.id


def test_model_validate_directly_keeps_order_too() -> None:
    doc = _minimal(root={"status": "P", "name": "r", "id": 1})
    doc = {"pn": doc.pop("pn"), **doc}
    report = Report.model_validate(doc)
    assert list(dump_wsjf(report)) == list(doc)
    assert list(json.loads(dumps_wsjf(report))["root"]) == ["status", "name", "id"]
    # a document in WATS's own order takes the fast path and keeps its order as well
    canonical = parse_wsjf(_minimal())
    assert list(dump_wsjf(canonical)) == list(_minimal())


def test_numbers_in_double_fields_become_floats() -> None:
    # documented canonicalisation: same JSON value, written as a double
    meas = {"value": 10, "lowLimit": "1.5", "compOp": "GE", "status": "P"}
    doc = _minimal(root={"id": 1, "name": "n", "status": "P", "numericMeas": [meas]})
    written = dumps_wsjf(parse_wsjf(doc))
    assert b'"value":10.0' in written
    assert b'"lowLimit":1.5' in written
    dumped = dump_wsjf(parse_wsjf(doc))["root"]["numericMeas"][0]
    assert dumped["value"] == 10
    assert isinstance(dumped["value"], float)
    # integer fields stay integers
    assert b'"processCode":10,' in written


def test_unknown_keys_spelled_like_python_names_stay_unknown() -> None:
    doc = _minimal(machine_name="vendor", root={"id": 1, "step_type": "x", "name": "n"})
    del doc["machineName"]
    report = parse_wsjf(doc)
    assert report.machine_name is None
    assert report.root is not None
    assert report.root.step_type is None
    assert report.root.extra_fields == {"step_type": "x"}
    assert dump_wsjf(report) == doc
    both = _minimal(root={"id": 1, "stepType": "ET_NLT", "step_type": "x"})
    assert dump_wsjf(parse_wsjf(both)) == both


def test_assignments_are_validated_and_dumped_in_place() -> None:
    from pydantic import ValidationError

    doc = _minimal(root={"status": "P", "name": "r", "id": 1, "stepType": "Action"})
    doc = {"sn": doc.pop("sn"), **doc}
    report = parse_wsjf(doc)
    assert report.root is not None
    report.root.status = "f"  # type: ignore[assignment]
    assert report.root.status.value == "F"
    with pytest.raises(ValidationError):
        report.root.status = "maybe"  # type: ignore[assignment]
    report.root.report_text = "added later"
    dumped = dump_wsjf(report)
    assert list(dumped) == list(doc)
    assert list(dumped["root"]) == ["status", "name", "id", "stepType", "reportText"]
    assert dumped["root"]["status"] == "F"


@pytest.mark.reference_files("olreppe-pyWATS/server-exports/*.json")
def test_server_exports_come_back_byte_for_byte(reference_file: Path) -> None:
    raw = reference_file.read_bytes()
    assert dumps_wsjf(parse_wsjf(raw)) == raw


def test_model_validate_json_keeps_order_too() -> None:
    doc = _minimal(root={"status": "P", "name": "r", "id": 1})
    doc = {"pn": doc.pop("pn"), **doc}
    report = Report.model_validate_json(json.dumps(doc))
    assert list(dump_wsjf(report)) == list(doc)
    assert list(dump_wsjf(report)["root"]) == ["status", "name", "id"]


def test_copies_keep_the_key_order_they_were_read_in() -> None:
    doc = _minimal(root={"status": "P", "name": "r", "id": 1})
    doc = {"sn": doc.pop("sn"), **doc}
    copy = parse_wsjf(doc).model_copy(deep=True)
    assert list(dump_wsjf(copy)) == list(doc)
    assert list(dump_wsjf(copy)["root"]) == ["status", "name", "id"]


def test_objects_made_in_python_are_written_in_wats_order() -> None:
    step = Step(name="made", status="P", id=1, stepType="Action")  # type: ignore[arg-type]
    report = Report(type="T", id="0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", sn="S", root=step)
    written = dump_wsjf(report)
    assert list(written) == ["type", "id", "sn", "root"]
    assert list(written["root"]) == ["id", "stepType", "name", "status"]


def test_each_document_read_decides_its_own_dump_path() -> None:
    # a reordered document read first does not make the next one take the reordering path,
    # nor the other way round (no state is carried between reads)
    reordered = _minimal(root={"status": "P", "name": "r", "id": 1})
    reordered = {"sn": reordered.pop("sn"), **reordered}
    canonical = _minimal(root={"id": 1, "name": "r", "status": "P"})
    first = parse_wsjf(reordered)
    second = parse_wsjf(canonical)
    third = parse_wsjf(reordered)
    assert dumps_wsjf(second) == json.dumps(canonical, separators=(",", ":")).encode()
    assert list(dump_wsjf(first)) == list(reordered) == list(dump_wsjf(third))
