"""Which stored reports a statistic counts: WATS's ``PublicWatsFilter`` applied to the
fake's reports, the time periods of ``dateGrouping``, and the per-unit runs that yields
are computed from.

Filter fields applied: ``serialNumber partNumber revision testOperation`` (process code
or name) ``stationName status batchNumber socket productGroup miscDescription miscValue
dateFrom dateTo``, and ``periodCount``/``dateGrouping``/``includeCurrentPeriod`` when no
``dateFrom`` is given. ``level``, ``swFilename``, ``swVersion`` and ``yield`` are accepted
and not applied (the fake's reports carry no level or software).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from .._framework import Refusal, Request, refusing

if TYPE_CHECKING:
    from .._app import FakeWatsApp

__all__ = [
    "RESULT",
    "filter_param",
    "matching",
    "moment",
    "period_label",
    "recent_window",
    "start_of",
    "unit_runs",
    "yield_kpis",
]

Json = dict[str, Any]
RESULT = {"P": "Passed", "F": "Failed", "E": "Error", "T": "Terminated"}
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def moment(text: Any) -> datetime | None:
    """A WATS date-time as an aware UTC datetime (``None`` if it is not one).

    Accepts the odd ``2020-01-01T08:00:00.Z`` of Virinco's example and any number of
    fraction digits."""
    if not isinstance(text, str) or not text:
        return None
    value = text.strip().replace(".Z", "Z").replace("Z", "+00:00")
    head, dot, rest = value.partition(".")
    if dot:  # Python 3.10's fromisoformat takes exactly 3 or 6 fraction digits
        digits = len(rest) - len(rest.lstrip("0123456789"))
        value = f"{head}.{(rest[:digits] + '000000')[:6]}{rest[digits:]}"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=timezone.utc) if parsed.tzinfo is None else parsed


def start_of(doc: Mapping[str, Any]) -> datetime:
    return moment(doc.get("startUTC")) or moment(doc.get("start")) or _EPOCH


# dateGrouping: -1 none, then hour, day, week, month, quarter, year [inferred: the spec's
# default filter calls periodCount 30 with dateGrouping 1 "the last 30 days"].
def _period_start(when: datetime, grouping: int) -> datetime:
    when = when.astimezone(timezone.utc)
    if grouping == 0:
        return when.replace(minute=0, second=0, microsecond=0)
    day = when.replace(hour=0, minute=0, second=0, microsecond=0)
    if grouping == 2:
        return day - timedelta(days=day.weekday())
    if grouping == 3:
        return day.replace(day=1)
    if grouping == 4:
        return day.replace(day=1, month=(day.month - 1) // 3 * 3 + 1)
    if grouping == 5:
        return day.replace(day=1, month=1)
    return day


def _periods_back(start: datetime, grouping: int, count: int) -> datetime:
    if grouping in (0, 1, 2):
        step = {0: timedelta(hours=1), 1: timedelta(days=1), 2: timedelta(weeks=1)}[grouping]
        return start - step * count
    months = count * {3: 1, 4: 3, 5: 12}[grouping]
    index = start.year * 12 + start.month - 1 - months
    return start.replace(year=index // 12, month=index % 12 + 1)


def period_label(when: datetime, grouping: int) -> str | None:
    """The ``period`` dimension of a report started at ``when``."""
    if grouping not in range(6):
        return None
    start = _period_start(when, grouping)
    if grouping == 0:
        return start.strftime("%Y-%m-%dT%H")
    if grouping == 2:
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    if grouping == 3:
        return start.strftime("%Y-%m")
    if grouping == 4:
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    if grouping == 5:
        return str(start.year)
    return start.strftime("%Y-%m-%d")


def recent_window(wanted: Mapping[str, Any], now: datetime | None = None) -> Json:
    """``dateFrom``/``dateTo`` from ``periodCount``/``dateGrouping`` (the last N periods,
    the current one only with ``includeCurrentPeriod``), unless ``dateFrom`` is given."""
    out = dict(wanted)
    grouping, count = wanted.get("dateGrouping"), wanted.get("periodCount")
    if out.get("dateFrom") or not isinstance(count, int) or not isinstance(grouping, int):
        return out
    if grouping not in range(6):
        return out
    current = _period_start(now or datetime.now(timezone.utc), grouping)
    if wanted.get("includeCurrentPeriod"):
        out["dateFrom"] = _periods_back(current, grouping, count - 1).isoformat()
    else:
        out["dateFrom"] = _periods_back(current, grouping, count).isoformat()
        out.setdefault("dateTo", current.isoformat())
    return out


def _misc(doc: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [
        (str(m.get("description") or ""), str(m.get("text") or m.get("numeric") or ""))
        for m in doc.get("miscInfos") or ()
        if isinstance(m, dict)
    ]


def _groups_of(app: FakeWatsApp, part_number: str) -> set[str]:
    return {
        str(f["productGroup"]).lower()
        for f in app.mes.group_filters
        if str(f["partNumber"]).lower() == part_number.lower() and not f.get("exclude")
    }


def _fits(app: FakeWatsApp, doc: Mapping[str, Any], wanted: Mapping[str, Any]) -> bool:
    header = doc.get("uut") or doc.get("uur") or {}
    fields = {
        "serialNumber": [doc.get("sn")],
        "partNumber": [doc.get("pn")],
        "revision": [doc.get("rev")],
        "testOperation": [doc.get("processCode"), doc.get("processName")],
        "stationName": [doc.get("machineName")],
        "status": [doc.get("result"), RESULT.get(str(doc.get("result")))],
        "batchNumber": [header.get("batchSN")],
        "socket": [header.get("testSocketIndex")],
    }
    for name, values in fields.items():
        want = wanted.get(name)
        if want is not None and str(want).lower() not in {str(v).lower() for v in values}:
            return False
    group = wanted.get("productGroup")
    if group and str(group).lower() not in _groups_of(app, str(doc.get("pn") or "")):
        return False
    desc, value = wanted.get("miscDescription"), wanted.get("miscValue")
    if desc or value:
        return any(
            (not desc or d.lower() == str(desc).lower())
            and (not value or v.lower() == str(value).lower())
            for d, v in _misc(doc)
        )
    return True


def filter_param(request: Request) -> Json:
    """The filter a GET route takes as JSON in its ``filter`` query parameter."""
    [raw] = request.required("filter")
    with refusing("filter is not a JSON object: "):
        value = json.loads(raw)
    if not isinstance(value, dict):
        raise Refusal(400, "The request is invalid. filter is not a JSON object.")
    return value


def matching(
    app: FakeWatsApp, wanted: Mapping[str, Any], kinds: Iterable[str] = ("T", "R")
) -> list[Json]:
    """Stored reports of the given types (``T`` test, ``R`` repair) that the filter
    selects, oldest first."""
    types = set(kinds)
    since, until = moment(wanted.get("dateFrom")), moment(wanted.get("dateTo"))
    out = []
    for stored in app.state.all_reports():
        doc = stored.document
        if doc.get("type") not in types or not _fits(app, doc, wanted):
            continue
        start = start_of(doc)
        if (since is not None and start < since) or (until is not None and start > until):
            continue
        out.append(doc)
    out.sort(key=start_of)
    return out


def unit_runs(docs: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str, str], list[bool]]:
    """Each unit's test runs per process, in start order: passed or not."""
    runs: dict[tuple[str, str, str], list[bool]] = {}
    for doc in sorted(docs, key=start_of):
        if doc.get("type") != "T":
            continue
        unit = (str(doc.get("sn")).lower(), str(doc.get("pn")).lower(), str(doc.get("processCode")))
        runs.setdefault(unit, []).append(doc.get("result") == "P")
    return runs


def yield_kpis(runs: Mapping[Any, list[bool]]) -> Json:
    """Unit counts and yields (per cent of units): passed first time, within two runs,
    within three, and on the last run."""
    count = len(runs)
    counts = {
        "fpCount": sum(1 for r in runs.values() if r[0]),
        "spCount": sum(1 for r in runs.values() if any(r[:2])),
        "tpCount": sum(1 for r in runs.values() if any(r[:3])),
        "lpCount": sum(1 for r in runs.values() if r[-1]),
    }
    out: Json = {"unitCount": count, **counts}
    for name, value in counts.items():
        out[name[:2] + "y"] = round(100.0 * value / count, 2) if count else None
    return out
