"""Statistics computed by the fake from its reports, read through wats.analytics over
loopback with the contract check on."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from pywats.models import Product, PublicWatsFilter

Run = Callable[[Callable[[Any], Any]], Any]


@pytest.fixture
def loaded(run: Run, make_report: Callable[..., dict[str, Any]]) -> None:
    """PN-A: A1 passes, A2 fails then passes; PN-B: B1 fails twice on 'Voltage'."""
    now = datetime.now(timezone.utc)
    runs = [("PN-A", "A1", "P"), ("PN-A", "A2", "F"), ("PN-A", "A2", "P"), ("PN-B", "B1", "F")]
    runs.append(("PN-B", "B1", "F"))
    run(lambda w: w.product.save_many([Product(part_number="PN-A"), Product(part_number="PN-B")]))
    run(lambda w: w.product.add_to_product_group("Boards", "PN-B"))
    for n, (pn, sn, result) in enumerate(runs):
        start = (now - timedelta(minutes=10 - n)).isoformat().replace("+00:00", "Z")
        report = make_report(id=str(uuid.uuid4()), pn=pn, sn=sn, result=result)
        report.update(start=start, startUTC=start)
        report["root"]["status"] = result
        report["root"]["steps"][0]["status"] = result
        report["root"]["steps"][0]["numericMeas"][0]["status"] = result
        run(lambda w, r=report: w.report.submit_wsjf(r))


@pytest.mark.usefixtures("loaded")
def test_worst_yield_and_high_volume_rank_products(run: Run) -> None:
    worst = run(lambda w: w.analytics.worst_yield(PublicWatsFilter(top_count=1)))
    assert [(r["partNumber"], r["fpy"]) for r in worst] == [("PN-B", 0.0)]
    busiest = run(lambda w: w.analytics.high_volume())
    assert [(r["partNumber"], r["unitCount"]) for r in busiest] == [("PN-A", 2), ("PN-B", 1)]
    recent = run(
        lambda w: w.analytics.volume_yield_recent(1, product_group_id="Boards", level_id="1")
    )
    assert [r["partNumber"] for r in recent] == ["PN-B"]


@pytest.mark.usefixtures("loaded")
def test_top_failed_counts_the_failing_step(run: Run) -> None:
    failed = run(lambda w: w.analytics.top_failed(PublicWatsFilter(part_number="PN-B")))
    assert [(r["stepName"], r["failCount"]) for r in failed] == [("Voltage", 2)]
    recent = run(
        lambda w: w.analytics.top_failed_recent(
            "PN-A", "10", days=1, count=5, product_group_id="Boards", level_id="1"
        )
    )
    assert [(r["stepName"], r["failCount"]) for r in recent] == [("Voltage", 1)]


@pytest.mark.usefixtures("loaded")
def test_uut_reports_come_newest_first(run: Run) -> None:
    rows = run(lambda w: w.analytics.uut_reports(PublicWatsFilter(part_number="PN-A")))
    assert [(r["serialNumber"], r["status"]) for r in rows] == [
        ("A2", "Passed"),
        ("A2", "Failed"),
        ("A1", "Passed"),
    ]
    assert len(run(lambda w: w.analytics.uut_reports_recent(serial_number="B1"))) == 2
    assert run(lambda w: w.analytics.uur_reports()) == []


@pytest.mark.usefixtures("loaded")
def test_product_group_statistics(run: Run) -> None:
    [group] = run(lambda w: w.analytics.worst_yield_by_product_group())
    assert (group["productGroup"], group["unitCount"], group["fpy"]) == ("Boards", 1, 0.0)
    assert run(lambda w: w.analytics.high_volume_by_product_group())[0]["unitCount"] == 1
