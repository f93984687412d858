"""Which reports the fake's statistics count: each field of the PublicWatsFilter, the
periods of dateGrouping, periodCount windows and WATS's odd timestamps, observed over
loopback through /api/App/DynamicYield's unit counts. Plain httpx, no contract mode."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest

# SN-1 (this year, batch B7, socket 2, misc Fixture=F-9) passes; SN-2 (last year) fails.
THIS_YEAR = datetime.now(timezone.utc).year


def _report(sn: str, result: str, start_utc: str, **uut: Any) -> dict[str, Any]:
    return {
        "type": "T",
        "id": str(uuid.uuid4()),
        "pn": "PN-1",
        "sn": sn,
        "rev": "A",
        "processCode": 10,
        "result": result,
        "machineName": f"st-{sn}",
        "location": "lab",
        "purpose": "test",
        "start": start_utc,
        "startUTC": start_utc,
        "uut": {"user": "op", "execTime": 1.0, **uut},
        "miscInfos": [{"description": "Fixture", "text": "F-9"}] if uut else [],
        "root": {
            "id": 1,
            "group": "M",
            "stepType": "SequenceCall",
            "name": "MainSequence Callback",
            "status": result,
            "seqCall": {"path": "main.seq", "name": "MainSequence", "version": "1.0"},
            "steps": [],
        },
    }


@pytest.fixture
def two_years(api: httpx.Client) -> httpx.Client:
    # Seven fraction digits (as .NET writes them) and Virinco's ".Z" must both parse.
    first = _report(
        "SN-1", "P", f"{THIS_YEAR}-01-02T10:15:00.1234567Z", batchSN="B7", testSocketIndex=2
    )
    second = _report("SN-2", "F", f"{THIS_YEAR - 1}-12-31T23:30:00.Z")
    for report in (first, second):
        assert api.post("/api/Report/WSJF", json=report).status_code == 200
    return api


def _units(api: httpx.Client, wanted: dict[str, Any], dimensions: str = "period") -> list[Any]:
    answer = api.post("/api/App/DynamicYield", params={"dimensions": dimensions}, json=wanted)
    assert answer.status_code == 200, answer.text
    return [(row.get("period"), row["unitCount"]) for row in answer.json()]


@pytest.mark.parametrize(
    ("grouping", "labels"),
    [
        (0, [f"{THIS_YEAR - 1}-12-31T23", f"{THIS_YEAR}-01-02T10"]),
        (1, [f"{THIS_YEAR - 1}-12-31", f"{THIS_YEAR}-01-02"]),
        (3, [f"{THIS_YEAR - 1}-12", f"{THIS_YEAR}-01"]),
        (4, [f"{THIS_YEAR - 1}-Q4", f"{THIS_YEAR}-Q1"]),
        (5, [str(THIS_YEAR - 1), str(THIS_YEAR)]),
    ],
)
def test_each_date_grouping_labels_its_periods(
    two_years: httpx.Client, grouping: int, labels: list[str]
) -> None:
    wanted = {"dateGrouping": grouping, "dateFrom": "2000-01-01T00:00:00Z"}
    assert _units(two_years, wanted) == [(label, 1) for label in labels]


def test_weeks_are_iso_weeks_and_no_grouping_is_one_row(two_years: httpx.Client) -> None:
    weeks = Counter(
        f"{year}-W{week:02d}"
        for year, week, _ in (
            datetime(THIS_YEAR - 1, 12, 31).isocalendar(),
            datetime(THIS_YEAR, 1, 2).isocalendar(),
        )
    )
    wanted = {"dateGrouping": 2, "dateFrom": "2000-01-01T00:00:00Z"}
    assert _units(two_years, wanted) == sorted(weeks.items())
    wanted = {"dateGrouping": -1, "dateFrom": "2000-01-01T00:00:00Z"}
    assert _units(two_years, wanted) == [(None, 2)]


@pytest.mark.parametrize(
    ("wanted", "units"),
    [
        ({"batchNumber": "b7"}, 1),
        ({"socket": 2}, 1),
        ({"socket": 3}, 0),
        ({"stationName": "ST-SN-2"}, 1),
        ({"status": "Failed"}, 1),
        ({"status": "F"}, 1),
        ({"miscDescription": "fixture"}, 1),
        ({"miscValue": "F-9"}, 1),
        ({"miscDescription": "Fixture", "miscValue": "nope"}, 0),
        ({"productGroup": "NoSuchGroup"}, 0),
        ({"dateTo": f"{THIS_YEAR}-01-01T00:00:00Z"}, 1),
        ({"dateFrom": f"{THIS_YEAR}-01-01T00:00:00Z"}, 1),
        ({"dateFrom": "not a date"}, 2),
        # the last N years: the current one only when asked for
        ({"periodCount": 1, "dateGrouping": 5, "includeCurrentPeriod": True}, 1),
        ({"periodCount": 1, "dateGrouping": 5}, 1),
        ({"periodCount": 2, "dateGrouping": 5, "includeCurrentPeriod": True}, 2),
    ],
    ids=lambda v: str(v),
)
def test_each_filter_field_picks_the_reports_it_names(
    two_years: httpx.Client, wanted: dict[str, Any], units: int
) -> None:
    wanted = (
        {"dateFrom": "2000-01-01T00:00:00Z", **wanted} if "periodCount" not in wanted else wanted
    )
    rows = _units(two_years, {**wanted, "dateGrouping": wanted.get("dateGrouping", -1)})
    assert sum(count for _, count in rows) == units


def test_last_year_alone_is_the_previous_period(two_years: httpx.Client) -> None:
    rows = _units(two_years, {"periodCount": 1, "dateGrouping": 5})
    assert rows == [(str(THIS_YEAR - 1), 1)]
    current = _units(two_years, {"periodCount": 1, "dateGrouping": 5, "includeCurrentPeriod": True})
    assert current == [(str(THIS_YEAR), 1)]
