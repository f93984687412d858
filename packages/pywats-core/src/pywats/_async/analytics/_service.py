"""The Analytics domain: WATS's App statistics (yield, volume, failures, measurements).

Most calls take a :class:`pywats.models.PublicWatsFilter` (or a mapping in its wire form);
no filter means the server's defaults (typically the last 7 days). The spec leaves the
answers untyped, so they come back as decoded JSON.

Calls ending in ``_recent`` are the GET forms that take a number of ``days`` instead of a
filter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pywats import _operations as ops
from pywats._async._api import AsyncApi
from pywats._operation import Operation, operation
from pywats._payload import JsonValue, dump
from pywats._queries import recent_query, top_failed_query
from pywats.models import PublicWatsFilter

__all__ = ["AsyncAnalyticsService"]

WatsFilter = PublicWatsFilter | Mapping[str, Any] | None


def _filter(value: WatsFilter) -> dict[str, Any]:
    return {} if value is None else dump(value)


class AsyncAnalyticsService:
    def __init__(self, api: AsyncApi) -> None:
        self._api = api

    async def _measurements(
        self, op: Operation, filter: WatsFilter, paths: str | Sequence[str] | None
    ) -> JsonValue:
        # WATS takes several measurement paths in one parameter, separated by ';'.
        joined = paths if paths is None or isinstance(paths, str) else ";".join(paths)
        return await self._api.json(op, params={"measurementPaths": joined}, json=_filter(filter))

    @operation(ops.App_UutReport_POST)
    async def uut_reports(self, filter: WatsFilter = None) -> JsonValue:
        """UUT report headers matching a filter (1000 unless the filter's ``top_count``
        says otherwise)."""
        return await self._api.json(ops.App_UutReport_POST, json=_filter(filter))

    @operation(ops.App_UutReport_GET)
    async def uut_reports_recent(
        self,
        *,
        serial_number: str | None = None,
        part_number: str | None = None,
        revision: str | None = None,
        batch_number: str | None = None,
        station_name: str | None = None,
        test_operation: str | None = None,
        status: str | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        product_group_id: str | None = None,
        level_id: str | None = None,
    ) -> JsonValue:
        """The 1000 newest UUT report headers matching simple criteria."""
        return await self._api.json(
            ops.App_UutReport_GET,
            params={
                "serialNumber": serial_number,
                "partNumber": part_number,
                "revision": revision,
                "batchNumber": batch_number,
                "stationName": station_name,
                "testOperation": test_operation,
                "status": status,
                "dateFrom": date_from,
                "dateTo": date_to,
                "productGroupId": product_group_id,
                "levelId": level_id,
            },
        )

    @operation(ops.App_UurReports)
    async def uur_reports(self, filter: WatsFilter = None) -> JsonValue:
        """UUR (repair) report headers matching a filter."""
        return await self._api.json(ops.App_UurReports, json=_filter(filter))

    @operation(ops.App_DynamicYield)
    async def dynamic_yield(
        self, filter: WatsFilter = None, *, dimensions: str | None = None
    ) -> JsonValue:
        """Yield grouped by ``dimensions`` (e.g. ``"partNumber;period"``). PREVIEW in WATS."""
        return await self._api.json(
            ops.App_DynamicYield, params={"dimensions": dimensions}, json=_filter(filter)
        )

    @operation(ops.App_DynamicRepair)
    async def dynamic_repair(
        self, filter: WatsFilter = None, *, dimensions: str | None = None
    ) -> JsonValue:
        """Repair statistics grouped by ``dimensions``. PREVIEW in WATS."""
        return await self._api.json(
            ops.App_DynamicRepair, params={"dimensions": dimensions}, json=_filter(filter)
        )

    @operation(ops.App_VolumeYield_POST)
    async def volume_yield(self, filter: WatsFilter = None) -> JsonValue:
        """Volume and yield per product."""
        return await self._api.json(ops.App_VolumeYield_POST, json=_filter(filter))

    @operation(ops.App_VolumeYield_GET)
    async def volume_yield_recent(
        self, days: int, *, product_group_id: str, level_id: str
    ) -> JsonValue:
        """Volume and yield over the last ``days`` days."""
        return await self._api.json(
            ops.App_VolumeYield_GET, params=recent_query(days, product_group_id, level_id)
        )

    @operation(ops.App_WorstYield_POST)
    async def worst_yield(self, filter: WatsFilter = None) -> JsonValue:
        """Products with the worst yield."""
        return await self._api.json(ops.App_WorstYield_POST, json=_filter(filter))

    @operation(ops.App_WorstYield_GET)
    async def worst_yield_recent(
        self, days: int, *, product_group_id: str, level_id: str
    ) -> JsonValue:
        """Products with the worst yield over the last ``days`` days."""
        return await self._api.json(
            ops.App_WorstYield_GET, params=recent_query(days, product_group_id, level_id)
        )

    @operation(ops.App_GetWorstYieldByProductGroup)
    async def worst_yield_by_product_group(self, filter: WatsFilter = None) -> JsonValue:
        """Worst yield, per product group."""
        return await self._api.json(ops.App_GetWorstYieldByProductGroup, json=_filter(filter))

    @operation(ops.App_HighVolume_POST)
    async def high_volume(self, filter: WatsFilter = None) -> JsonValue:
        """Products with the highest volume."""
        return await self._api.json(ops.App_HighVolume_POST, json=_filter(filter))

    @operation(ops.App_HighVolume_GET)
    async def high_volume_recent(
        self, days: int, *, product_group_id: str, level_id: str
    ) -> JsonValue:
        """Products with the highest volume over the last ``days`` days."""
        return await self._api.json(
            ops.App_HighVolume_GET, params=recent_query(days, product_group_id, level_id)
        )

    @operation(ops.App_GetHighVolumeByProductGroup)
    async def high_volume_by_product_group(self, filter: WatsFilter = None) -> JsonValue:
        """Highest volume, per product group."""
        return await self._api.json(ops.App_GetHighVolumeByProductGroup, json=_filter(filter))

    @operation(ops.App_TopFailed_POST)
    async def top_failed(self, filter: WatsFilter = None) -> JsonValue:
        """The test steps that fail most often."""
        return await self._api.json(ops.App_TopFailed_POST, json=_filter(filter))

    @operation(ops.App_TopFailed_GET)
    async def top_failed_recent(
        self,
        part_number: str,
        process_code: str,
        *,
        days: int,
        count: int,
        product_group_id: str,
        level_id: str,
    ) -> JsonValue:
        """The ``count`` most failed steps of a product and process over ``days`` days."""
        return await self._api.json(
            ops.App_TopFailed_GET,
            params=top_failed_query(
                part_number, process_code, days, count, product_group_id, level_id
            ),
        )

    @operation(ops.App_GetTestStepAnalysis)
    async def test_step_analysis(self, filter: WatsFilter = None) -> JsonValue:
        """Per-step statistics of a test. PREVIEW in WATS."""
        return await self._api.json(ops.App_GetTestStepAnalysis, json=_filter(filter))

    @operation(ops.App_Measurements)
    async def measurements(
        self, filter: WatsFilter = None, *, measurement_paths: str | Sequence[str] | None = None
    ) -> JsonValue:
        """Individual measurements (at most 10,000) of the steps at ``measurement_paths``."""
        return await self._measurements(ops.App_Measurements, filter, measurement_paths)

    @operation(ops.App_AggregatedMeasurements)
    async def aggregated_measurements(
        self, filter: WatsFilter = None, *, measurement_paths: str | Sequence[str] | None = None
    ) -> JsonValue:
        """Aggregated statistics (count, mean, spread ...) of measurements."""
        return await self._measurements(ops.App_AggregatedMeasurements, filter, measurement_paths)

    @operation(ops.App_OeeAnalysis)
    async def oee_analysis(
        self,
        available_time: str,
        filter: WatsFilter = None,
        *,
        min_connection_time: int | None = None,
        max_connection_time: int | None = None,
        min_execution_time: int | None = None,
        max_execution_time: int | None = None,
        target_output: int | None = None,
    ) -> JsonValue:
        """Overall equipment effectiveness over ``available_time``."""
        return await self._api.json(
            ops.App_OeeAnalysis,
            params={
                "availableTime": available_time,
                "minConnectionTime": min_connection_time,
                "maxConnectionTime": max_connection_time,
                "minExecutionTime": min_execution_time,
                "maxExecutionTime": max_execution_time,
                "targetOutput": target_output,
            },
            json=_filter(filter),
        )

    @operation(ops.App_SerialNumberHistory)
    async def serial_number_history(self, filter: WatsFilter = None) -> JsonValue:
        """Every report of the units matching a filter (a unit's history)."""
        return await self._api.json(ops.App_SerialNumberHistory, json=_filter(filter))

    @operation(ops.App_GetRelatedRepairHistory)
    async def related_repair_history(
        self,
        part_number: str,
        revision: str,
        *,
        repair_operation_code: str | None = None,
        test_operation_code: str | None = None,
    ) -> JsonValue:
        """Repaired failures of a product revision."""
        return await self._api.json(
            ops.App_GetRelatedRepairHistory,
            params={
                "partNumber": part_number,
                "revision": revision,
                "repairOperationCode": repair_operation_code,
                "testOperationCode": test_operation_code,
            },
        )
