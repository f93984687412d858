"""wats.internal.unit_flow and .analytics (INTERNAL routes) over loopback against the
fake, sync and async: the unit flow, step and measurement lists, top failed steps and the
alarm log, all computed from uploaded reports."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

import pywats
from pywats.internal import UnitFlowLink, UnitFlowNode, UnitFlowUnit
from pywats.models import PublicWatsFilter

Run = Callable[[Callable[[Any], Any]], Any]
STEPS = pywats.StepFilters(steps="<filters/>", sequences="<filters/>")


@pytest.fixture
def tested(run: Run, make_report: Callable[..., dict[str, Any]]) -> None:
    """U1: ICT fails, ICT passes, EOL passes. U2: ICT passes. All PN-F."""
    now = datetime.now(timezone.utc)
    runs = [("U1", 60, "F"), ("U1", 60, "P"), ("U1", 100, "P"), ("U2", 60, "P")]
    for n, (sn, code, result) in enumerate(runs):
        start = (now - timedelta(minutes=10 - n)).isoformat().replace("+00:00", "Z")
        report = make_report(id=str(uuid.uuid4()), pn="PN-F", sn=sn, result=result)
        report.update(start=start, startUTC=start, processCode=code)
        report["root"]["status"] = result
        report["root"]["steps"][0]["status"] = result
        report["root"]["steps"][0]["numericMeas"][0]["status"] = result
        run(lambda w, r=report: w.report.submit_wsjf(r))


PN_F = PublicWatsFilter(part_number="PN-F")


@pytest.mark.usefixtures("tested")
def test_the_flow_has_each_operation_and_move(run: Run) -> None:
    flow = run(lambda w: w.internal.unit_flow.query(PN_F))
    assert sorted((n["name"], n["unitCount"]) for n in flow["nodes"]) == [("100", 1), ("60", 3)]
    nodes = run(lambda w: w.internal.unit_flow.nodes(PN_F))
    assert all(isinstance(n, UnitFlowNode) for n in nodes)
    ict = next(n.id for n in nodes if n.name == "60")
    eol = next(n.id for n in nodes if n.name == "100")
    links = run(lambda w: w.internal.unit_flow.links({"partNumber": "PN-F"}))
    assert {(link.source_id, link.target_id, link.unit_count) for link in links} == {
        (ict, ict, 1),
        (ict, eol, 1),
    }
    assert all(isinstance(link, UnitFlowLink) for link in links)


@pytest.mark.usefixtures("tested")
def test_units_and_their_serial_numbers(run: Run) -> None:
    units = run(lambda w: w.internal.unit_flow.units(PN_F))
    retested = [u for u in units if u.model_extra and u.model_extra.get("hasRetest")]
    assert [u.unit_id for u in retested] == [1]
    serials = run(lambda w: w.internal.unit_flow.serial_numbers([u.unit_id for u in units]))
    assert sorted(serials) == ["U1", "U2"]
    ordered = run(
        lambda w: w.internal.unit_flow.unit_order(
            [UnitFlowUnit(unit_id=2, source=1), UnitFlowUnit(unit_id=1, source=1)]
        )
    )
    assert [u["unitId"] for u in ordered] == [1, 2]


@pytest.mark.usefixtures("tested")
def test_split_by_station_names_each_node_with_it(run: Run) -> None:
    flow = run(lambda w: w.internal.unit_flow.split_by("machineName", PN_F))
    assert sorted(n["name"] for n in flow["nodes"]) == ["100 / station-1", "60 / station-1"]


def test_a_filter_that_is_not_json_is_refused(run: Run) -> None:
    with pytest.raises(pywats.ValidationError, match="filter is not a JSON object"):
        run(lambda w: w.internal.unit_flow.nodes("not json"))


@pytest.mark.usefixtures("tested")
def test_measurement_and_step_status_lists(run: Run) -> None:
    group = {"product_group_id": "g", "level_id": "l"}
    rows = run(lambda w: w.internal.analytics.measurement_list_by_filter(PN_F, STEPS))
    assert len(rows) == 4
    assert {r["serialNumber"] for r in rows} == {"U1", "U2"}
    assert len(run(lambda w: w.internal.analytics.measurement_list(7, STEPS, **group))) == 4
    status = run(lambda w: w.internal.analytics.step_status_list_by_filter(PN_F, STEPS))
    root = next(s for s in status if s["stepPath"] == "MainSequence Callback")
    assert (root["passed"], root["failed"]) == (3, 1)
    assert run(lambda w: w.internal.analytics.step_status_list(7, STEPS, **group)) == status


@pytest.mark.usefixtures("tested")
def test_top_failed_names_the_failing_step(run: Run) -> None:
    [top] = run(lambda w: w.internal.analytics.top_failed_by_filter(PN_F))
    assert top["failCount"] == 1
    assert run(lambda w: w.internal.analytics.top_failed("PN-F", "60", "g", "l", 7)) == [top]


@pytest.mark.usefixtures("tested")
def test_a_failed_unit_raises_an_alarm(run: Run) -> None:
    [alarm] = run(lambda w: w.internal.analytics.alarm_logs(PN_F, include_calculation_string=True))
    assert (alarm["type"], alarm["serialNumber"], alarm["processCode"]) == (1, "U1", 60)
