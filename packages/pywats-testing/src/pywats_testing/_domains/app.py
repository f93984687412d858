"""WATS area App: server version and the process (operation type) lists."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._framework import Reply, Request, RouteTable

if TYPE_CHECKING:
    from .._app import FakeWatsApp

__all__ = ["routes"]

routes: RouteTable[FakeWatsApp] = RouteTable()


@routes.get("/api/App/Version")
async def app_version(app: FakeWatsApp, request: Request) -> Reply:
    return Reply.json(app.version)


@routes.get("/api/App/Processes")
async def app_processes(app: FakeWatsApp, request: Request) -> Reply:
    flags = {
        name: request.flag(name)
        for name in (
            "includeTestOperations",
            "includeRepairOperations",
            "includeWipOperations",
            "includeInactiveProcesses",
        )
    }
    kinds = {
        "test": flags["includeTestOperations"],
        "repair": flags["includeRepairOperations"],
        "wip": flags["includeWipOperations"],
    }
    if any(v is True for v in kinds.values()):
        wanted = {k for k, v in kinds.items() if v is True}
    else:
        wanted = {k for k, v in kinds.items() if v is not False}
    out = []
    for p in app.state.processes:
        if p.state != 1 and not flags["includeInactiveProcesses"]:
            continue
        mine = {
            k
            for k, on in (
                ("test", p.is_test_operation),
                ("repair", p.is_repair_operation),
                ("wip", p.is_wip_operation),
            )
            if on
        }
        if mine and not mine & wanted:
            continue
        out.append(
            {
                "code": p.code,
                "name": p.name,
                "description": p.description,
                "isTestOperation": p.is_test_operation,
                "isRepairOperation": p.is_repair_operation,
                "isWipOperation": p.is_wip_operation,
                "processIndex": p.process_index,
                "state": p.state,
                "processID": p.guid(),
            }
        )
    return Reply.json(out)


@routes.get("/api/internal/Process/GetProcesses")
async def internal_processes(app: FakeWatsApp, request: Request) -> Reply:
    return Reply.json(
        [
            {
                "Code": p.code,
                "ProcessID": p.guid(),
                "Name": p.name,
                "Description": p.description,
                "ProcessIndex": p.process_index,
                "State": p.state,
                "Properties": "",
                "IsTestOperation": p.is_test_operation,
                "IsWIPOperation": p.is_wip_operation,
                "IsRepairOperation": p.is_repair_operation,
            }
            for p in app.state.processes
        ]
    )
