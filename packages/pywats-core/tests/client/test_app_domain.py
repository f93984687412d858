"""The App domain's client side: routes, query flags, models (scripted answers)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import pywats

Call = Callable[..., Any]
ScriptedTransport = Any

PROCESSES = [
    {"code": 10, "name": "SW Debug", "isTestOperation": True, "processIndex": 1, "future": "x"},
    {"Code": 500, "Name": "Repair", "IsRepairOperation": True, "ProcessID": "a-b"},
]


def test_processes_parses_both_spellings_and_keeps_unknown_fields(
    scripted: ScriptedTransport, call: Call
) -> None:
    scripted.json("GET", "/api/App/Processes", PROCESSES)
    processes = call(lambda w: w.app.processes())
    assert [p.code for p in processes] == [10, 500]
    assert processes[0].name == "SW Debug"
    assert processes[0].is_test_operation
    assert not processes[0].is_repair_operation
    assert processes[0].model_extra == {"future": "x"}
    assert processes[1].is_repair_operation
    assert processes[1].process_id == "a-b"
    assert scripted.requests[-1].query == {}


def test_process_flags_are_sent_as_aspnet_booleans(scripted: ScriptedTransport, call: Call) -> None:
    scripted.json("GET", "/api/App/Processes", [])
    call(
        lambda w: w.app.processes(
            include_test_operations=True,
            include_repair_operations=False,
            include_inactive_processes=True,
        )
    )
    assert scripted.requests[-1].query == {
        "includeTestOperations": ["true"],
        "includeRepairOperations": ["false"],
        "includeInactiveProcesses": ["true"],
    }


def test_processes_rejects_non_list(scripted: ScriptedTransport, call: Call) -> None:
    scripted.json("GET", "/api/App/Processes", {"not": "a list"})
    with pytest.raises(pywats.PyWATSError, match="JSON array of processes"):
        call(lambda w: w.app.processes())


def test_version_must_be_a_string(scripted: ScriptedTransport, call: Call) -> None:
    scripted.json("GET", "/api/App/Version", {"Version": "1"})
    with pytest.raises(pywats.PyWATSError, match="JSON string"):
        call(lambda w: w.app.version())


def test_idempotency_key_header_is_sent(scripted: ScriptedTransport, call: Call) -> None:
    scripted.json("POST", "/api/Report/WSJF", {"ID": "x"})

    def post(wats: object) -> object:
        return wats.http.request(  # type: ignore[attr-defined]
            "POST", "/api/Report/WSJF", content=b"{}", idempotency_key="3f2c-key"
        )

    call(post)
    assert scripted.requests[-1].headers["idempotency-key"] == "3f2c-key"


def test_token_must_be_clean(scripted: ScriptedTransport) -> None:
    for bad in ["", " padded "]:
        with pytest.raises(ValueError, match="token"):
            pywats.WATS(scripted.url, bad)
