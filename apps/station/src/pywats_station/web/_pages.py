"""The console's route handlers: full pages, HTMX fragments, actions, SSE, health."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Annotated, Any

from litestar import MediaType, Request, Response, get, post
from litestar.datastructures import State
from litestar.exceptions import NotFoundException
from litestar.params import Parameter
from litestar.response import Redirect, ServerSentEvent, Template
from litestar.response.sse import ServerSentEventMessage

from pywats_station.web._backend import LIST_STATES, LOG_LEVELS, ConsoleBackend
from pywats_station.web._settings import EDITABLE

__all__ = ["ROUTES"]

log = logging.getLogger("pywats_station.console")

PAGE_SIZE = 50


def _backend(state: State) -> ConsoleBackend:
    backend: ConsoleBackend = state.backend
    return backend


def _is_htmx(request: Request[Any, Any, Any]) -> bool:
    return request.headers.get("hx-request") == "true"


def page_or_fragment(
    request: Request[Any, Any, Any], page: str, context: dict[str, Any]
) -> Template:
    """``page`` (e.g. ``queue.html``), or under ``/fragments/`` the part of it that the
    live update swaps (``_queue.html``): one handler serves both paths."""
    fragment = request.url.path.startswith("/fragments/")
    return Template(f"_{page}" if fragment else page, context=context)


def chart(series: list[int], width: int = 360, height: int = 60) -> dict[str, Any]:
    """Bars of an inline SVG chart (one per minute, newest at the right)."""
    peak = max(series) if series and max(series) > 0 else 1
    bar = width / max(1, len(series))
    bars = []
    for i, count in enumerate(series):
        h = round(count / peak * (height - 2), 1)
        bars.append(
            {
                "x": round(i * bar, 1),
                "y": round(height - h, 1),
                "w": round(bar * 0.8, 1),
                "h": h,
                "count": count,
                "ago": len(series) - 1 - i,
            }
        )
    return {"bars": bars, "width": width, "height": height, "peak": peak, "total": sum(series)}


async def _dashboard_context(state: State) -> dict[str, Any]:
    snap = await _backend(state).snapshot()
    return {"snap": snap, "chart": chart(snap.uploads_per_minute), "page": "dashboard"}


@get(["/", "/fragments/dashboard"], name="dashboard")
async def dashboard(request: Request[Any, Any, Any], state: State) -> Template:
    return page_or_fragment(request, "dashboard.html", await _dashboard_context(state))


async def _queue_context(state: State, qstate: str, offset: int, q: str) -> dict[str, Any]:
    if qstate not in LIST_STATES:
        qstate = "dead"
    backend = _backend(state)
    page = await backend.queue_page(qstate, offset=max(0, offset), limit=PAGE_SIZE, text=q.strip())
    depth = (await backend.snapshot()).queue_depth
    return {"qpage": page, "states": LIST_STATES, "depth": depth, "page": "queue"}


@get(["/queue", "/fragments/queue"], name="queue")
async def queue_page(
    request: Request[Any, Any, Any],
    state: State,
    qstate: Annotated[str, Parameter(query="state")] = "dead",
    offset: int = 0,
    q: str = "",
) -> Template:
    context = await _queue_context(state, qstate, offset, q)
    return page_or_fragment(request, "queue.html", context)


@get("/queue/items/{item_id:str}", name="item")
async def item_page(state: State, item_id: str) -> Template:
    item = await _backend(state).item(item_id)
    if item is None:
        raise NotFoundException(f"no queue item {item_id}")
    return Template("item.html", context={"item": item, "page": "queue"})


async def _act(request: Request[Any, Any, Any], state: State, verb: str) -> Response[Any]:
    form = await request.form()
    ids = [str(i) for i in form.getall("ids")] if "ids" in form else []
    back = str(form.get("back_state") or "dead")
    backend = _backend(state)
    result = await (backend.retry(ids) if verb == "retry" else backend.discard(ids))
    message = f"{verb}: {len(result.done)} done"
    if result.refused:
        message += f", {len(result.refused)} refused: " + "; ".join(result.refused)
    if _is_htmx(request):
        context = await _queue_context(state, back, 0, "")
        context["message"] = message
        return Template("_queue.html", context=context)
    return Redirect(path=f"/queue?state={back}", status_code=303)


@post("/queue/retry", name="retry", status_code=200)
async def retry(request: Request[Any, Any, Any], state: State) -> Response[Any]:
    return await _act(request, state, "retry")


@post("/queue/discard", name="discard", status_code=200)
async def discard(request: Request[Any, Any, Any], state: State) -> Response[Any]:
    return await _act(request, state, "discard")


@get("/log", name="log")
async def log_page(state: State, level: str = "INFO", lines: int = 200) -> Template:
    level = level.upper() if level.upper() in LOG_LEVELS else "INFO"
    rows = _backend(state).log_tail(lines=max(1, min(lines, 2000)), level=level)
    return Template(
        "log.html", context={"rows": rows, "level": level, "levels": LOG_LEVELS, "page": "log"}
    )


async def _settings_context(
    state: State, problems: list[str] | None = None, message: str = ""
) -> dict[str, Any]:
    view = await _backend(state).settings()
    return {"settings": view, "problems": problems or [], "message": message, "page": "settings"}


@get("/settings", name="settings")
async def settings_page(state: State, saved: str = "") -> Template:
    message = {"1": "saved", "registered": "registered"}.get(saved, "")
    return Template("settings.html", context=await _settings_context(state, message=message))


@post("/settings", name="settings-save", status_code=200)
async def settings_save(request: Request[Any, Any, Any], state: State) -> Response[Any]:
    form = await request.form()
    values = {k: str(form.get(k) or "") for k in EDITABLE if k in form}
    problems = await _backend(state).update_settings(values)
    if problems:
        context = await _settings_context(state, problems=problems)
        return Template("settings.html", context=context, status_code=422)
    return Redirect(path="/settings?saved=1", status_code=303)


@post("/settings/register", name="register", status_code=200)
async def settings_register(request: Request[Any, Any, Any], state: State) -> Response[Any]:
    form = await request.form()
    ok, message = await _backend(state).register(
        str(form.get("server_url") or ""), str(form.get("registration_token") or "")
    )
    if not ok:
        context = await _settings_context(state, problems=[message])
        return Template("settings.html", context=context, status_code=422)
    return Redirect(path="/settings?saved=registered", status_code=303)


@get("/health", name="health", media_type=MediaType.JSON)
async def health(state: State) -> Response[bytes]:
    ok, reasons = await _backend(state).health()
    body = json.dumps({"status": "ok" if ok else "degraded", "reasons": reasons}).encode()
    return Response(body, media_type=MediaType.JSON, status_code=200 if ok else 503)


@get("/metrics", name="metrics")
async def metrics(state: State) -> Response[bytes]:
    return Response(
        _backend(state).metrics_text(), media_type="text/plain; version=0.0.4; charset=utf-8"
    )


class _SharedRender:
    """The dashboard fragment rendered once per change, whatever the number of open
    streams: five tabs cost one snapshot and one render per change, not five."""

    def __init__(self) -> None:
        self.version = -1
        self.html = ""
        self.depth = ""
        self.lock = asyncio.Lock()

    async def get(
        self, version: int, state: State, request: Request[Any, Any, Any]
    ) -> tuple[str, str]:
        async with self.lock:
            if version != self.version:
                engine = request.app.template_engine
                assert engine is not None
                context = await _dashboard_context(state)
                html = engine.get_template("_dashboard.html").render(**context)
                self.html = html.replace("\n", " ")
                self.depth = json.dumps(context["snap"].queue_depth)
                self.version = version
            return self.html, self.depth


@get("/events", name="events")
async def events(request: Request[Any, Any, Any], state: State) -> ServerSentEvent:
    """Named events: ``dashboard`` (the dashboard fragment) and ``queue-depth``. The
    stream ends when the client goes away (the server cancels the generator) or when
    the console stops (the shared stop event)."""
    backend = _backend(state)
    stop: asyncio.Event = state.stop
    shared: _SharedRender = state.setdefault("sse_render", _SharedRender())

    async def stream() -> AsyncIterator[ServerSentEventMessage]:
        async for version in backend.changes(stop):
            html, depth = await shared.get(version, state, request)
            yield ServerSentEventMessage(data=html, event="dashboard")
            yield ServerSentEventMessage(data=depth, event="queue-depth")

    return ServerSentEvent(stream(), headers={"Cache-Control": "no-store"})


ROUTES = [
    dashboard,
    queue_page,
    item_page,
    retry,
    discard,
    log_page,
    settings_page,
    settings_save,
    settings_register,
    health,
    metrics,
    events,
]
