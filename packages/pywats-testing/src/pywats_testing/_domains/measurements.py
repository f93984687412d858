"""WATS area App, measurement statistics computed from the stored test reports:
``Measurements`` (the values), ``AggregatedMeasurements`` (count, spread, capability per
measurement path) and ``TestStepAnalysis`` (per step and measurement).

The spec leaves the answers untyped. Aggregate rows use the statistic names of WATS's
``AggregatedMeasurement`` (internal spec: ``count min max avg sum stdev var median cp cpk
cpl cpu sigmaLow3 sigmaHigh3 limit1 limit2 compOperator unit``, ``stepPassCount`` …) plus
``measurementPath``; value rows and step-analysis rows use the names olreppe/pyWATS reads
(``serialNumber value limit1 limit2 …``, ``stepCount stepPassedCount …``) [inferred].

As the spec says: an empty filter means the last seven days (thirty for
``TestStepAnalysis``); without ``measurementPaths`` the most failed numeric measurements
are reported; at most ``maxCount`` (default 10,000) values, the newest. ``run`` in a
``TestStepAnalysis`` filter picks each unit's first (1, the default), second (2), third
(3), last (-1) or every (-2) run.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from .._framework import Reply, Request, RouteTable, int_field, json_object
from ._filter import matching, start_of
from ._steps import NumericPoint, numeric_points, numeric_summary, walk_steps

if TYPE_CHECKING:
    from .._app import FakeWatsApp

__all__ = ["routes"]

routes: RouteTable[FakeWatsApp] = RouteTable()

Json = dict[str, Any]
_MAX_COUNT = 10_000
_MOST_FAILED = 10
_STEP_STATUS = {
    "P": "stepPassedCount",
    "D": "stepDoneCount",
    "S": "stepSkippedCount",
    "F": "stepFailedCount",
    "E": "stepErrorCount",
    "T": "stepTerminatedCount",
}


def _filter(request: Request, default_days: int) -> Json:
    wanted = json_object(request.body)
    if not any(v is not None for v in wanted.values()):
        since = datetime.now(timezone.utc) - timedelta(days=default_days)
        wanted["dateFrom"] = since.isoformat()
    return wanted


def _wanted_paths(request: Request) -> list[str]:
    raw = request.param("measurementPaths") or ""
    return [p for p in (part.strip() for part in raw.split(";")) if p]


def _points(app: FakeWatsApp, request: Request) -> dict[str, list[NumericPoint]]:
    """The numeric measurements asked for, by measurement path in the order asked."""
    wanted = _filter(request, 7)
    found: dict[str, list[NumericPoint]] = defaultdict(list)
    for doc in matching(app, wanted, kinds="T"):
        for point in numeric_points(doc):
            found[point.path.lower()].append(point)
    paths = _wanted_paths(request)
    if not paths:  # the most failed measurements, as the spec describes
        failures = Counter(
            {k: sum(p.measurement.get("status") == "F" for p in pts) for k, pts in found.items()}
        )
        paths = [key for key, n in failures.most_common(_MOST_FAILED) if n > 0]
    limit = int_field(wanted, "maxCount") or _MAX_COUNT
    out: dict[str, list[NumericPoint]] = {}
    for path in paths:
        points = found.get(path.lower(), [])
        if points:
            out[points[0].path] = points[-limit:]
    return out


def _value_row(point: NumericPoint) -> Json:
    doc, meas = point.doc, point.measurement
    return {
        "measurementPath": point.path,
        "stepName": point.step.get("name"),
        "measureName": meas.get("name"),
        "reportId": doc.get("id"),
        "serialNumber": doc.get("sn"),
        "partNumber": doc.get("pn"),
        "revision": doc.get("rev"),
        "startUtc": start_of(doc).isoformat().replace("+00:00", "Z"),
        "value": point.value,
        "limit1": meas.get("lowLimit"),
        "limit2": meas.get("highLimit"),
        "compOperator": meas.get("compOp"),
        "unit": meas.get("unit"),
        "status": meas.get("status"),
    }


@routes.post("/api/App/Measurements")
async def app_measurements(app: FakeWatsApp, request: Request) -> Reply:
    points = _points(app, request)
    return Reply.json([_value_row(p) for pts in points.values() for p in pts])


def _step_counts(steps: list[Json]) -> Json:
    counts = Counter(_STEP_STATUS.get(str(s.get("status")), "stepOtherCount") for s in steps)
    out: Json = {"stepCount": len(steps)}
    out.update({name: counts.get(name, 0) for name in (*_STEP_STATUS.values(), "stepOtherCount")})
    out["stepCausedUutFailed"] = sum(1 for s in steps if s.get("causedUUTFailure"))
    times = [float(s["totTime"]) for s in steps if isinstance(s.get("totTime"), (int, float))]
    if times:
        out.update(
            stepTimeMin=min(times), stepTimeMax=max(times), stepTimeAvg=sum(times) / len(times)
        )
    return out


@routes.post("/api/App/AggregatedMeasurements")
async def app_aggregated_measurements(app: FakeWatsApp, request: Request) -> Reply:
    rows = []
    for path, points in _points(app, request).items():
        statuses = Counter(p.measurement.get("status") for p in points)
        row: Json = {"measurementPath": path, **numeric_summary(points)}
        row.update(
            stepTotalCount=len(points),
            stepPassCount=statuses.get("P", 0),
            stepFailCount=statuses.get("F", 0),
            minUtcStartTime=start_of(points[0].doc).isoformat().replace("+00:00", "Z"),
            maxUtcStartTime=start_of(points[-1].doc).isoformat().replace("+00:00", "Z"),
        )
        rows.append(row)
    return Reply.json(rows)


def _runs(docs: list[Json], run: int) -> list[Json]:
    """Each unit's n-th run (1-based; -1 last, -2 all) per process."""
    if run == -2:
        return docs
    by_unit: dict[tuple[str, str, str], list[Json]] = defaultdict(list)
    for doc in docs:
        unit = (str(doc.get("sn")).lower(), str(doc.get("pn")).lower(), str(doc.get("processCode")))
        by_unit[unit].append(doc)
    index = -1 if run == -1 else run - 1
    picked = [runs[index] for runs in by_unit.values() if -len(runs) <= index < len(runs)]
    return sorted(picked, key=start_of)


@routes.post("/api/App/TestStepAnalysis")
async def app_test_step_analysis(app: FakeWatsApp, request: Request) -> Reply:
    wanted = _filter(request, 30)
    try:
        run = int(wanted.pop("run", 1))
    except (TypeError, ValueError):
        return Reply.message(400, "The filter's run is 1, 2, 3, -1 (last) or -2 (all)")
    if run not in (1, 2, 3, -1, -2):
        return Reply.message(400, "The filter's run is 1, 2, 3, -1 (last) or -2 (all)")
    limit = int_field(wanted, "maxCount") or _MAX_COUNT
    docs = _runs(matching(app, wanted, kinds="T"), run)[-limit:]
    steps: dict[str, list[Json]] = defaultdict(list)
    points: dict[tuple[str, str | None], list[NumericPoint]] = defaultdict(list)
    for doc in docs:
        for path, step in walk_steps(doc):
            steps[path].append(step)
        for point in numeric_points(doc):
            points[(point.step_path, point.measurement.get("name"))].append(point)
    rows = []
    for path, executions in steps.items():
        base: Json = {
            "stepName": executions[-1].get("name"),
            "stepPath": path,
            "stepType": executions[-1].get("stepType"),
            "stepGroup": executions[-1].get("group"),
            **_step_counts(executions),
        }
        measured = [key for key in points if key[0] == path]
        if not measured:
            rows.append({**base, "measurementPath": path})
        for key in measured:
            found = points[key]
            summary = numeric_summary(found)
            summary["measureCount"] = summary.pop("count")
            row = {**base, "measurementPath": found[0].path, "measureName": key[1]}
            rows.append({**row, **summary})
    return Reply.json(rows)
