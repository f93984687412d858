"""Normalising WATS-format reports: any loop shape and status disagreement comes out valid,
and every measurement outside loop summaries is kept (property-based)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from pywats.report import Step, parse_wsjf, validate
from pywats_converters.standard._normalize import normalize_report

HEADER: dict[str, Any] = {
    "type": "T",
    "id": "33a2d408-3fc8-480b-b554-6866c77fd91c",
    "pn": "PN",
    "sn": "SN",
    "rev": "A",
    "processCode": 10,
    "result": "F",
    "machineName": "M",
    "location": "L",
    "purpose": "P",
    "start": "2026-01-30T22:01:41.4707353+01:00",
    "startUTC": "2026-01-30T21:01:41.4707353Z",
    "uut": {"user": "op"},
}

statuses = st.sampled_from(["P", "F", "D"])
meas_statuses = st.sampled_from(["P", "F"])


@st.composite
def numeric_step(draw: st.DrawFn, name: str, loop: dict[str, Any] | None) -> dict[str, Any]:
    step: dict[str, Any] = {
        "name": name,
        "stepType": draw(st.sampled_from(["ET_NLT", "ET_NLT", "NumericLimitTest"])),
        "status": draw(statuses),
        "numericMeas": [
            {
                "compOp": "GELE",
                "status": draw(meas_statuses),
                "value": draw(st.integers(0, 9)),
                "lowLimit": draw(st.sampled_from([1.0, 2.0])),
                "highLimit": 8.0,
            }
        ],
    }
    if loop is not None:
        step["loop"] = loop
    return step


@st.composite
def looped(draw: st.DrawFn, name: str) -> list[dict[str, Any]]:
    count = draw(st.integers(0, 4))
    summary = draw(
        numeric_step(
            name,
            {
                "idx": None,
                "num": draw(st.integers(0, 6)),
                "endingIndex": draw(st.integers(-1, 6)),
                "passed": 0,
                "failed": 0,
            },
        )
    )
    iterations = [
        draw(
            numeric_step(
                name, {"idx": i, "num": None, "endingIndex": None, "passed": None, "failed": None}
            )
        )
        for i in range(count)
    ]
    return [summary, *iterations]


@st.composite
def reports(draw: st.DrawFn) -> dict[str, Any]:
    children: list[dict[str, Any]] = []
    for index in range(draw(st.integers(1, 5))):
        if draw(st.booleans()):
            children += draw(looped(f"Loop{index}"))
        else:
            children.append(draw(numeric_step(f"Step{index}", None)))
    root = {"name": "Main", "stepType": "SequenceCall", "status": "F", "steps": children}
    return {**HEADER, "root": root}


def _kept(step: Step | None) -> list[tuple[str, float | None]]:
    """Measurements outside loop summaries (summaries aggregate their iterations)."""
    if step is None or (step.loop is not None and step.loop.idx is None):
        return []
    out = [(step.name or "", m.value) for m in step.numeric_meas or []]
    for child in step.steps or []:
        out += _kept(child)
    return out


@settings(max_examples=200, deadline=None)
@given(reports())
def test_a_normalised_report_is_valid_and_keeps_every_measurement(doc: dict[str, Any]) -> None:
    original = parse_wsjf(doc)
    report = normalize_report(parse_wsjf(doc))
    assert validate(report) == []
    assert sorted(_kept(report.root)) == sorted(_kept(original.root))


@settings(max_examples=100, deadline=None)
@given(reports())
def test_normalising_twice_changes_nothing_more(doc: dict[str, Any]) -> None:
    once = normalize_report(parse_wsjf(doc))
    twice = normalize_report(once.model_copy(deep=True))
    assert twice.model_dump() == once.model_dump()


def test_a_failed_step_gives_its_single_measurement_its_status() -> None:
    doc = {**HEADER, "root": {"name": "Main", "stepType": "SequenceCall", "status": "F"}}
    doc["root"]["steps"] = [
        {
            "name": "EQ",
            "stepType": "ET_NLT",
            "status": "F",
            "numericMeas": [{"compOp": "EQ", "status": "P", "value": 500, "lowLimit": 501}],
        }
    ]
    report = normalize_report(parse_wsjf(doc))
    assert report.root is not None
    assert report.root.steps is not None
    (step,) = report.root.steps
    assert step.numeric_meas is not None
    assert (step.status.value, step.numeric_meas[0].status.value) == ("F", "F")  # type: ignore[union-attr]
