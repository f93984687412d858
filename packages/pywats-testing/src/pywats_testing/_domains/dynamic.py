"""WATS area App, KPIs grouped by the caller's dimensions (both PREVIEW in WATS):
``DynamicYield`` over the stored test reports, ``DynamicRepair`` over the repair reports'
failures.

``dimensions`` (query parameter, else the filter's field) lists, separated by ``;``, the
dimensions to group by and KPIs to order by, each optionally followed by ``asc`` or
``desc``; rows are ordered in that order. Only the KPIs named are returned, all of them
when none is named. An empty filter is the spec's default filter (the top 10 of the last
30 days). A dimension or KPI the spec lists that the fake cannot compute (levels,
software, misc infos, assets, trends, colours) is refused with ``400`` naming it, rather
than answered wrongly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .._framework import Refusal, Reply, Request, RouteTable, int_field, json_object
from ._filter import matching, moment, period_label, recent_window, start_of, unit_runs, yield_kpis
from ._steps import walk_steps
from .repair import failure_rows, repair_fields

if TYPE_CHECKING:
    from .._app import FakeWatsApp

__all__ = ["routes"]

routes: RouteTable[FakeWatsApp] = RouteTable()

Json = dict[str, Any]


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_DEFAULT = {"topCount": 10, "periodCount": 30, "dateGrouping": 1, "includeCurrentPeriod": True}
_YIELD_DEFAULT = "unitCount desc;partNumber;testOperation"
_REPAIR_DEFAULT = "repairCount desc;repairReportCount desc;partNumber;repairOperation"

_YIELD_DIMENSIONS = _words(
    "partNumber productName stationName location purpose revision testOperation "
    "processCode period batchNumber operator fixtureId socketIndex errorCode "
    "stepCausedUutFailure stepPathCausedUutFailure"
)
_YIELD_UNSUPPORTED = _words(
    "swFilename swVersion productGroup level miscInfoDescription miscInfoString "
    "assetSerialNumber assetName"
)
_YIELD_KPIS = _words(
    "unitCount fpCount spCount tpCount lpCount fpy spy tpy lpy testReportCount "
    "testYieldCount testYield firstUtc lastUtc fpFailCount spFailCount tpFailCount "
    "lpFailCount retestCount ppmFpy ppmSpy ppmTpy ppmLpy ppmTestYield"
)
_REPAIR_DIMENSIONS = _words(
    "partNumber revision productName repairOperation period stationName location purpose "
    "operator repairCode repairCategory componentRef componentNumber componentRevision "
    "componentVendor componentDescription functionBlock referencedStep referencedStepPath "
    "testOperation"
)
_REPAIR_UNSUPPORTED = _words(
    "productGroup unitType level miscInfoDescription miscInfoString testPeriod testLevel "
    "testStationName testLocation testPurpose testOperator batchNumber swFilename "
    "swVersion"
)
_REPAIR_KPIS = ["repairReportCount", "repairCount"]


def _parse(
    text: str, dimensions: Sequence[str], kpis: Sequence[str], unsupported: Sequence[str]
) -> tuple[list[str], list[str], list[tuple[str, bool]]]:
    """(group-by dimensions, KPIs named, ordering) from a ``dimensions`` text; a
    :class:`Refusal` (400) names a word it cannot take."""
    by_lower = {name.lower(): name for name in (*dimensions, *kpis)}
    dims: list[str] = []
    named: list[str] = []
    order: list[tuple[str, bool]] = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        words = part.split()
        if len(words) > 2 or (len(words) == 2 and words[1].lower() not in ("asc", "desc")):
            raise Refusal(400, f"'{part}' is not a dimension or KPI with an optional asc or desc")
        name = by_lower.get(words[0].lower())
        if name is None:
            known = {n.lower() for n in unsupported}
            if words[0].lower() in known or words[0].lower().endswith(("trend", "color")):
                raise Refusal(400, f"pywats-testing: the fake does not compute '{words[0]}'")
            raise Refusal(400, f"'{words[0]}' is not a supported dimension or KPI")
        (named if name in kpis else dims).append(name)
        order.append((name, len(words) == 2 and words[1].lower() == "desc"))
    return dims, named, order


def _filter_and_dimensions(request: Request, default: str) -> tuple[Json, str]:
    wanted = json_object(request.body)
    if not any(v is not None for v in wanted.values()):
        wanted = dict(_DEFAULT)
    text = request.param("dimensions") or wanted.pop("dimensions", None) or default
    return recent_window(wanted), str(text)


def _rows(
    items: Sequence[Json],
    dims: list[str],
    value: Callable[[Json, str], Any],
    kpis: Callable[[list[Json]], Json],
) -> list[Json]:
    groups: dict[tuple[Any, ...], list[Json]] = {}
    for item in items:
        groups.setdefault(tuple(value(item, d) for d in dims), []).append(item)
    return [{**dict(zip(dims, key, strict=True)), **kpis(items)} for key, items in groups.items()]


def _ordered(rows: list[Json], name: str, descending: bool) -> list[Json]:
    """Rows by one column (strings without regard to case); rows without it last."""
    present = [r for r in rows if r.get(name) is not None]
    present.sort(
        key=lambda r: r[name].lower() if isinstance(r[name], str) else r[name], reverse=descending
    )
    return present + [r for r in rows if r.get(name) is None]


def _finish(
    rows: list[Json], named: list[str], order: list[tuple[str, bool]], top: Any
) -> list[Json]:
    for name, descending in reversed(order):  # stable sorts, least significant first
        rows = _ordered(rows, name, descending)
    if named:
        keep = set(named)
        rows = [{k: v for k, v in r.items() if k in keep or k not in _ALL_KPIS} for r in rows]
    return rows[: int(top)] if isinstance(top, int) and top > 0 else rows


_ALL_KPIS = frozenset((*_YIELD_KPIS, *_REPAIR_KPIS))


# -- DynamicYield ---------------------------------------------------------------------
def _caused_failure(doc: Mapping[str, Any]) -> tuple[Any, Any]:
    wanted = (doc.get("uut") or {}).get("stepIdCausedUUTFailure")
    for path, step in walk_steps(doc):
        if (wanted is not None and step.get("id") == wanted) or (
            wanted is None and step.get("causedUUTFailure")
        ):
            return step.get("name"), path
    return None, None


def _yield_value(app: FakeWatsApp, grouping: int) -> Callable[[Json, str], Any]:
    names = {p.code: p.name for p in app.state.processes}

    def value(doc: Json, dimension: str) -> Any:
        uut = doc.get("uut") or {}
        if dimension == "period":
            return period_label(start_of(doc), grouping)
        if dimension == "testOperation":
            return doc.get("processName") or names.get(int(doc.get("processCode") or 0))
        if dimension == "productName":
            product = app.mes.product(str(doc.get("pn")))
            return doc.get("productName") or (product or {}).get("name")
        if dimension in ("stepCausedUutFailure", "stepPathCausedUutFailure"):
            return _caused_failure(doc)[dimension == "stepPathCausedUutFailure"]
        keys = {
            "partNumber": doc.get("pn"),
            "revision": doc.get("rev"),
            "stationName": doc.get("machineName"),
            "batchNumber": uut.get("batchSN"),
            "operator": uut.get("user"),
            "socketIndex": uut.get("testSocketIndex"),
        }
        if dimension in keys:
            return keys[dimension]
        return (uut if dimension in ("fixtureId", "errorCode") else doc).get(dimension)

    return value


def _per_million(part: int, whole: int) -> float | None:
    return round(1e6 * part / whole, 2) if whole else None


def _yield_kpis(docs: list[Json]) -> Json:
    out = yield_kpis(unit_runs(docs))
    reports, passed = len(docs), sum(1 for d in docs if d.get("result") == "P")
    units = out["unitCount"]
    out.update(testReportCount=reports, testYieldCount=passed, retestCount=reports - units)
    out["testYield"] = round(100.0 * passed / reports, 2) if reports else None
    for kind in ("fp", "sp", "tp", "lp"):
        failed = units - out[f"{kind}Count"]
        out[f"{kind}FailCount"] = failed
        out[f"ppm{kind.capitalize()}y"] = _per_million(failed, units)
    out["ppmTestYield"] = _per_million(reports - passed, reports)
    starts = [start_of(d) for d in docs]
    out["firstUtc"] = min(starts).isoformat().replace("+00:00", "Z")
    out["lastUtc"] = max(starts).isoformat().replace("+00:00", "Z")
    return out


# -- DynamicRepair --------------------------------------------------------------------
def _repair_items(app: FakeWatsApp, wanted: Json) -> list[Json]:
    items = []
    for doc in matching(app, wanted, kinds="R"):
        items.extend(failure_rows(app, doc) or [{**repair_fields(app, doc), "_noFailure": True}])
    return items


def _repair_kpis(items: list[Json]) -> Json:
    return {
        "repairReportCount": len({i["repairReportId"] for i in items}),
        "repairCount": sum(1 for i in items if not i.get("_noFailure")),
    }


def _repair_value(grouping: int) -> Callable[[Json, str], Any]:
    def value(item: Json, dimension: str) -> Any:
        if dimension == "period":
            return period_label(moment(item["repairDate"]) or start_of({}), grouping)
        return item.get(dimension)

    return value


def _answer(
    request: Request,
    default: str,
    vocabulary: tuple[Sequence[str], Sequence[str], Sequence[str]],
    items: Callable[[Json], Sequence[Json]],
    value: Callable[[int], Callable[[Json, str], Any]],
    kpis: Callable[[list[Json]], Json],
) -> Reply:
    """Group the filter's ``items`` by the dimensions asked, with their KPIs, in order."""
    wanted, text = _filter_and_dimensions(request, default)
    dims, named, order = _parse(text, *vocabulary)
    grouping = int_field(wanted, "dateGrouping")
    grouping = 1 if grouping is None else grouping
    rows = _rows(items(wanted), dims, value(grouping), kpis)
    return Reply.json(_finish(rows, named, order, wanted.get("topCount")))


@routes.post("/api/App/DynamicYield")
async def app_dynamic_yield(app: FakeWatsApp, request: Request) -> Reply:
    return _answer(
        request,
        _YIELD_DEFAULT,
        (_YIELD_DIMENSIONS, _YIELD_KPIS, _YIELD_UNSUPPORTED),
        lambda wanted: matching(app, wanted, kinds="T"),
        lambda grouping: _yield_value(app, grouping),
        _yield_kpis,
    )


@routes.post("/api/App/DynamicRepair")
async def app_dynamic_repair(app: FakeWatsApp, request: Request) -> Reply:
    return _answer(
        request,
        _REPAIR_DEFAULT,
        (_REPAIR_DIMENSIONS, _REPAIR_KPIS, _REPAIR_UNSUPPORTED),
        lambda wanted: _repair_items(app, wanted),
        _repair_value,
        _repair_kpis,
    )
