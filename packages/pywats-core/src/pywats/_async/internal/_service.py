"""``wats.internal``: WATS operations (``/api/internal/...``) that fill gaps of the public
API, one sub-service per WATS area.

**Internal:** Virinco documents these routes only in the internal specification and may
change them without notice. Each call sends ``Referer: <server root>``, which
olreppe/pyWATS found the server wants on internal routes (wats-facts §1).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pywats._async._api import AsyncApi
from pywats._services import ServiceCache

if TYPE_CHECKING:
    from pywats._async.internal._analytics import AsyncInternalAnalytics
    from pywats._async.internal._asset import AsyncInternalAsset
    from pywats._async.internal._manual_inspection import AsyncInternalManualInspection
    from pywats._async.internal._process import AsyncInternalProcess
    from pywats._async.internal._product import AsyncInternalProduct
    from pywats._async.internal._production import AsyncInternalProduction
    from pywats._async.internal._software import AsyncInternalSoftware
    from pywats._async.internal._unit_flow import AsyncInternalUnitFlow

__all__ = ["AsyncInternalService", "AREAS"]

# The sub-services, in the order the docs list them.
AREAS = (
    "process",
    "production",
    "product",
    "software",
    "manual_inspection",
    "unit_flow",
    "analytics",
    "asset",
)


class AsyncInternalService:
    """INTERNAL routes by WATS area: ``process``, ``production``, ``product``,
    ``software``, ``manual_inspection``, ``unit_flow``, ``analytics`` and ``asset``."""

    def __init__(self, api: AsyncApi) -> None:
        self._services = ServiceCache(api)

    @property
    def process(self) -> AsyncInternalProcess:
        """The full process list, repair operations and fail codes. INTERNAL."""
        from pywats._async.internal._process import AsyncInternalProcess

        return self._services.get(AsyncInternalProcess)

    @property
    def production(self) -> AsyncInternalProduction:
        """Unit phases, sites, unit lookups, box build, serial-number pools. INTERNAL."""
        from pywats._async.internal._production import AsyncInternalProduction

        return self._services.get(AsyncInternalProduction)

    @property
    def product(self) -> AsyncInternalProduct:
        """BOM as JSON, product info, revision relations, categories. INTERNAL."""
        from pywats._async.internal._product import AsyncInternalProduct

        return self._services.get(AsyncInternalProduct)

    @property
    def software(self) -> AsyncInternalSoftware:
        """Package folders and files, download history, station updates. INTERNAL."""
        from pywats._async.internal._software import AsyncInternalSoftware

        return self._services.get(AsyncInternalSoftware)

    @property
    def manual_inspection(self) -> AsyncInternalManualInspection:
        """Test sequence definitions, relations, sequences, XAML. INTERNAL."""
        from pywats._async.internal._manual_inspection import AsyncInternalManualInspection

        return self._services.get(AsyncInternalManualInspection)

    @property
    def unit_flow(self) -> AsyncInternalUnitFlow:
        """How units move between operations. INTERNAL."""
        from pywats._async.internal._unit_flow import AsyncInternalUnitFlow

        return self._services.get(AsyncInternalUnitFlow)

    @property
    def analytics(self) -> AsyncInternalAnalytics:
        """Step and measurement lists, top failed steps, alarm logs. INTERNAL."""
        from pywats._async.internal._analytics import AsyncInternalAnalytics

        return self._services.get(AsyncInternalAnalytics)

    @property
    def asset(self) -> AsyncInternalAsset:
        """Files attached to an asset. INTERNAL."""
        from pywats._async.internal._asset import AsyncInternalAsset

        return self._services.get(AsyncInternalAsset)
