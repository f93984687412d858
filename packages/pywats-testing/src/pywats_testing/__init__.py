"""pywats_testing: a faithful fake WATS server with fault injection, for tests and demos.

``FakeWatsServer`` runs the fake on a loopback port (in a background thread, or on your
own event loop); ``python -m pywats_testing serve`` runs it as a process; the
``fake_wats`` pytest fixture (registered through the ``pytest11`` entry point) hands a
running one to each test. See docs/fake-server.md.
"""

from ._app import API_ROUTES, FakeWatsApp, Route
from ._faults import BodyShape, Fault, FaultKind, FaultPlan
from ._server import FakeWatsServer
from ._state import DEFAULT_PROCESSES, FakeState, Process, StoredReport
from ._version import __version__

__all__ = [
    "FakeWatsServer",
    "FakeWatsApp",
    "FakeState",
    "Fault",
    "FaultKind",
    "FaultPlan",
    "BodyShape",
    "Process",
    "DEFAULT_PROCESSES",
    "StoredReport",
    "Route",
    "API_ROUTES",
    "__version__",
]
