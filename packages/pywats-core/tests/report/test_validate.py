"""The validator: the server's own messages on the server's own export, and each rule."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from pywats.report import ValidationProblem, format_problems, parse_wsjf, validate

PROCESSES = {10: "SW Debug", 90: "Burn In test", 500: "Repair"}


def _server_lines(reference_dir: Path) -> list[str]:
    """The 50 lines of the real server's 400 answer to the re-imported export."""
    log = (reference_dir / "olreppe-pyWATS/server-errors/service_error.txt").read_bytes()
    text = log.decode("utf-8")
    marker = "Report submission failed (400): "
    start = text.index(marker) + len(marker)
    lines = []
    for line in text[start:].split("\n"):
        line = line.rstrip("\r")
        if not line.startswith("root -> "):
            break
        lines.append(line)
    return lines


def test_export_gives_exactly_the_servers_fifty_lines(reference_dir: Path) -> None:
    expected = _server_lines(reference_dir)
    assert len(expected) == 50
    raw = (reference_dir / "olreppe-pyWATS/server-exports/uut-wsjf-export.json").read_bytes()
    problems = validate(parse_wsjf(raw), processes=PROCESSES)
    produced = format_problems(problems).split("\n")
    assert set(produced) == set(expected)
    assert produced == expected  # same order too
    assert len(problems) == 50


@pytest.mark.reference_files(
    "olreppe-pyWATS/virinco-examples/*.json", "olreppe-pyWATS/server-exports/uur_example.json"
)
def test_official_examples_are_valid(reference_file: Path) -> None:
    report = parse_wsjf(reference_file.read_bytes())
    assert validate(report, processes=PROCESSES) == []


def test_virinco_wsxf_example_breaks_only_the_status_rule(reference_dir: Path) -> None:
    # The older WSXF example marks steps Failed over Passed measurements (and one Done);
    # the WSJF endpoint rejects that. Whether the WSXF endpoint does is not known.
    from pywats.report import parse_wsxf

    raw = (reference_dir / "olreppe-pyWATS/virinco-examples/uut-wsxf.xml").read_bytes()
    problems = validate(parse_wsxf(raw), processes=PROCESSES)
    assert len(problems) == 17
    assert {p.message for p in problems} == {"Status cannot be different from measurement status."}


def _report(**root: Any) -> dict[str, Any]:
    return {
        "type": "T",
        "id": "33a2d408-3fc8-480b-b554-6866c77fd91c",
        "pn": "PN",
        "sn": "SN",
        "rev": "A",
        "processCode": 10,
        "processName": "SW Debug",
        "result": "P",
        "machineName": "M",
        "location": "L",
        "purpose": "P",
        "start": "2026-01-30T22:01:41.4707353+01:00",
        "startUTC": "2026-01-30T21:01:41.4707353Z",
        "uut": {"user": "op"},
        "root": {"id": 1, "name": "Main", "stepType": "SequenceCall", "status": "P", **root},
    }


def _lines(doc: dict[str, Any], **kwargs: Any) -> list[str]:
    kwargs.setdefault("processes", PROCESSES)
    return [str(p) for p in validate(parse_wsjf(doc), **kwargs)]


def _num(name: str | None, status: str = "P", op: str = "LE", low: float = 300.0) -> dict[str, Any]:
    return {"name": name, "status": status, "compOp": op, "value": 1.0, "lowLimit": low}


def _step(
    name: str, status: str = "P", step_type: str = "ET_NLT", **payload: Any
) -> dict[str, Any]:
    return {"name": name, "stepType": step_type, "status": status, **payload}


def _loop(summary_extra: dict[str, Any] | None = None, n: int = 2) -> dict[str, int | None]:
    loop: dict[str, int | None] = {
        "idx": None,
        "num": n,
        "endingIndex": n - 1,
        "passed": n,
        "failed": 0,
    }
    loop.update(summary_extra or {})
    return loop


def _it(i: int) -> dict[str, int | None]:
    return {"idx": i, "num": None, "endingIndex": None, "passed": None, "failed": None}


def test_a_clean_report_is_valid() -> None:
    assert _lines(_report(steps=[_step("s", numericMeas=[_num(None)])])) == []


@pytest.mark.parametrize(
    ("step_status", "meas", "bad"),
    [
        ("D", ["P"], True),  # the export's SinglePassDone
        ("F", ["P"], True),
        ("P", ["F"], True),
        ("P", ["P"], False),
        ("F", ["P", "F"], False),  # multi: any failed measurement fails the step
        ("P", ["P", "F"], True),
        ("S", ["S"], False),
    ],
)
def test_step_status_must_match_measurement_status(
    step_status: str, meas: list[str], bad: bool
) -> None:
    booleans = [
        {"name": f"m{i}" if len(meas) > 1 else None, "status": s} for i, s in enumerate(meas)
    ]
    doc = _report(steps=[_step("Check", step_status, "ET_PFT", booleanMeas=booleans)])
    expected = ["root -> step Check: Status cannot be different from measurement status."]
    assert _lines(doc) == (expected if bad else [])


def test_loop_counters_follow_the_servers_rules() -> None:
    iterations = [_step("L", loop=_it(i), numericMeas=[_num(None)]) for i in range(3)]
    summary = _step("L", loop=_loop({"num": 3, "endingIndex": 3}), numericMeas=[_num(None)])
    doc = _report(steps=[_step("Seq", step_type="SequenceCall", steps=[summary, *iterations])])
    assert _lines(doc) == [
        "root -> step Seq -> loop L: endingIndex is required to be the same as highest index.",
        "root -> step Seq -> loop L: num is required to be one more than endingIndex.",
    ]
    # the normalised form (num = n, endingIndex = n - 1) satisfies both rules
    summary["loop"] = _loop({"num": 3, "endingIndex": 2})
    assert _lines(doc) == []
    # endingIndex right, num wrong: only rule 2
    summary["loop"] = _loop({"num": 2, "endingIndex": 2})
    assert _lines(doc) == [
        "root -> step Seq -> loop L: num is required to be one more than endingIndex.",
    ]
    # num = endingIndex + 1 but endingIndex below the highest index: only rule 1
    summary["loop"] = _loop({"num": 2, "endingIndex": 1})
    assert _lines(doc) == [
        "root -> step Seq -> loop L: endingIndex is required to be the same as highest index.",
    ]


def test_loop_iterations_must_match_the_summary() -> None:
    summary = _step(
        "L",
        loop=_loop(n=3),
        stringMeas=[{"name": None, "status": "P", "compOp": "IGNORECASE", "limit": "a"}],
    )
    it0 = _step(
        "L",
        loop=_it(0),
        stringMeas=[{"name": None, "status": "P", "compOp": "IGNORECASE", "limit": "b"}],
    )
    it1 = _step(
        "L",
        "P",
        "ET_MSVT",
        loop=_it(1),
        stringMeas=[{"name": None, "status": "P", "compOp": "CASESENSIT", "limit": "a"}],
    )
    it2 = _step("L", loop=_it(2), stringMeas=[])
    doc = _report(steps=[summary, it0, it1, it2])
    assert _lines(doc) == [
        "root -> loop L -> Index 0 -> stringMeas : limit is required to match Summary step.",
        "root -> loop L -> Index 1: stepType is required to match Summary step.",
        "root -> loop L -> Index 1 -> stringMeas : compOp is required to match Summary step.",
        "root -> loop L -> Index 2: stringMeas is required to match Summary step.",
    ]


def test_sequence_loop_iterations_need_the_summarys_children() -> None:
    children = [_step("A", numericMeas=[_num(None)]), _step("B", numericMeas=[_num(None)])]
    summary = _step("Seq", step_type="SequenceCall", loop=_loop(), steps=copy.deepcopy(children))
    it0 = _step("Seq", step_type="SequenceCall", loop=_it(0), steps=copy.deepcopy(children[:1]))
    changed = copy.deepcopy(children)
    changed[1]["numericMeas"][0]["lowLimit"] = 5.0
    it1 = _step("Seq", step_type="SequenceCall", loop=_it(1), steps=changed)
    doc = _report(steps=[summary, it0, it1])
    assert _lines(doc) == [
        "root -> loop Seq -> Index 0: step B in Summary step requires a match.",
        "root -> loop Seq -> Index 1 -> step B -> numericMeas : "
        "lowLimit is required to match Summary step.",
    ]


def test_numeric_measurement_count_must_match() -> None:
    summary = _step("L", loop=_loop(n=1), numericMeas=[])
    iteration = _step("L", loop=_it(0), numericMeas=[_num(None)])
    assert _lines(_report(steps=[summary, iteration])) == [
        "root -> loop L -> Index 0: numericMeas is required to match Summary step."
    ]


def test_format_problems_keeps_the_servers_spacing() -> None:
    problems = [
        ValidationProblem("root -> step A", "Status cannot be different from measurement status."),
        ValidationProblem(
            "root -> loop L -> Index 1 -> stringMeas", "limit is required to match Summary step."
        ),
    ]
    assert format_problems(problems) == (
        "root -> step A: Status cannot be different from measurement status.\n"
        "root -> loop L -> Index 1 -> stringMeas : limit is required to match Summary step."
    )


def test_multi_measurement_steps_need_names() -> None:
    doc = _report(steps=[_step("Multi", step_type="ET_MNLT", numericMeas=[_num("a"), _num(None)])])
    assert _lines(doc) == [
        "root -> step Multi -> numericMeas : name is required on measurement 1 when a step "
        "has more than one measurement."
    ]


@pytest.mark.parametrize(
    ("change", "line"),
    [
        ({"pn": None}, "report: pn is required."),
        ({"sn": ""}, "report: sn is required."),
        ({"machineName": "x" * 101}, "report: machineName is longer than 100 characters (101)."),
        ({"sn": "AB*12"}, "report: sn contains characters that break WATS searches: *"),
        ({"pn": "P/N[1]"}, "report: pn contains characters that break WATS searches: / [ ]"),
        (
            {"processCode": 11, "processName": None},
            "report: processCode 11 is not a known process.",
        ),
        (
            {"processName": "sw debug"},
            "report: processName 'sw debug' does not match process 10 'SW Debug' (case-sensitive).",
        ),
        ({"processCode": None}, "report: processCode is required."),
        ({"startUTC": None}, "report: startUTC is required."),
        ({"result": None}, "report: result is required."),
        ({"id": "not-a-guid"}, "report: id 'not-a-guid' is not a GUID."),
        ({"uut": None}, "report: uut is required on a UUT (type T) report."),
        ({"uur": {}}, "report: uur is only allowed on a UUR (type R) report."),
        (
            {"binaryData": [{"name": "a.png", "data": "AA=="}]},
            "report: binaryData is only allowed on a UUR (type R) report.",
        ),
        ({"root": None}, "report: root is required on a UUT (type T) report."),
        (
            {"miscInfos": [{"description": "d"}]},
            "report -> miscInfo 0: text or numeric is required.",
        ),
        (
            {"subUnits": [{"partType": "p" * 51, "pn": "a", "sn": "b", "rev": "c"}]},
            "report -> subUnit 0: partType is longer than 50 characters (51).",
        ),
    ],
)
def test_header_rules(change: dict[str, Any], line: str) -> None:
    doc = _report()
    doc.update(change)
    assert _lines(doc) == [line]


def test_search_characters_can_be_allowed_and_processes_skipped() -> None:
    doc = _report()
    doc.update(sn="A*B", processCode=999)
    assert _lines(doc, processes=None, check_search_characters=False) == []


def test_uur_needs_sub_units() -> None:
    doc = _report()
    doc.update(type="R", uur={"processCode": 10}, root=None, uut=None)
    del doc["root"], doc["uut"]
    assert _lines(doc) == ["report: subUnits is required on a UUR (type R) report."]


def test_uur_rules() -> None:
    doc = {
        "type": "R",
        "id": "02a8db26-c529-43bd-acf2-84a00a4ff693",
        "pn": "PN",
        "sn": "SN",
        "rev": "A",
        "processCode": 500,
        "result": "P",
        "machineName": "M",
        "location": "L",
        "purpose": "P",
        "start": "2020-01-01T09:00:00+01:00",
        "startUTC": "2020-01-01T08:00:00.Z",
        "uur": {"processCode": 10, "processName": "SW debug", "refUUT": "nope"},
        "subUnits": [
            {"partType": "PCBA", "pn": "PN", "sn": "SN", "rev": "A", "idx": 1, "parentIdx": 7},
            {"partType": "PCBA", "pn": "PN", "sn": "S2", "rev": "A"},
        ],
    }
    assert _lines(doc) == [
        "report -> subUnit 1: idx is required on a UUR sub-unit.",
        "report -> uur: processName 'SW debug' does not match process 10 'SW Debug'"
        " (case-sensitive).",
        "report -> uur: refUUT 'nope' is not a GUID.",
        "report: subUnits needs the repaired unit itself (idx 0).",
        "report -> subUnit 0: parentIdx 7 does not refer to a sub-unit idx.",
    ]


def test_a_loop_without_iterations_is_only_checked_for_num() -> None:
    summary = _step("L", loop={"idx": None, "num": 0, "endingIndex": 0}, numericMeas=[_num(None)])
    assert _lines(_report(steps=[summary])) == [
        "root -> loop L: num is required to be one more than endingIndex."
    ]
    summary["loop"] = {"idx": None, "num": 1, "endingIndex": 0}
    assert _lines(_report(steps=[summary])) == []
