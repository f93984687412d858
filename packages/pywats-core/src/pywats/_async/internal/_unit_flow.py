"""``wats.internal.unit_flow``: how units move between operations (the Unit Flow view).

**Internal** (``/api/internal/UnitFlow...``): the vendor may change these routes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel

from pywats import _operations as ops
from pywats._async._api import AsyncApi
from pywats._operation import Operation, operation
from pywats._payload import JsonValue, dump, dump_list, parse_list
from pywats.internal import UnitFlowLink, UnitFlowNode, UnitFlowUnit
from pywats.models import PublicWatsFilter

__all__ = ["AsyncInternalUnitFlow"]

_Filter = PublicWatsFilter | Mapping[str, Any]
M = TypeVar("M", bound=BaseModel)


def _filter_text(flow_filter: _Filter | str) -> str:
    # The GET routes take the filter as one required query string; we send the JSON
    # object the POST routes take as their body [inferred; the spec only says "string"].
    return flow_filter if isinstance(flow_filter, str) else json.dumps(dump(flow_filter))


class AsyncInternalUnitFlow:
    def __init__(self, api: AsyncApi) -> None:
        self._api = api

    @operation(ops.UnitFlow_GetUnitFlow)
    async def query(self, wats_filter: _Filter | None = None) -> JsonValue:
        """The unit flow (nodes and links) of the units a WATS filter picks. INTERNAL."""
        return await self._api.json(ops.UnitFlow_GetUnitFlow, json=dump(wats_filter or {}))

    async def _listed(self, op: Operation, model: type[M], wats_filter: _Filter | str) -> list[M]:
        """A GET route answering a list of ``model`` for the units a filter picks."""
        body = await self._api.json(op, params={"filter": _filter_text(wats_filter)})
        return parse_list(model, body, op.key)

    @operation(ops.UnitFlow_GetUnitFlowNodes)
    async def nodes(self, wats_filter: _Filter | str) -> list[UnitFlowNode]:
        """The operations of the unit flow. INTERNAL: may change without notice."""
        return await self._listed(ops.UnitFlow_GetUnitFlowNodes, UnitFlowNode, wats_filter)

    @operation(ops.UnitFlow_GetUnitFlowLinks)
    async def links(self, wats_filter: _Filter | str) -> list[UnitFlowLink]:
        """The moves between operations of the unit flow. INTERNAL: may change."""
        return await self._listed(ops.UnitFlow_GetUnitFlowLinks, UnitFlowLink, wats_filter)

    @operation(ops.UnitFlow_GetUnitFlowUnits)
    async def units(self, wats_filter: _Filter | str) -> list[UnitFlowUnit]:
        """Each unit's moves in the unit flow. INTERNAL: may change without notice."""
        return await self._listed(ops.UnitFlow_GetUnitFlowUnits, UnitFlowUnit, wats_filter)

    @operation(ops.UnitFlow_GetUnitSerialNumbers)
    async def serial_numbers(self, unit_ids: Iterable[int]) -> JsonValue:
        """The serial numbers of units of the flow, by their ``unit_id``. INTERNAL."""
        return await self._api.json(
            ops.UnitFlow_GetUnitSerialNumbers, json=[int(i) for i in unit_ids]
        )

    @operation(ops.UnitFlow_GetUnitFlowSplitBy)
    async def split_by(self, dimension: str, wats_filter: _Filter | None = None) -> JsonValue:
        """The unit flow split by a dimension (e.g. ``stationName``): the filter with
        ``splitBy`` added, as olreppe/pyWATS sent it. INTERNAL: may change."""
        body = {**dump(wats_filter or {}), "splitBy": dimension}
        return await self._api.json(ops.UnitFlow_GetUnitFlowSplitBy, json=body)

    @operation(ops.UnitFlow_GetUnitFlowOrder)
    async def unit_order(self, units: Iterable[UnitFlowUnit | Mapping[str, Any]]) -> JsonValue:
        """The order in which these units passed the operations. INTERNAL: may change."""
        return await self._api.json(ops.UnitFlow_GetUnitFlowOrder, json=dump_list(units))
