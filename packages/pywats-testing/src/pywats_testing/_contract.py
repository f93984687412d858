"""Contract mode: every request the fake serves and every reply it sends, checked against
the real WATS OpenAPI specification.

Switched on by pointing ``PYWATS_FAKE_SPEC`` (or :func:`load_contract`) at
``openapi_public_v3.json``. A request that does not fit the spec (unknown or missing
parameter, a value of the wrong type, a body that breaks its schema) is answered ``400``
with the reasons; a reply of the fake that breaks the spec becomes a ``500`` naming the
fake's fault, so a test cannot pass on a wrong answer. Routes the public spec does not
have (``/api/internal/...``) are checked against ``openapi_internal_v3.json`` when that
file lies beside the public spec (as in the reference files), and not checked otherwise.

Schemas are checked with ``jsonschema`` (OpenAPI 3.0 schemas are a JSON Schema draft 4
dialect). ``openapi-core`` would do the same, but it installs ``rfc3339-validator``, which
switches on ``jsonschema``'s date-time format check process-wide and so changes what
other tests' schema checks accept.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import jsonschema

from ._framework import Handler, Reply, Request, RouteTable

__all__ = ["SpecContract", "checked", "load_contract", "SPEC_ENV"]

SPEC_ENV = "PYWATS_FAKE_SPEC"
AppT = TypeVar("AppT")
_ODATA = frozenset({"$filter", "$top", "$skip", "$orderby", "$select", "$expand"})
_SCIM_PAGING = frozenset({"startIndex", "count"})
_PACKAGE = "#/components/schemas/Virinco.WATS.Web.Dashboard.Models.Mes.Software.Public.Package"
# Declared as one Package, described as lists ("Returns a list with all Software
# Packages"); pywats's tools/apigen.py makes the same correction.
_LIST_ANSWERS = {
    ("GET", "/api/software/packages"): {"type": "array", "items": {"$ref": _PACKAGE}},
    ("GET", "/api/software/packagesbytag"): {"type": "array", "items": {"$ref": _PACKAGE}},
}


@dataclass(frozen=True)
class _Operation:
    query: Mapping[str, dict[str, Any]]  # name -> parameter
    required: frozenset[str]
    extra_query: frozenset[str]
    body: dict[str, Any] | None  # JSON body schema
    responses: Mapping[int, dict[str, Any] | None]  # status -> JSON schema (None: no body)
    components: Mapping[str, Any]  # the spec's components the schemas refer to


def _openapi_to_jsonschema(node: Any) -> Any:
    """OpenAPI 3.0 schema -> JSON Schema: ``nullable`` becomes a null type."""
    if isinstance(node, dict):
        out = {k: _openapi_to_jsonschema(v) for k, v in node.items() if k != "nullable"}
        if node.get("nullable") and isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
        if node.get("nullable") and "$ref" in out:
            out = {"anyOf": [{"$ref": out["$ref"]}, {"type": "null"}]}
        return out
    if isinstance(node, list):
        return [_openapi_to_jsonschema(v) for v in node]
    return node


class SpecContract:
    """The public WATS spec, ready to check requests and replies."""

    def __init__(
        self, document: Mapping[str, Any], internal: Mapping[str, Any] | None = None
    ) -> None:
        self._operations: dict[tuple[str, str], _Operation] = {}
        self._add(document, lambda path: True)
        if internal is not None:  # only its own routes; the public ones are checked above
            self._add(internal, lambda path: path.lower().startswith("/api/internal/"))

    def _add(self, document: Mapping[str, Any], wanted: Callable[[str], bool]) -> None:
        spec = json.loads(json.dumps(document))
        # The spec was captured as Swagger 2.0, which cannot say "nullable"; its OpenAPI 3
        # conversion therefore forbids null everywhere, while WATS (.NET) sends null for
        # any unset string, object or nullable number. Every property may be null here.
        for schema in spec["components"]["schemas"].values():
            for prop in schema.get("properties", {}).values():
                prop["nullable"] = True
        self._components = {"components": _openapi_to_jsonschema(spec["components"])}
        self._request_bodies: dict[str, Any] = spec["components"].get("requestBodies", {})
        for path, item in spec["paths"].items():
            if not wanted(path):
                continue
            for method, op in item.items():
                if isinstance(op, dict) and "responses" in op:
                    self._operations[(method.upper(), path.lower())] = self._read(
                        method.upper(), path, op
                    )

    def _read(self, method: str, path: str, op: dict[str, Any]) -> _Operation:
        params = {p["name"]: p for p in op.get("parameters", []) if p.get("in") == "query"}
        text = f"{op.get('description') or ''} {op.get('summary') or ''}"
        extra = set(_ODATA) if "OData query options" in text else set()
        if path == "/api/SCIM/v2/Users" and method == "GET":
            extra |= _SCIM_PAGING
        body = op.get("requestBody")
        if body and "$ref" in body:  # #/components/requestBodies/<name>
            body = self._request_bodies[body["$ref"].rsplit("/", 1)[-1]]
        body_schema = (body or {}).get("content", {}).get("application/json", {}).get("schema")
        responses: dict[int, dict[str, Any] | None] = {}
        for status, response in op.get("responses", {}).items():
            schema = response.get("content", {}).get("application/json", {}).get("schema")
            # A bare {"type": "object"} is how Swashbuckle writes a .NET object or
            # IHttpActionResult: any JSON (WATS answers arrays, strings, numbers there).
            responses[int(status)] = {} if schema == {"type": "object"} else schema
        if (method, path.lower()) in _LIST_ANSWERS:
            responses[200] = _LIST_ANSWERS[(method, path.lower())]
        return _Operation(
            query=params,
            required=frozenset(n for n, p in params.items() if p.get("required")),
            extra_query=frozenset(extra),
            body=_openapi_to_jsonschema(body_schema) if body_schema else None,
            responses={k: _openapi_to_jsonschema(v) for k, v in responses.items()},
            components=self._components,
        )

    def covers(self, method: str, template: str) -> bool:
        return (method.upper(), template.lower()) in self._operations

    def _problems(
        self, op: _Operation, schema: dict[str, Any], instance: Any, where: str
    ) -> list[str]:
        validator = jsonschema.Draft4Validator({**schema, **op.components})
        return [
            f"{where}{'/'.join(map(str, e.absolute_path)) or ''}: {e.message}"[:300]
            for e in validator.iter_errors(instance)
        ]

    def request_problems(self, request: Request) -> list[str]:
        op = self._operations[(request.method.upper(), request.template.lower())]
        problems = [
            f"query parameter '{name}' is not in the spec"
            for name in sorted(request.query)
            if name not in op.query and name not in op.extra_query
        ]
        problems += [
            f"required query parameter '{name}' is missing"
            for name in sorted(op.required)
            if not request.query.get(name)
        ]
        for name, value in request.query.items():
            kind = op.query.get(name, {}).get("schema", {}).get("type")
            if kind == "integer" and not _is_int(value):
                problems.append(f"query parameter '{name}': '{value}' is not an integer")
            if kind == "boolean" and value.lower() not in ("true", "false"):
                problems.append(f"query parameter '{name}': '{value}' is not a boolean")
        if op.body is not None:
            media = request.headers.get("content-type", "").split(";")[0].strip()
            if media not in ("application/json", "text/json"):
                problems.append(f"the body must be JSON, not {media or 'missing'}")
            else:
                try:
                    problems += self._problems(op, op.body, json.loads(request.body), "body ")
                except ValueError:
                    problems.append("the body is not valid JSON")
        return problems

    def reply_problems(self, request: Request, reply: Reply) -> list[str]:
        op = self._operations[(request.method.upper(), request.template.lower())]
        if not 200 <= reply.status < 300:
            return []  # the spec documents no error answers
        if reply.status not in op.responses:
            return [f"status {reply.status} is not among the spec's {sorted(op.responses)}"]
        schema = op.responses[reply.status]
        if schema is None or not reply.content_type.startswith("application/json"):
            return []  # no JSON body documented, or a file
        if not reply.body:
            return ["the spec documents a JSON body, the reply has none"]
        return self._problems(op, schema, json.loads(reply.body), "reply ")


def _is_int(value: str) -> bool:
    try:
        int(value)
    except ValueError:
        return False
    return True


INTERNAL_SPEC_NAME = "openapi_internal_v3.json"


@functools.lru_cache(maxsize=4)
def _load(path: str) -> SpecContract:
    internal = Path(path).with_name(INTERNAL_SPEC_NAME)
    return SpecContract(
        json.loads(Path(path).read_text(encoding="utf-8")),
        json.loads(internal.read_text(encoding="utf-8")) if internal.is_file() else None,
    )


def load_contract(path: str | os.PathLike[str] | None = None) -> SpecContract | None:
    """The contract for the spec at ``path`` (default: ``$PYWATS_FAKE_SPEC``), loaded once
    per process; ``None`` when neither names a file."""
    where = path if path is not None else os.environ.get(SPEC_ENV)
    if not where:
        return None
    if not Path(where).is_file():
        raise FileNotFoundError(f"{SPEC_ENV}: no WATS specification at {where}")
    return _load(str(Path(where).resolve()))


def checked(table: RouteTable[AppT]) -> RouteTable[AppT]:
    """The same routes, each handler behind the contract check of its app (if any)."""
    out: RouteTable[AppT] = RouteTable(table.auth)
    for route, handler in table.entries:
        out.entries.append((route, _guard(handler)))
    return out


def _guard(handler: Handler[AppT]) -> Handler[AppT]:
    @functools.wraps(handler)
    async def guarded(app: AppT, request: Request) -> Reply:
        contract: SpecContract | None = getattr(app, "contract", None)
        if contract is None or not contract.covers(request.method, request.template):
            return await handler(app, request)
        problems = contract.request_problems(request)
        if problems:
            text = "The request does not match the WATS API specification: " + "; ".join(problems)
            return Reply.message(400, text)
        reply = await handler(app, request)
        problems = contract.reply_problems(request, reply)
        if problems:
            text = "pywats-testing: the fake's reply breaks the WATS API specification: "
            return Reply.message(500, text + "; ".join(problems))
        return reply

    return guarded
