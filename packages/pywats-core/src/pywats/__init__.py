"""pywats: a typed Python client for the WATS manufacturing test-data server.

``AsyncWATS`` is the async client; ``WATS`` is its sync twin, generated from the same
source, with the same methods and signatures.
"""

from typing import TYPE_CHECKING

from pywats import _errors
from pywats._asset_ref import AssetRef
from pywats._async._facade import AsyncWATS
from pywats._async._paging import AsyncPagedIterator, Page
from pywats._concurrency import RateLimiter, RateLimiterStats
from pywats._config import Timeouts, normalize_base_url

# As asyncio does: the error classes, ErrorMode and ErrorHandler are _errors.__all__.
from pywats._errors import *  # noqa: F403
from pywats._odata import Filter, odata_literal
from pywats._queries import SerialNumberQuery, StepFilters
from pywats._sync._facade import WATS
from pywats._sync._paging import PagedIterator
from pywats._version import __version__

if TYPE_CHECKING:
    from pywats._models import InsertReportResult, MiscInfoReport, Process, ReportHeader
    from pywats._ticket import TicketStatus

_LAZY_MODELS = frozenset({"Process", "InsertReportResult", "ReportHeader", "MiscInfoReport"})


def __getattr__(name: str) -> object:
    if name == "TicketStatus":
        from pywats._ticket import TicketStatus

        return TicketStatus
    # Pydantic models load on first use, so `import pywats` stays light.
    if name in _LAZY_MODELS:
        from pywats import _models

        return getattr(_models, name)
    raise AttributeError(f"module 'pywats' has no attribute {name!r}")


__all__ = [
    "AsyncWATS",
    "WATS",
    "AsyncPagedIterator",
    "PagedIterator",
    "Page",
    "Process",
    "InsertReportResult",
    "ReportHeader",
    "MiscInfoReport",
    "TicketStatus",
    "AssetRef",
    "SerialNumberQuery",
    "StepFilters",
    "Filter",
    "odata_literal",
    "RateLimiter",
    "RateLimiterStats",
    "Timeouts",
    "normalize_base_url",
    "__version__",
]
__all__ += _errors.__all__  # the error classes, ErrorMode and ErrorHandler
