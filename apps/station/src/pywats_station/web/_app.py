"""Builds the console's Litestar application around a :class:`ConsoleBackend`."""

from __future__ import annotations

import asyncio
import datetime as _dt
import time
from pathlib import Path
from typing import Any

from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.middleware import DefineMiddleware
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from pywats_station.web._backend import ConsoleBackend
from pywats_station.web._converter_pages import CONVERTER_ROUTES
from pywats_station.web._files_pages import FILE_ROUTES
from pywats_station.web._pages import ROUTES
from pywats_station.web._security import HostCheck

__all__ = ["CSRF_HEADER", "build_app", "vendor_assets"]

HERE = Path(__file__).parent
CSRF_HEADER = "x-csrftoken"
CSRF_COOKIE = "pywats_console_csrf"
# Files the build hook puts into static/vendor (see hatch_build.py); absent in a
# checkout that was never built, then the pages work without JavaScript.
VENDOR_FILES = ("htmx.min.js", "sse.js")


def vendor_assets(static_dir: Path = HERE / "static") -> dict[str, bool]:
    return {name: (static_dir / "vendor" / name).is_file() for name in VENDOR_FILES}


def _ago(value: float | None, now: float | None = None) -> str:
    if not value:
        return "never"
    seconds = max(0.0, (now or time.time()) - value)
    if seconds < 90:
        return f"{seconds:.0f} s ago"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min ago"
    return f"{seconds / 3600:.1f} h ago"


def _clock(value: float | None) -> str:
    if not value:
        return "—"
    return _dt.datetime.fromtimestamp(value, _dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def _engine(engine: JinjaTemplateEngine) -> None:
    env = engine.engine
    env.filters["ago"] = _ago
    env.filters["clock"] = _clock
    env.globals["csrf_header"] = CSRF_HEADER
    env.globals["vendor"] = vendor_assets()


def build_app(
    backend: ConsoleBackend,
    *,
    csrf_secret: str,
    allowed_hosts: frozenset[str],
    stop: asyncio.Event | None = None,
) -> Litestar:
    """The console app. ``stop`` ends every SSE stream when set (at shutdown)."""
    state: dict[str, Any] = {"backend": backend, "stop": stop or asyncio.Event()}
    return Litestar(
        route_handlers=[
            *ROUTES,
            *CONVERTER_ROUTES,
            *FILE_ROUTES,
            create_static_files_router(path="/static", directories=[HERE / "static"]),
        ],
        template_config=TemplateConfig(
            directory=HERE / "templates",
            engine=JinjaTemplateEngine,
            engine_callback=_engine,
        ),
        csrf_config=CSRFConfig(
            secret=csrf_secret,
            cookie_name=CSRF_COOKIE,
            header_name=CSRF_HEADER,
            cookie_httponly=True,
            cookie_samesite="strict",
        ),
        middleware=[DefineMiddleware(HostCheck, allowed=allowed_hosts)],
        state=State(state),
        debug=False,
        logging_config=None,
    )
