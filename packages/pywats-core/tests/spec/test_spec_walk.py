"""The spec walk: every public WATS operation has exactly one client method, and that
method calls it with the spec's method, path, parameter names and body schema.

The requests are recorded through ``httpx.MockTransport`` (sync and async client) and
checked against ``openapi_public_v3.json`` read from the reference files.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import operator
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from _contract import Spec
from _examples import EXAMPLES

import pywats
from pywats import _operations
from pywats._operation import Operation

DOMAINS = (
    "app",
    "report",
    "product",
    "production",
    "asset",
    "software",
    "analytics",
    "rootcause",
    "scim",
    "system",
    "barcode",
    "export",
    "workflow",
    "auth",
    "internal.process",
    "internal.production",
    "internal.product",
    "internal.software",
    "internal.manual_inspection",
    "internal.unit_flow",
    "internal.analytics",
    "internal.asset",
)


def client_methods() -> dict[str, Operation]:
    """``domain.method`` -> the operation the method says it calls, for every domain."""
    wats = pywats.AsyncWATS("http://wats.invalid", "dG9rZW4=")
    found: dict[str, Operation] = {}
    for domain in DOMAINS:
        service = operator.attrgetter(domain)(wats)
        for name, member in inspect.getmembers(type(service), callable):
            op = getattr(member, "__wats_operation__", None)
            if op is not None:
                found[f"{domain}.{name}"] = op
    return found


METHODS = client_methods()


def test_every_public_operation_has_exactly_one_client_method(spec: Spec) -> None:
    claimed: dict[str, list[str]] = {key: [] for key in spec.operations}
    strangers = []
    for method, op in METHODS.items():
        if op.internal:
            continue
        if op.key in claimed:
            claimed[op.key].append(method)
        else:
            strangers.append(f"{method} -> {op.key}")
    missing = sorted(key for key, methods in claimed.items() if not methods)
    doubled = {key: methods for key, methods in claimed.items() if len(methods) > 1}
    assert not strangers, f"methods calling operations the spec does not have: {strangers}"
    assert not missing, f"{len(missing)} operations have no client method: {missing}"
    assert not doubled, f"operations with more than one client method: {doubled}"
    assert len(spec.operations) == 126


def test_every_internal_operation_has_one_method_and_is_in_the_internal_spec(
    internal_spec: Spec,
) -> None:
    internal = {m: op for m, op in METHODS.items() if op.internal}
    keys = [op.key for op in internal.values()]
    assert sorted(keys) == sorted(op.key for op in _operations.INTERNAL)
    assert len(set(keys)) == len(keys)
    assert all(key in internal_spec.operations for key in keys)
    assert all(op.path.startswith("/api/internal/") for op in internal.values())


def test_every_client_method_has_an_example() -> None:
    assert sorted(METHODS) == sorted(EXAMPLES)


# Operations the spec types as "object" that answer a JSON array (wats-facts §4.3).
LIST_ANSWERS = {"GET /api/App/Processes", "GET /api/Report/Query/HeaderByMiscInfo"}
# Internal answers whose samples from the spec would be empty objects.
SAMPLES: dict[str, Any] = {
    "GET /api/internal/Process/GetProcess/{id}": {"Code": 10, "Name": "SW Debug"},
    "GET /api/internal/ManualInspection/GetInstancesCount/{Id}": 3,
    "GET /api/internal/Production/SerialNumbers/Count": 5,
}
# Internal answers the spec types as "object" that are lists.
INTERNAL_LIST_ANSWERS = {
    "GET /api/internal/Product/GetProductCategories",
    "GET /api/internal/ManualInspection/GetRelations/{Id}",
    "GET /api/internal/UnitFlow/Nodes",
    "GET /api/internal/UnitFlow/Links",
    "GET /api/internal/UnitFlow/Units",
    "GET /api/internal/Production/SerialNumbers/Ranges",
}


class Recorder:
    """A transport that records every request and answers with a body fitting the
    operation's response schema (so the client's parsing runs too)."""

    def __init__(self, spec: Spec, op: Operation) -> None:
        self.spec = spec
        self.op = op
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        key = self.op.key
        if key in ("POST /api/Report/WSJF", "POST /api/Report/WSXF"):
            rid = request.headers["Idempotency-Key"]
            return httpx.Response(200, json={"ID": rid, "uuid": rid, "Report_ID": 1})
        if key == "GET /api/App/Version":
            return httpx.Response(200, json="2026.1.5.324")
        if key == "GET /api/Report/Wsjf/{id}":
            body = json.loads(request.url.params.get("x", "null") or "null")
            return httpx.Response(200, json=body or _wsjf())
        if key == "POST /api/RootCause/Attachment":
            return httpx.Response(200, json="7a0e8f5e-1111-4c2d-8e9f-0a1b2c3d4e5f")
        if self.op.response_is_list or self.op.odata or key in LIST_ANSWERS | INTERNAL_LIST_ANSWERS:
            return httpx.Response(200, json=[])
        if key == "GET /api/SCIM/v2/Users":
            return httpx.Response(200, json={"Resources": [], "totalResults": 0})
        if key in SAMPLES:
            return httpx.Response(200, json=SAMPLES[key])
        spec_op = self.spec.operations[key]
        sample = self.spec.sample(spec_op.response_schema)
        return httpx.Response(200, json=sample if sample or sample == [] else {"ok": 1})


def _wsjf() -> dict[str, Any]:
    from _examples import WSJF

    return {**WSJF, "root": {"id": 0, "stepType": "SequenceCall", "name": "MainSequence"}}


def run(example: Any, recorder: Recorder, kind: str) -> Any:
    if kind == "sync":
        with pywats.WATS(
            "http://wats.invalid", "dG9rZW4=", transport=httpx.MockTransport(recorder)
        ) as wats:
            result = example(wats)
            if isinstance(result, (Iterator, pywats.PagedIterator)):
                return list(result)
            return result

    async def main() -> Any:
        async with pywats.AsyncWATS(
            "http://wats.invalid", "dG9rZW4=", transport=httpx.MockTransport(recorder)
        ) as wats:
            result = example(wats)
            if isinstance(result, pywats.AsyncPagedIterator):
                return await result.collect()
            return await result

    return asyncio.run(main())


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("method", sorted(METHODS))
def test_method_calls_its_operation_as_the_spec_says(
    request: pytest.FixtureRequest, method: str, kind: str
) -> None:
    op = METHODS[method]
    spec: Spec = request.getfixturevalue("internal_spec" if op.internal else "spec")
    recorder = Recorder(spec, op)
    run(EXAMPLES[method], recorder, kind)
    assert len(recorder.requests) == 1, f"{method} sent {len(recorder.requests)} requests"
    sent = recorder.requests[0]
    problems = spec.problems(op.key, sent)
    assert not problems, f"{method} -> {op.key}: " + "; ".join(problems)
    # Internal routes carry the Referer olreppe/pyWATS found the server wants.
    assert ("referer" in sent.headers) == op.internal


def test_the_checker_catches_a_wrong_parameter_name(spec: Spec) -> None:
    # pyWATS once sent processCode to SetUnitProcess (the spec: processName).
    request = httpx.Request(
        "PUT",
        "http://w/api/Production/SetUnitProcess",
        params={"serialNumber": "1", "partNumber": "2", "processCode": "10"},
    )
    problems = spec.problems("PUT /api/Production/SetUnitProcess", request)
    assert "query parameter 'processCode' is not in the spec" in problems
    assert "required query parameter 'processName' is missing" in problems


def test_the_checker_catches_a_wrong_method_path_and_body(spec: Spec) -> None:
    request = httpx.Request("POST", "http://w/api/Products", json=[{"partNumber": 5}])
    problems = spec.problems("PUT /api/Products", request)
    assert "method POST, the spec says PUT" in problems
    assert "path /api/Products does not fit the template /api/Products" not in problems
    assert any("5 is not of type 'string'" in p for p in problems)
    wrong_path = httpx.Request("GET", "http://w/api/Product/A/B/C")
    assert any(
        "does not fit" in p for p in spec.problems("GET /api/Product/{partNumber}", wrong_path)
    )
