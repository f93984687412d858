"""The station console: a Litestar + HTMX (Jinja2) web console served by ``run``.

Everything it shows or does goes through one interface, :class:`ConsoleBackend`;
:class:`StationBackend` implements it over the station's parts.
"""

from pywats_station.web._app import build_app
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
from pywats_station.web._security import HostCheck, allowed_host_names, load_csrf_secret
from pywats_station.web._server import ConsoleServer, is_loopback

__all__ = [
    "ActionResult",
    "ConsoleBackend",
    "ConsoleServer",
    "FolderView",
    "HostCheck",
    "ItemView",
    "LogLine",
    "QueuePage",
    "Snapshot",
    "StationBackend",
    "allowed_host_names",
    "build_app",
    "is_loopback",
    "load_csrf_secret",
]
