"""One builder, one report: build() hands its objects over and closes the builder.

A report returned by ``build()`` must not change when the builder is used afterwards: every
way of changing a builder (directly or through a sequence/step handle taken before the
build) and a second ``build()`` raise, and the report stays as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pywats.report import Report, UURBuilder, UUTBuilder, dumps_wsjf

CLOSED = r"UUTBuilder\.build\(\) was called already"
CLOSED_UUR = r"UURBuilder\.build\(\) was called already"


def _uut() -> tuple[UUTBuilder, dict[str, Any]]:
    """A builder with one of each handle, and the handles by name."""
    builder = UUTBuilder(
        pn="PN-1",
        sn="SN-1",
        rev="A",
        process_code=10,
        machine_name="Station1",
        location="Lab",
        purpose="Test",
    )
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
    builder, handles = _uut()
    report = builder.build()
    before = dumps_wsjf(report)
    with pytest.raises(RuntimeError, match=CLOSED):
        UUT_USES[use](builder, handles)
    assert dumps_wsjf(report) == before


def _uur() -> UURBuilder:
    builder = UURBuilder(
        pn="PN-1",
        sn="SN-1",
        rev="A",
        process_code=500,
        test_process_code=10,
        machine_name="RepairStation",
        location="Lab",
        purpose="Repair",
    )
    builder.failure("Component", "Burned", com_ref="U1")
    return builder


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
    report = builder.build()
    before = dumps_wsjf(report)
    with pytest.raises(RuntimeError, match=CLOSED_UUR):
        UUR_USES[use](builder)
    assert dumps_wsjf(report) == before


def test_build_hands_over_the_builders_objects_uncopied() -> None:
    builder, handles = _uut()
    late = handles["sequence"].numeric("kept", 1.0)
    report = builder.build()
    assert isinstance(report, Report)
    assert report.root is builder.root.step
    assert report.root.children[0] is handles["sequence"].step
    assert late in report.root.children[0].children
