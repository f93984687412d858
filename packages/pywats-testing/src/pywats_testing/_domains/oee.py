"""WATS area App, ``OeeAnalysis``: overall equipment effectiveness of the stations, from
the stored test reports.

OEE = availability * performance * quality, each in per cent [inferred: the spec names
only the inputs]:

- availability: the test time (the reports' ``uut.execTime``) over the available time,
  ``availableTime`` being hours per weekday, Sunday first as .NET numbers weekdays
  (``24,24,24,24,24,24,24``), summed over the filter's ``dateFrom``..``dateTo`` (default:
  the last seven days);
- performance: reports over ``targetOutput`` per day of available time (left out, and
  ``null``, without ``targetOutput``);
- quality: passed reports over all reports.

``minExecutionTime``/``maxExecutionTime`` (seconds) leave out reports outside them;
``minConnectionTime``/``maxConnectionTime`` are accepted and not applied (the fake keeps
no station connection log).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from .._framework import Reply, Request, RouteTable, json_object
from ._filter import matching, moment

if TYPE_CHECKING:
    from .._app import FakeWatsApp

__all__ = ["routes"]

routes: RouteTable[FakeWatsApp] = RouteTable()

_DAY = timedelta(days=1)


def _hours_by_weekday(text: str) -> list[float]:
    parts = [p.strip() for p in text.split(",")]
    try:
        hours = [float(p) for p in parts]
    except ValueError:
        hours = []
    if len(hours) != 7 or any(not 0 <= h <= 24 for h in hours):
        raise ValueError(
            f"availableTime is seven hours (0-24) per weekday from Sunday, e.g."
            f" 24,24,24,24,24,24,24; not '{text}'"
        )
    return hours


def _available(since: datetime, until: datetime, hours: list[float]) -> tuple[float, float]:
    """(available hours, days with available time) between two moments."""
    total = days = 0.0
    day = since.replace(hour=0, minute=0, second=0, microsecond=0)
    while day < until:
        overlap = (min(until, day + _DAY) - max(since, day)) / _DAY
        per_day = hours[(day.weekday() + 1) % 7]  # Python: Monday 0; .NET: Sunday 0
        total += overlap * per_day
        days += overlap if per_day > 0 else 0.0
        day += _DAY
    return total, days


def _int_param(request: Request, name: str) -> int | None:
    raw = request.param(name)
    return int(raw) if raw not in (None, "") else None


def _percent(part: float, whole: float) -> float | None:
    return round(100.0 * part / whole, 2) if whole else None


@routes.post("/api/App/OeeAnalysis")
async def app_oee_analysis(app: FakeWatsApp, request: Request) -> Reply:
    try:
        hours = _hours_by_weekday(request.param("availableTime") or "")
        low, high = _int_param(request, "minExecutionTime"), _int_param(request, "maxExecutionTime")
        target = _int_param(request, "targetOutput")
    except ValueError as exc:
        return Reply.message(400, f"The request is invalid. {exc}")
    wanted = json_object(request.body)
    until = moment(wanted.get("dateTo")) or datetime.now(timezone.utc)
    since = moment(wanted.get("dateFrom")) or until - 7 * _DAY
    wanted.update(dateFrom=since.isoformat(), dateTo=until.isoformat())
    docs = []
    for doc in matching(app, wanted, kinds="T"):
        seconds = float((doc.get("uut") or {}).get("execTime") or 0.0)
        if (low is None or seconds >= low) and (high is None or seconds <= high):
            docs.append((doc, seconds))
    available, days = _available(since, until, hours)
    run = sum(seconds for _, seconds in docs) / 3600.0
    good = sum(1 for doc, _ in docs if doc.get("result") == "P")
    availability, quality = _percent(run, available), _percent(good, len(docs))
    performance = _percent(len(docs), target * days) if target else None
    factors = [f for f in (availability, performance, quality) if f is not None]
    oee = None
    if availability is not None and quality is not None:
        oee = 100.0
        for factor in factors:
            oee *= factor / 100.0
    return Reply.json(
        {
            "dateFrom": since.isoformat().replace("+00:00", "Z"),
            "dateTo": until.isoformat().replace("+00:00", "Z"),
            "availableTime": round(available, 4),
            "runTime": round(run, 4),
            "totalCount": len(docs),
            "goodCount": good,
            "targetOutput": target,
            "availability": availability,
            "performance": performance,
            "quality": quality,
            "oee": round(oee, 2) if oee is not None else None,
        }
    )
