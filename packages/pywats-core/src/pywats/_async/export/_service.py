"""The Export domain: queue a certificate export, list exports, download the files."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pywats import _operations as ops
from pywats._async._api import AsyncApi
from pywats._operation import operation
from pywats._payload import JsonValue, dump
from pywats.models import PublicWatsFilter

__all__ = ["AsyncExportService"]


class AsyncExportService:
    def __init__(self, api: AsyncApi) -> None:
        self._api = api

    @operation(ops.Export_QueueExportCertificate)
    async def queue_certificates(
        self,
        filter: PublicWatsFilter | Mapping[str, Any] | None = None,
        *,
        header_data_only: bool = False,
        as_individual_files: bool = False,
        dimensions: str | None = None,
        numeric_format: str | None = None,
        body_footer_tag: str | None = None,
        document_footer_tag: str | None = None,
        email: str | None = None,
    ) -> JsonValue:
        """Start an export of certificates for the reports matching a filter; the files
        appear in :meth:`exports` when done (and are mailed to ``email`` if given)."""
        return await self._api.action(
            ops.Export_QueueExportCertificate,
            params={
                "headerDataOnly": header_data_only,
                "asIndividualFiles": as_individual_files,
                "dimensions": dimensions,
                "numericFormat": numeric_format,
                "bodyFooterTag": body_footer_tag,
                "documentFooterTag": document_footer_tag,
                "email": email,
            },
            json={} if filter is None else dump(filter),
        )

    @operation(ops.Export_GetExportList)
    async def exports(self) -> JsonValue:
        """The finished exports."""
        return await self._api.json(ops.Export_GetExportList)

    @operation(ops.Export_GetExportedFile)
    async def download(self, file_name: str) -> bytes | None:
        """The bytes of one exported file."""
        op = ops.Export_GetExportedFile
        return await self._api.file(op, path={"fileName": file_name})
