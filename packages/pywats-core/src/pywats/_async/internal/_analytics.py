"""``wats.internal.analytics``: step and measurement lists with step filters, top failed
steps, and the alarm and notification log.

**Internal** (``/api/internal/App/...`` and ``/api/internal/Trigger/...``): the vendor may
change these routes. The public ``wats.analytics`` covers the documented statistics.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pywats import _operations as ops
from pywats._async._api import AsyncApi
from pywats._operation import Operation, operation
from pywats._payload import JsonValue, dump
from pywats._queries import StepFilters, recent_query, top_failed_query
from pywats.models import PublicWatsFilter

__all__ = ["AsyncInternalAnalytics"]

_Filter = PublicWatsFilter | Mapping[str, Any]


def _rows(body: Any) -> list[JsonValue]:
    return list(body or [])


class AsyncInternalAnalytics:
    def __init__(self, api: AsyncApi) -> None:
        self._api = api

    async def _recent(
        self, op: Operation, days: int, filters: StepFilters, product_group_id: str, level_id: str
    ) -> list[JsonValue]:
        params = {**recent_query(days, product_group_id, level_id), **filters.params()}
        return _rows(await self._api.json(op, params=params))

    async def _filtered(
        self, op: Operation, wats_filter: _Filter, filters: StepFilters
    ) -> list[JsonValue]:
        return _rows(await self._api.json(op, params=filters.params(), json=dump(wats_filter)))

    @operation(ops.App_MeasurementList_GET)
    async def measurement_list(
        self, days: int, filters: StepFilters, *, product_group_id: str, level_id: str
    ) -> list[JsonValue]:
        """Measurements of the steps ``filters`` pick, over the last ``days``.
        INTERNAL: may change without notice."""
        op = ops.App_MeasurementList_GET
        return await self._recent(op, days, filters, product_group_id, level_id)

    @operation(ops.App_MeasurementList_POST)
    async def measurement_list_by_filter(
        self, wats_filter: _Filter, filters: StepFilters
    ) -> list[JsonValue]:
        """:meth:`measurement_list` with a full WATS filter. INTERNAL: may change."""
        return await self._filtered(ops.App_MeasurementList_POST, wats_filter, filters)

    @operation(ops.App_StepStatusList_GET)
    async def step_status_list(
        self, days: int, filters: StepFilters, *, product_group_id: str, level_id: str
    ) -> list[JsonValue]:
        """Pass/fail counts of the steps ``filters`` pick, over the last ``days``.
        INTERNAL: may change without notice."""
        op = ops.App_StepStatusList_GET
        return await self._recent(op, days, filters, product_group_id, level_id)

    @operation(ops.App_StepStatusList_POST)
    async def step_status_list_by_filter(
        self, wats_filter: _Filter, filters: StepFilters
    ) -> list[JsonValue]:
        """:meth:`step_status_list` with a full WATS filter. INTERNAL: may change."""
        return await self._filtered(ops.App_StepStatusList_POST, wats_filter, filters)

    @operation(ops.App_InternalTopFailed_GET)
    async def top_failed(
        self,
        part_number: str,
        process_code: str,
        product_group_id: str,
        level_id: str,
        days: int,
        count: int = 10,
    ) -> list[JsonValue]:
        """The steps that failed most. INTERNAL: may change without notice; the public
        ``wats.analytics`` has its own top-failed statistics."""
        body = await self._api.json(
            ops.App_InternalTopFailed_GET,
            params=top_failed_query(
                part_number, process_code, days, count, product_group_id, level_id
            ),
        )
        return _rows(body)

    @operation(ops.App_InternalTopFailed_POST)
    async def top_failed_by_filter(self, wats_filter: _Filter) -> list[JsonValue]:
        """:meth:`top_failed` with a full WATS filter. INTERNAL: may change."""
        return _rows(await self._api.json(ops.App_InternalTopFailed_POST, json=dump(wats_filter)))

    @operation(ops.Trigger_GetAlarmAndNotificationLogs)
    async def alarm_logs(
        self,
        wats_filter: _Filter | None = None,
        *,
        include_calculation_string: bool | None = None,
        include_types: str | None = None,
    ) -> list[JsonValue]:
        """The alarms and notifications WATS raised (yield, measurement, serial-number
        pool, asset ...). INTERNAL: may change without notice."""
        body = await self._api.json(
            ops.Trigger_GetAlarmAndNotificationLogs,
            params={
                "includeCalculationString": include_calculation_string,
                "includeTypes": include_types,
            },
            json=dump(wats_filter or {}),
        )
        return _rows(body)
