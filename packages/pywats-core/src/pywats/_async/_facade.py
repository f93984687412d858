"""``AsyncWATS``: the async entry point; ``WATS`` is its generated sync twin."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING

import httpx

from pywats._async._api import AsyncApi
from pywats._async._http import AsyncHttpClient
from pywats._async.app._repository import AsyncAppRepository
from pywats._async.app._service import AsyncAppService
from pywats._async.report._repository import AsyncReportRepository
from pywats._async.report._service import AsyncReportService
from pywats._concurrency import RateLimiter
from pywats._config import USER_AGENT, Connection, Timeouts
from pywats._errors import ErrorHandler, ErrorMode
from pywats._services import ServiceCache

if TYPE_CHECKING:
    from pywats._async.analytics._service import AsyncAnalyticsService
    from pywats._async.asset._service import AsyncAssetService
    from pywats._async.auth._service import AsyncAuthService
    from pywats._async.barcode._service import AsyncBarcodeService
    from pywats._async.export._service import AsyncExportService
    from pywats._async.internal._service import AsyncInternalService
    from pywats._async.product._service import AsyncProductService
    from pywats._async.production._service import AsyncProductionService
    from pywats._async.rootcause._service import AsyncRootCauseService
    from pywats._async.scim._service import AsyncScimService
    from pywats._async.software._service import AsyncSoftwareService
    from pywats._async.system._service import AsyncSystemService
    from pywats._async.workflow._service import AsyncWorkflowService

__all__ = ["AsyncWATS"]


class AsyncWATS:
    """A client for one WATS server.

    ``base_url`` is the WATS root (``https://tenant.wats.com``; a trailing ``/`` or
    ``/api`` is fine, a prefix such as ``/wats`` is kept). ``token`` is sent as
    ``Authorization: Basic <token>`` exactly as given: an API token from WATS's Control
    Panel, or ``base64("<identifier>:<passcode>")`` of a registered station.

    Domain services hang off the client: ``app``, ``report``, ``product``, ``production``,
    ``asset``, ``software``, ``analytics``, ``rootcause``, ``scim``, ``system``,
    ``barcode``, ``export``, ``workflow``, ``auth`` and ``internal`` (routes outside the
    public API, which the vendor may change). Each loads on first use, so a script pays
    only for the domains it touches. Use it as an async
    context manager, or call :meth:`aclose` when done. Nothing is written to disk.
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeouts: Timeouts | None = None,
        verify: bool | str = True,
        rate_limiter: RateLimiter | None = None,
        error_mode: ErrorMode = ErrorMode.STRICT,
        user_agent: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        connection = Connection(
            base_url,
            token,
            timeouts=timeouts or Timeouts(),
            verify=verify,
            user_agent=user_agent or USER_AGENT,
        )
        self.http = AsyncHttpClient(connection, rate_limiter=rate_limiter, transport=transport)
        self.error_handler = ErrorHandler(error_mode)
        self.api = AsyncApi(self.http, self.error_handler)
        self.app = AsyncAppService(AsyncAppRepository(self.http, self.error_handler), self.api)
        self.report = AsyncReportService(
            AsyncReportRepository(self.http, self.error_handler), self.api
        )
        self._services = ServiceCache(self.api)

    @property
    def product(self) -> AsyncProductService:
        """Products and revisions, BOMs, vendors, product groups."""
        from pywats._async.product._service import AsyncProductService

        return self._services.get(AsyncProductService)

    @property
    def production(self) -> AsyncProductionService:
        """Units, their phases and processes, box build, batches, serial numbers."""
        from pywats._async.production._service import AsyncProductionService

        return self._services.get(AsyncProductionService)

    @property
    def asset(self) -> AsyncAssetService:
        """Assets (fixtures, instruments), counts, calibration, maintenance, logs."""
        from pywats._async.asset._service import AsyncAssetService

        return self._services.get(AsyncAssetService)

    @property
    def software(self) -> AsyncSoftwareService:
        """Software packages for distribution to stations."""
        from pywats._async.software._service import AsyncSoftwareService

        return self._services.get(AsyncSoftwareService)

    @property
    def analytics(self) -> AsyncAnalyticsService:
        """Yield, volume, failure and measurement statistics (WATS's App statistics)."""
        from pywats._async.analytics._service import AsyncAnalyticsService

        return self._services.get(AsyncAnalyticsService)

    @property
    def rootcause(self) -> AsyncRootCauseService:
        """Root-cause tickets and their attachments."""
        from pywats._async.rootcause._service import AsyncRootCauseService

        return self._services.get(AsyncRootCauseService)

    @property
    def scim(self) -> AsyncScimService:
        """User provisioning (SCIM 2.0)."""
        from pywats._async.scim._service import AsyncScimService

        return self._services.get(AsyncScimService)

    @property
    def system(self) -> AsyncSystemService:
        """Clients (stations), levels and the server's status."""
        from pywats._async.system._service import AsyncSystemService

        return self._services.get(AsyncSystemService)

    @property
    def barcode(self) -> AsyncBarcodeService:
        """Barcode identifiers."""
        from pywats._async.barcode._service import AsyncBarcodeService

        return self._services.get(AsyncBarcodeService)

    @property
    def export(self) -> AsyncExportService:
        """Certificate export jobs and their files."""
        from pywats._async.export._service import AsyncExportService

        return self._services.get(AsyncExportService)

    @property
    def workflow(self) -> AsyncWorkflowService:
        """Start and end of a unit's test in a WATS workflow."""
        from pywats._async.workflow._service import AsyncWorkflowService

        return self._services.get(AsyncWorkflowService)

    @property
    def auth(self) -> AsyncAuthService:
        """The legacy GetToken routes (removed in WATS 2025.3)."""
        from pywats._async.auth._service import AsyncAuthService

        return self._services.get(AsyncAuthService)

    @property
    def internal(self) -> AsyncInternalService:
        """INTERNAL routes filling gaps of the public API; the vendor may change them."""
        from pywats._async.internal._service import AsyncInternalService

        return self._services.get(AsyncInternalService)

    @property
    def base_url(self) -> str:
        return self.http.base_url

    @property
    def rate_limiter(self) -> RateLimiter:
        return self.http.rate_limiter

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self.http.aclose()

    async def __aenter__(self) -> AsyncWATS:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.base_url!r})"
