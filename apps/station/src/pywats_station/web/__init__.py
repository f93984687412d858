"""The station console: a Litestar + HTMX (Jinja2) web console served by ``run``.

Everything it shows or does goes through one interface, :class:`ConsoleBackend`;
:class:`StationBackend` implements it over the station's parts. The web framework is
imported only when the console is used (``build_app``, ``ConsoleServer`` ...), so the
command line does not pay for it.
"""

from __future__ import annotations

import importlib
from typing import Any

from pywats_station.web._backend import (
    ActionResult,
    ConsoleBackend,
    FolderView,
    ItemView,
    LogLine,
    QueuePage,
    Snapshot,
    StationBackend,
)
from pywats_station.web._converters import ConvertersView, StationConverters
from pywats_station.web._settings import SettingsView, StationSettings

__all__ = [
    "ActionResult",
    "ConsoleBackend",
    "ConsoleServer",
    "ConvertersView",
    "FolderView",
    "HostCheck",
    "ItemView",
    "LogLine",
    "QueuePage",
    "SettingsView",
    "Snapshot",
    "StationBackend",
    "StationConverters",
    "StationFiles",
    "StationSettings",
    "allowed_host_names",
    "build_app",
    "is_loopback",
    "load_csrf_secret",
    "open_console",
]

_LAZY = {
    "build_app": "_app",
    "ConsoleServer": "_server",
    "is_loopback": "_server",
    "open_console": "_server",
    "StationFiles": "_files",
    "HostCheck": "_security",
    "allowed_host_names": "_security",
    "load_csrf_secret": "_security",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
