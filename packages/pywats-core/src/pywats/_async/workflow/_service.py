"""The Workflow domain: tell WATS a unit's test starts or ends (MES workflow)."""

from __future__ import annotations

from pywats import _operations as ops
from pywats._async._api import AsyncApi
from pywats._operation import operation
from pywats._payload import JsonValue
from pywats._queries import workflow_query

__all__ = ["AsyncWorkflowService"]


class AsyncWorkflowService:
    def __init__(self, api: AsyncApi) -> None:
        self._api = api

    @operation(ops.Workflow_PublicStartTest)
    async def start_test(
        self,
        serial_number: str,
        part_number: str,
        *,
        operator_name: str | None = None,
        station_name: str | None = None,
        status: int | None = None,
    ) -> JsonValue:
        """Start a test of a unit in its workflow."""
        return await self._api.json(
            ops.Workflow_PublicStartTest,
            params=workflow_query(serial_number, part_number, operator_name, station_name, status),
        )

    @operation(ops.Workflow_PublicEndTest)
    async def end_test(
        self,
        serial_number: str,
        part_number: str,
        *,
        passed: bool | None = None,
        operator_name: str | None = None,
        station_name: str | None = None,
        status: int | None = None,
    ) -> JsonValue:
        """End a unit's test in its workflow, passed or not."""
        return await self._api.json(
            ops.Workflow_PublicEndTest,
            params={
                **workflow_query(serial_number, part_number, operator_name, station_name, status),
                "passed": passed,
            },
        )
