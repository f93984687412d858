"""Measurement, step, dynamic-yield, repair and OEE statistics computed by the fake from
reports the tests upload, read through wats.analytics (sync and async) over loopback
with the contract check on. The expected numbers are computed here from the uploads."""

from __future__ import annotations

import copy
import statistics
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

import pywats
from pywats.models import PublicWatsFilter

Run = Callable[[Callable[[Any], Any]], Any]

ROOT = "MainSequence Callback"
VOLTAGE = f"{ROOT}\u00b6Voltage"
CURRENT_I2 = f"{ROOT}\u00b6Currents\u00b6\u00b6I2"
LOW, HIGH = 4.9, 5.1
# (serial number, voltage, I2, station); a voltage outside LOW..HIGH fails the report.
RUNS = [
    ("M1", 5.00, 1.0, "st-1"),
    ("M2", 5.20, 1.2, "st-1"),
    ("M2", 5.05, 1.1, "st-2"),
    ("M3", 4.95, 0.9, "st-2"),
]
HOUR = timedelta(hours=1)


def _stamp(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _steps(volts: float, amps: float) -> list[dict[str, Any]]:
    """A voltage step (fails outside LOW..HIGH) and a two-current step (I1, I2)."""
    status = "P" if LOW <= volts <= HIGH else "F"
    voltage = {
        "name": None,
        "status": status,
        "value": volts,
        "unit": "V",
        "compOp": "GELE",
        "lowLimit": LOW,
        "highLimit": HIGH,
    }
    currents = [
        {"name": name, "status": "P", "value": value, "unit": "A", "compOp": "LE", "lowLimit": 2.0}
        for name, value in (("I1", 0.5), ("I2", amps))
    ]
    return [
        {
            "id": 2,
            "group": "M",
            "stepType": "ET_NLT",
            "name": "Voltage",
            "status": status,
            "totTime": 0.5,
            "causedUUTFailure": status == "F",
            "numericMeas": [voltage],
        },
        {
            "id": 3,
            "group": "M",
            "stepType": "ET_MNLT",
            "name": "Currents",
            "status": "P",
            "totTime": 0.25,
            "numericMeas": currents,
        },
    ]


@pytest.fixture
def uploaded(run: Run, make_report: Callable[..., dict[str, Any]]) -> list[dict[str, Any]]:
    """The four test runs of RUNS, an hour apart, the last one an hour ago."""
    now = datetime.now(timezone.utc).replace(microsecond=0)
    reports = []
    for n, (sn, volts, amps, station) in enumerate(RUNS):
        start = _stamp(now - (len(RUNS) - n) * HOUR)
        steps = _steps(volts, amps)
        status = steps[0]["status"]
        report = make_report(id=str(uuid.uuid4()), pn="PN-M", sn=sn, result=status)
        report.update(machineName=station, start=start, startUTC=start)
        report["uut"]["execTime"] = 1800.0
        report["root"].update(status=status, steps=steps)
        run(lambda w, r=report: w.report.submit_wsjf(r))
        reports.append(report)
    return reports


FILTER = PublicWatsFilter(part_number="PN-M", test_operation="10")


def test_measurements_are_the_uploaded_values_of_the_path(run: Run, uploaded: Any) -> None:
    rows = run(lambda w: w.analytics.measurements(FILTER, measurement_paths=VOLTAGE))
    assert [(r["serialNumber"], r["value"], r["status"]) for r in rows] == [
        (sn, volts, "P" if LOW <= volts <= HIGH else "F") for sn, volts, _, _ in RUNS
    ]
    assert {(r["limit1"], r["limit2"], r["measurementPath"]) for r in rows} == {
        (LOW, HIGH, VOLTAGE)
    }


def test_a_multi_numeric_measurement_is_named_after_two_paragraph_marks(
    run: Run, uploaded: Any
) -> None:
    rows = run(lambda w: w.analytics.measurements(FILTER, measurement_paths=[CURRENT_I2]))
    assert [r["value"] for r in rows] == [amps for _, _, amps, _ in RUNS]


def test_without_paths_the_most_failed_measurements_are_reported(run: Run, uploaded: Any) -> None:
    rows = run(lambda w: w.analytics.measurements(FILTER))
    assert {r["measurementPath"] for r in rows} == {VOLTAGE}


def test_aggregated_measurements_give_count_spread_and_capability(run: Run, uploaded: Any) -> None:
    [row] = run(lambda w: w.analytics.aggregated_measurements(FILTER, measurement_paths=VOLTAGE))
    values = [volts for _, volts, _, _ in RUNS]
    mean, sd = statistics.fmean(values), statistics.stdev(values)
    assert (row["count"], row["min"], row["max"]) == (4, min(values), max(values))
    assert row["avg"] == pytest.approx(mean)
    assert row["stdev"] == pytest.approx(sd)
    assert row["cpk"] == pytest.approx(min(HIGH - mean, mean - LOW) / (3 * sd), rel=1e-5)
    assert row["cp"] == pytest.approx((HIGH - LOW) / (6 * sd), rel=1e-5)
    assert (row["stepPassCount"], row["stepFailCount"]) == (3, 1)


def test_a_single_upper_limit_gives_only_the_upper_capability(run: Run, uploaded: Any) -> None:
    [row] = run(lambda w: w.analytics.aggregated_measurements(FILTER, measurement_paths=CURRENT_I2))
    values = [amps for _, _, amps, _ in RUNS]
    mean, sd = statistics.fmean(values), statistics.stdev(values)
    assert (row["cp"], row["cpl"]) == (None, None)
    assert row["cpk"] == row["cpu"] == pytest.approx((2.0 - mean) / (3 * sd), rel=1e-5)


def test_step_analysis_counts_each_units_first_run(run: Run, uploaded: Any) -> None:
    rows = run(lambda w: w.analytics.test_step_analysis(FILTER))
    voltage = next(r for r in rows if r["stepPath"] == VOLTAGE)
    # First runs: M1 5.00 (P), M2 5.20 (F), M3 4.95 (P); M2's retest is not a first run.
    assert (voltage["stepCount"], voltage["stepPassedCount"], voltage["stepFailedCount"]) == (
        3,
        2,
        1,
    )
    assert voltage["avg"] == pytest.approx(statistics.fmean([5.00, 5.20, 4.95]))
    assert voltage["stepCausedUutFailed"] == 1
    currents = {r["measureName"] for r in rows if r["stepName"] == "Currents"}
    assert currents == {"I1", "I2"}


def test_step_analysis_of_every_run(run: Run, uploaded: Any) -> None:
    every = {**FILTER.model_dump(by_alias=True, exclude_none=True), "run": -2}
    rows = run(lambda w: w.analytics.test_step_analysis(every))
    assert next(r for r in rows if r["stepPath"] == VOLTAGE)["stepCount"] == len(RUNS)


def test_dynamic_yield_groups_by_the_dimensions_asked(run: Run, uploaded: Any) -> None:
    rows = run(lambda w: w.analytics.dynamic_yield(FILTER, dimensions="stationName;unitCount;fpy"))
    # st-1: M1 passes, M2 fails; st-2: M2 passes (its first run there), M3 passes.
    assert rows == [
        {"stationName": "st-1", "unitCount": 2, "fpy": 50.0},
        {"stationName": "st-2", "unitCount": 2, "fpy": 100.0},
    ]


def test_dynamic_yield_default_is_unit_count_by_product_and_operation(
    run: Run, uploaded: Any
) -> None:
    rows = run(lambda w: w.analytics.dynamic_yield())
    assert rows == [{"partNumber": "PN-M", "testOperation": "SW Debug", "unitCount": 3}]


def test_dynamic_yield_gives_every_kpi_when_none_is_named(run: Run, uploaded: Any) -> None:
    [row] = run(lambda w: w.analytics.dynamic_yield(FILTER, dimensions="partNumber"))
    # M1 and M3 pass first time, M2 on its second run: 3 units, 4 reports, 1 retest.
    assert (row["unitCount"], row["fpCount"], row["spCount"], row["lpCount"]) == (3, 2, 3, 3)
    assert (row["testReportCount"], row["testYieldCount"], row["retestCount"]) == (4, 3, 1)
    assert row["fpy"] == pytest.approx(100.0 * 2 / 3, abs=0.01)
    assert row["ppmFpy"] == pytest.approx(1e6 / 3, abs=0.01)


def test_dynamic_yield_by_day(run: Run, uploaded: list[dict[str, Any]]) -> None:
    by_day = PublicWatsFilter(part_number="PN-M", date_grouping=1)
    rows = run(lambda w: w.analytics.dynamic_yield(by_day, dimensions="period;unitCount"))
    units: dict[str, set[str]] = {}
    for report in uploaded:  # the uploads straddle midnight when run just after it
        units.setdefault(report["startUTC"][:10], set()).add(report["sn"])
    assert rows == [{"period": day, "unitCount": len(sns)} for day, sns in sorted(units.items())]


def test_dynamic_yield_refuses_what_it_cannot_compute(run: Run, uploaded: Any) -> None:
    with pytest.raises(pywats.ValidationError, match="swVersion"):
        run(lambda w: w.analytics.dynamic_yield(FILTER, dimensions="swVersion"))


def test_oee_from_test_time_and_quality(run: Run, uploaded: Any) -> None:
    start = datetime.now(timezone.utc).replace(microsecond=0) - 6 * HOUR
    window = PublicWatsFilter(part_number="PN-M", date_from=start, date_to=start + 6 * HOUR)
    hours = ",".join(["24"] * 7)
    oee = run(lambda w: w.analytics.oee_analysis(hours, window, target_output=16))
    # Four half-hour runs in six hours; three passed; target 16 a day = 4 in six hours.
    assert (oee["totalCount"], oee["goodCount"]) == (4, 3)
    assert oee["availability"] == pytest.approx(100.0 * 2.0 / 6.0, abs=0.01)
    assert oee["quality"] == 75.0
    assert oee["performance"] == pytest.approx(100.0)
    assert oee["oee"] == pytest.approx(100.0 * (2.0 / 6.0) * 0.75, abs=0.01)


def test_oee_needs_seven_weekday_hours(run: Run) -> None:
    with pytest.raises(pywats.ValidationError, match="seven hours"):
        run(lambda w: w.analytics.oee_analysis("24,24"))


@pytest.fixture
def repaired(run: Run, uploaded: list[dict[str, Any]]) -> dict[str, Any]:
    """M2's failed run repaired: one failure on its voltage step, R12 replaced."""
    failed = uploaded[1]
    repair = {
        "type": "R",
        "id": str(uuid.uuid4()),
        "pn": "PN-M",
        "sn": "M2",
        "rev": "A",
        "processCode": 500,
        "result": "P",
        "machineName": "rework-1",
        "location": "lab",
        "purpose": "repair",
        "start": failed["start"],
        "startUTC": failed["startUTC"],
        "uur": {"user": "fixer", "processCode": 10, "refUUT": failed["id"]},
        "subUnits": [
            {
                "partType": "Main",
                "pn": "PN-M",
                "rev": "A",
                "sn": "M2",
                "idx": 0,
                "failures": [
                    {
                        "category": "Component",
                        "code": "Wrong value",
                        "comRef": "R12",
                        "refStepId": 2,
                    }
                ],
            }
        ],
    }
    run(lambda w: w.report.submit_wsjf(copy.deepcopy(repair)))
    return repair


def test_related_repair_history_lists_the_failure_with_its_step(
    run: Run, repaired: dict[str, Any]
) -> None:
    [row] = run(lambda w: w.analytics.related_repair_history("PN-M", "A"))
    assert (row["serialNumber"], row["repairCode"], row["componentRef"]) == (
        "M2",
        "Wrong value",
        "R12",
    )
    assert (row["referencedStep"], row["referencedStepPath"]) == ("Voltage", VOLTAGE)
    assert row["testReportId"] == repaired["uur"]["refUUT"]
    other = run(lambda w: w.analytics.related_repair_history("PN-M", "A", test_operation_code="50"))
    assert other == []


def test_dynamic_repair_counts_repairs_and_failures(run: Run, repaired: Any) -> None:
    rows = run(
        lambda w: w.analytics.dynamic_repair(
            PublicWatsFilter(part_number="PN-M"), dimensions="componentRef;repairCount"
        )
    )
    assert rows == [{"componentRef": "R12", "repairCount": 1}]
    [default] = run(lambda w: w.analytics.dynamic_repair())
    assert (default["repairOperation"], default["repairReportCount"]) == ("Repair", 1)
