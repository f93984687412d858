"""Builder: active mode computes statuses like WATS compares; import mode keeps them; one
builder makes one report."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from pywats.report import (
    CompOp,
    Report,
    ReportResult,
    StepKind,
    StepStatus,
    StringCompOp,
    UURBuilder,
    UUTBuilder,
    dump_wsjf,
    dumps_wsjf,
    numeric_passes,
    parse_wsjf,
    string_passes,
    validate,
)

PROCESSES = {10: "SW Debug", 500: "Repair"}


_UNIT: dict[str, object] = {"pn": "PN-1", "sn": "SN-1", "rev": "A", "location": "Lab"}


def _uut(**kwargs: object) -> UUTBuilder:
    base: dict[str, object] = {
        **_UNIT,
        "process_code": 10,
        "process_name": "SW Debug",
        "machine_name": "Station1",
        "purpose": "Test",
        "operator": "op",
    }
    return UUTBuilder(**{**base, **kwargs})  # type: ignore[arg-type]


def _uur(**kwargs: object) -> UURBuilder:
    base: dict[str, object] = {
        **_UNIT,
        "process_code": 500,
        "test_process_code": 10,
        "machine_name": "RepairStation",
        "purpose": "Repair",
    }
    return UURBuilder(**{**base, **kwargs})  # type: ignore[arg-type]


# (compOp, value, low, high, passes) -- one passing and one failing case per operator,
# boundaries included; single-limit operators read their limit from ``low``.
NUMERIC_CASES = [
    ("LOG", 10.0, None, None, True),
    ("EQ", 500.0, 500.0, None, True),
    ("EQ", 500.0, 501.0, None, False),
    ("NE", 500.0, 499.0, None, True),
    ("NE", 500.0, 500.0, None, False),
    ("GT", 500.0, 499.0, None, True),
    ("GT", 500.0, 500.0, None, False),
    ("GE", 500.0, 500.0, None, True),
    ("GE", 500.0, 501.0, None, False),
    ("LT", 500.0, 501.0, None, True),
    ("LT", 500.0, 500.0, None, False),
    ("LE", 500.0, 500.0, None, True),
    ("LE", 500.0, 499.0, None, False),
    ("GTLT", 500.0, 499.0, 501.0, True),
    ("GTLT", 500.0, 499.0, 500.0, False),
    ("GTLE", 500.0, 499.0, 500.0, True),
    ("GTLE", 500.0, 500.0, 501.0, False),
    ("GELT", 500.0, 500.0, 501.0, True),
    ("GELT", 500.0, 499.0, 500.0, False),
    ("GELE", 500.0, 500.0, 500.0, True),
    ("GELE", 500.0, 501.0, 502.0, False),
    ("LTGT", 502.0, 499.0, 501.0, True),
    ("LTGT", 500.0, 500.0, 501.0, False),
    ("LTGE", 498.0, 499.0, 501.0, True),
    ("LTGE", 500.0, 500.0, 501.0, False),
    ("LEGT", 500.0, 500.0, 501.0, True),
    ("LEGT", 500.0, 499.0, 501.0, False),
    ("LEGE", 500.0, 500.0, 500.0, True),
    ("LEGE", 500.0, 499.0, 501.0, False),
]


def test_every_numeric_operator_is_covered() -> None:
    assert {case[0] for case in NUMERIC_CASES} == {op.value for op in CompOp}


@pytest.mark.parametrize(("op", "value", "low", "high", "passes"), NUMERIC_CASES)
def test_active_mode_numeric_status(
    op: str, value: float, low: float | None, high: float | None, passes: bool
) -> None:
    assert numeric_passes(op, value, low, high) is passes
    builder = _uut()
    builder.root.numeric("m", value, op, low=low, high=high, unit="V")
    report = builder.build()
    assert report.root is not None
    step = report.root.children[0]
    meas = step.numeric_meas
    assert meas is not None
    assert meas[0].status is not None
    assert meas[0].status.value == ("P" if passes else "F")
    assert step.status is (StepStatus.PASSED if passes else StepStatus.FAILED)
    assert report.result is (ReportResult.PASSED if passes else ReportResult.FAILED)
    assert validate(report, processes=PROCESSES) == []


def test_export_verdicts_agree_with_numeric_passes(reference_dir: object) -> None:
    # every single numeric measurement in the real export was judged by TestStand;
    # our comparison must reach the same verdict for each
    from pathlib import Path

    assert isinstance(reference_dir, Path)
    raw = (reference_dir / "olreppe-pyWATS/server-exports/uut-wsjf-export.json").read_bytes()
    checked = 0
    for step in parse_wsjf(raw).steps():
        for meas in step.numeric_meas or []:
            if meas.value is None or meas.comp_op is None or meas.status is None:
                continue
            verdict = numeric_passes(meas.comp_op, meas.value, meas.low_limit, meas.high_limit)
            assert verdict is (meas.status.value == "P"), (step.name, meas.name)
            checked += 1
    assert checked == 108


@pytest.mark.parametrize(
    ("op", "value", "limit", "passes"),
    [
        ("LOG", "anything", None, True),
        ("EQ", "abc", "abc", True),
        ("EQ", "abc", "ABC", False),
        ("CASESENSIT", "abc", "abc", True),
        ("CASESENSIT", "caseSensitive", "CaseSensitive", False),
        ("NE", "abc", "abd", True),
        ("NE", "abc", "abc", False),
        ("IGNORECASE", "TestValue1", "testvalue1", True),
        ("IGNORECASE", "TestValue1", "testvalue2", False),
    ],
)
def test_active_mode_string_status(op: str, value: str, limit: str | None, passes: bool) -> None:
    assert string_passes(op, value, limit) is passes
    builder = _uut()
    builder.root.string("s", value, op, limit=limit)
    report = builder.build()
    assert report.root is not None
    meas = report.root.children[0].string_meas
    assert meas is not None
    assert meas[0].status is not None
    assert meas[0].status.value == ("P" if passes else "F")
    assert meas[0].comp_op is StringCompOp(op)


def test_failure_propagates_to_parents_and_result() -> None:
    builder = _uut()
    power = builder.root.sequence("Power")
    rails = power.sequence("Rails")
    rails.numeric("3V3", 3.3, "GELE", low=3.2, high=3.4, unit="V")
    rails.numeric("5V", 5.5, "GELE", low=4.9, high=5.1, unit="V")  # fails
    builder.root.sequence("Other").pass_fail("ok", True)
    report = builder.build()
    assert report.root is not None
    root = report.root
    power_step, other = root.children
    rails_step = power_step.children[0]
    assert [c.status for c in rails_step.children] == [StepStatus.PASSED, StepStatus.FAILED]
    assert rails_step.status is StepStatus.FAILED
    assert power_step.status is StepStatus.FAILED
    assert other.status is StepStatus.PASSED
    assert root.status is StepStatus.FAILED
    assert report.result is ReportResult.FAILED
    # the failing step is the one that caused the UUT failure, not its parents
    assert rails_step.children[1].caused_uut_failure is True
    assert rails_step.caused_uut_failure is False
    assert [s.id for s in root.walk()] == list(range(1, 8))
    assert validate(report, processes=PROCESSES) == []


def test_multi_measurement_steps_and_every_family() -> None:
    builder = _uut()
    seq = builder.root.sequence("All", path="seq.seq", version="1.0")
    multi = seq.multi_numeric("multi")
    multi.add("a", 1.0, "GT", limit=0.0)
    multi.add("b", 3.0, "LT", limit=2.0)  # fails
    strings = seq.multi_string("strings")
    strings.add("fw", "1.2", "EQ", limit="1.2")
    flags = seq.multi_pass_fail("flags")
    flags.add("x", True)
    flags.add("y", True)
    chart = seq.chart("chart", label="Curve", series=[("s", [0.0, 1.0], [1.5, 2.0])], x_unit="s")
    chart.add("mean", 1.75)
    seq.action("note", report_text="hello")
    seq.action("if", step_type="NI_Flow_If")
    seq.call_exe("exe", 0.0)
    seq.message_popup("pop", response="OK", button=1)
    seq.attachment("log.txt", b"log text", "text/plain")
    report = builder.build()
    assert report.root is not None
    kinds = [step.kind for step in report.root.children[0].children]
    assert kinds == [
        StepKind.MULTI_NUMERIC,
        StepKind.STRING,
        StepKind.MULTI_PASS_FAIL,
        StepKind.NUMERIC,  # chart step with one measurement: numeric payload wins
        StepKind.GENERIC,
        StepKind.GENERIC,
        StepKind.CALL_EXE,
        StepKind.MESSAGE_POPUP,
        StepKind.ATTACHMENT,
    ]
    children = report.root.children[0].children
    assert children[0].status is StepStatus.FAILED
    assert children[3].chart is not None
    assert children[3].chart.series is not None
    assert children[3].chart.series[0].ydata == "1.5;2"
    attachment = children[8].attachment
    assert attachment is not None
    assert base64.b64decode(attachment.data or "") == b"log text"
    assert report.result is ReportResult.FAILED
    assert validate(report, processes=PROCESSES) == []
    # what we build round-trips like anything else
    assert parse_wsjf(dumps_wsjf(report)) == report


def test_single_limit_lands_in_low_limit() -> None:
    builder = _uut()
    builder.root.numeric("le", 1.0, "LE", high=2.0)  # given as high: moved to lowLimit
    builder.root.numeric("lt", 1.0, "LT", limit=2.0)
    report = builder.build()
    data = dump_wsjf(report)["root"]["steps"]
    assert [s["numericMeas"][0]["lowLimit"] for s in data] == [2.0, 2.0]
    assert [s["numericMeas"][0]["highLimit"] for s in data] == [None, None]
    assert [s["status"] for s in data] == ["P", "P"]


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"comp_op": "GELE", "low": 1.0}, "GELE needs low= and high="),
        ({"comp_op": "GT"}, "GT needs limit="),
        ({"comp_op": "GT", "low": 1.0, "high": 2.0}, "GT compares against one limit"),
        ({"comp_op": "GT", "low": 1.0, "limit": 2.0}, "either limit= or low="),
        ({"comp_op": "BOGUS"}, "'BOGUS' is not a valid CompOp"),
    ],
)
def test_builder_rejects_inconsistent_limits(kwargs: dict[str, object], needle: str) -> None:
    builder = _uut()
    with pytest.raises(ValueError, match=needle):
        builder.root.numeric("x", 1.0, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("where", ["step", "multi"])
def test_a_misspelt_limit_keyword_is_refused(where: str) -> None:
    """The limits are typed keywords (``NumericLimits``): a misspelt one is an error, not
    a silently dropped limit."""
    root = _uut().root
    add = root.numeric if where == "step" else root.multi_numeric("m").add
    with pytest.raises(TypeError, match=r"unexpected keyword argument\(s\) hgh: .*low, high"):
        add("x", 1.0, "LT", hgh=2.0)  # type: ignore[call-arg]


def test_import_mode_keeps_statuses_as_given() -> None:
    builder = _uut(mode="import", result="P")
    seq = builder.root.sequence("S", status="P")
    # the tester said P although the value is outside the limits: keep it
    seq.numeric("v", 9.0, "GELE", low=1.0, high=2.0, status="P", meas_status="P")
    seq.string("s", "abc", "CASESENSIT", limit="ABC", status="P", meas_status="P")
    seq.pass_fail("b", False, status="F", meas_status="F")
    report = builder.build()
    assert report.root is not None
    steps = report.root.children[0].children
    assert [s.status for s in steps] == [StepStatus.PASSED, StepStatus.PASSED, StepStatus.FAILED]
    assert steps[0].numeric_meas is not None
    assert steps[0].numeric_meas[0].status is not None
    assert steps[0].numeric_meas[0].status.value == "P"
    assert report.root.children[0].status is StepStatus.PASSED  # not propagated
    assert report.result is ReportResult.PASSED  # as given


def test_import_mode_demands_explicit_statuses() -> None:
    with pytest.raises(ValueError, match="result must be given"):
        _uut(mode="import")
    builder = _uut(mode="import", result="F")
    with pytest.raises(ValueError, match="needs an explicit status"):
        builder.root.numeric("v", 1.0, "LOG")
    with pytest.raises(ValueError, match="measurements need an explicit status"):
        builder.root.numeric("v", 1.0, "LOG", status="P")


def test_active_mode_respects_an_explicit_step_status() -> None:
    builder = _uut()
    builder.root.action("skipped", status="S")
    builder.root.numeric("v", 1.0, "LOG", status="P")
    report = builder.build()
    assert report.root is not None
    assert [c.status for c in report.root.children] == [StepStatus.SKIPPED, StepStatus.PASSED]
    assert report.result is ReportResult.PASSED


def test_report_id_is_fixed_at_creation() -> None:
    builder = _uut()
    known = builder.id
    builder.root.numeric("later", 1.0)
    report = builder.build()
    assert report.id == builder.id == known
    uuid.UUID(report.id)
    fixed = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
    assert _uut(report_id=fixed).build().id == fixed
    assert _uut(report_id=uuid.UUID(fixed)).build().id == fixed
    assert _uut().id != _uut().id


def test_timestamps_have_offset_and_utc() -> None:
    start = datetime(2026, 1, 30, 22, 1, 41, 470735, tzinfo=timezone(timedelta(hours=1)))
    report = _uut(start=start).build()
    assert report.start == "2026-01-30T22:01:41.4707350+01:00"
    assert report.start_utc == "2026-01-30T21:01:41.4707350Z"


def test_uur_builder_with_failures_and_sub_units() -> None:
    builder = _uur(
        process_name="Repair",
        ref_uut="873d67f8-7669-4f4b-a627-e598e444d323",
        operator="tech",
        comment="reworked",
    )
    pcba = builder.sub_unit("PCBA", "PN-2", "SN-2", "B")
    module = builder.sub_unit("Module", "PN-3", "SN-3", "C", parent_idx=pcba)
    builder.failure("Component", "Burned Component", com_ref="U1")
    builder.failure("Solder", "Bridge", idx=module, comment="pins 3-4", ref_step_id=16)
    with pytest.raises(ValueError, match="parent_idx 9 is not a sub-unit idx"):
        builder.sub_unit("X", "a", "b", "c", parent_idx=9)
    with pytest.raises(ValueError, match="no sub-unit with idx 7"):
        builder.failure("a", "b", idx=7)
    report = builder.build()
    assert report.is_uur
    assert report.root is None
    units = report.sub_units or []
    assert [(u.idx, u.parent_idx) for u in units] == [(0, None), (1, 0), (2, 1)]
    assert [len(u.failures or []) for u in units] == [1, 0, 1]
    assert report.uur is not None
    assert report.uur.process_code == 10
    assert validate(report, processes=PROCESSES) == []
    assert parse_wsjf(dumps_wsjf(report)) == report


def test_assets_and_attachments() -> None:
    builder = _uut()
    builder.asset("FIXTURE-9", usage_count=1200)
    builder.root.numeric("v", 1.0)
    report = builder.build()
    assert dump_wsjf(report)["assets"] == [{"assetSN": "FIXTURE-9", "usageCount": 1200}]

    repair = _uur()
    repair.attachment("board.jpg", b"\xff\xd8jpeg", "image/jpeg")
    repair.failure("Component", "Cracked", attachments=[("crack.png", b"\x89PNG", "image/png")])
    uur = repair.build()
    assert uur.binary_data is not None
    assert base64.b64decode(uur.binary_data[0].data or "") == b"\xff\xd8jpeg"
    failure = (uur.sub_units or [])[0].failures or []
    assert failure[0].attachments is not None
    assert failure[0].attachments[0].name == "crack.png"
    assert uuid.UUID(failure[0].attachments[0].id or "")
    assert validate(uur, processes=PROCESSES) == []


# One builder, one report: build() hands its objects over and closes the builder. A report
# returned by build() must not change when the builder is used afterwards: every way of
# changing a builder (directly or through a handle taken before the build) and a second
# build() raise, and the report stays as it was.


def _uut_with_handles() -> tuple[UUTBuilder, dict[str, Any]]:
    builder = _uut()
    power = builder.root.sequence("Power")
    power.numeric("3V3", 3.3, "GELE", low=3.2, high=3.4, unit="V")
    handles: dict[str, Any] = {
        "sequence": power,
        "multi_numeric": power.multi_numeric("Ripple"),
        "multi_string": power.multi_string("Versions"),
        "multi_pass_fail": power.multi_pass_fail("Checks"),
        "chart": power.chart("Sweep", label="Gain", series=[("g", [1.0, 2.0], [0.1, 0.2])]),
    }
    handles["multi_numeric"].add("5V", 0.01, "LT", limit=0.05)
    builder.misc_info("Firmware", "1.0")
    return builder, handles


UUT_USES: dict[str, Callable[[UUTBuilder, dict[str, Any]], object]] = {
    "root step": lambda b, h: b.root.numeric("late", 9.0),
    "root sequence": lambda b, h: b.root.sequence("Late"),
    "root action": lambda b, h: b.root.action("late"),
    "nested step": lambda b, h: h["sequence"].pass_fail("late", False),
    "multi numeric": lambda b, h: h["multi_numeric"].add("late", 9.0, "LT", limit=1.0),
    "multi string": lambda b, h: h["multi_string"].add("late", "x", "EQ", limit="y"),
    "multi pass/fail": lambda b, h: h["multi_pass_fail"].add("late", False),
    "chart measurement": lambda b, h: h["chart"].add("late", 9.0),
    "misc info": lambda b, h: b.misc_info("late", 1),
    "asset": lambda b, h: b.asset("FIXTURE-LATE"),
    "sub-unit": lambda b, h: b.sub_unit("PSU", "P", "S", "A"),
    "second build": lambda b, h: b.build(),
}


@pytest.mark.parametrize("use", sorted(UUT_USES))
def test_uut_builder_is_closed_after_build_and_the_report_keeps(use: str) -> None:
    builder, handles = _uut_with_handles()
    report = builder.build()
    before = dumps_wsjf(report)
    with pytest.raises(RuntimeError, match=r"UUTBuilder\.build\(\) was called already"):
        UUT_USES[use](builder, handles)
    assert dumps_wsjf(report) == before


UUR_USES: dict[str, Callable[[UURBuilder], object]] = {
    "sub-unit": lambda b: b.sub_unit("PCBA", "P", "S", "A"),
    "failure": lambda b: b.failure("Solder", "Bridge"),
    "attachment": lambda b: b.attachment("late.txt", b"late"),
    "misc info": lambda b: b.misc_info("late", "x"),
    "asset": lambda b: b.asset("FIXTURE-LATE"),
    "second build": lambda b: b.build(),
}


@pytest.mark.parametrize("use", sorted(UUR_USES))
def test_uur_builder_is_closed_after_build_and_the_report_keeps(use: str) -> None:
    builder = _uur()
    builder.failure("Component", "Burned", com_ref="U1")
    report = builder.build()
    before = dumps_wsjf(report)
    with pytest.raises(RuntimeError, match=r"UURBuilder\.build\(\) was called already"):
        UUR_USES[use](builder)
    assert dumps_wsjf(report) == before


def test_build_hands_over_the_builders_objects_uncopied() -> None:
    builder, handles = _uut_with_handles()
    late = handles["sequence"].numeric("kept", 1.0)
    report = builder.build()
    assert isinstance(report, Report)
    assert report.root is builder.root.step
    assert report.root.children[0] is handles["sequence"].step
    assert late in report.root.children[0].children
