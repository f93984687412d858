"""The real WATS specification as a checker of requests, read straight from the spec file.

Independent of pywats's generated operation table: this reads ``openapi_public_v3.json``
itself, so a wrong table cannot vouch for itself.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jsonschema

SPEC = Path("olreppe-pyWATS") / "openapi" / "openapi_public_v3.json"
INTERNAL_SPEC = Path("olreppe-pyWATS") / "openapi" / "openapi_internal_v3.json"
ODATA = {"$filter", "$top", "$skip", "$orderby", "$select", "$expand"}
SCIM_PAGING = {"startIndex", "count"}

# Bodies the spec omits but documents in prose (see tools/apigen.py for each reason).
PROSE_BODIES = {
    "POST /api/Report/WSJF": "application/json",
    "POST /api/Report/WSXF": "application/xml",
    "PUT /api/Product/BOM": "application/xml",
    "PUT /api/Production/SerialNumbers": "multipart/form-data",
    "POST /api/Software/Package/UploadZip/{id}": "multipart/form-data",
    "POST /api/RootCause/Attachment": "multipart/form-data",
}
# Bodies the internal spec omits that olreppe/pyWATS sent and the server read.
PROSE_BODIES.update(
    {
        "PUT /api/internal/Product/BOM": "application/json",
        "POST /api/internal/Blob/Asset": "application/octet-stream",
    }
)


@dataclass
class SpecOperation:
    method: str
    path: str
    path_params: set[str]
    query_params: set[str]
    required_query: set[str]
    body_schema: dict[str, Any] | None
    body_media: str | None
    odata: bool
    response_schema: dict[str, Any] | None
    pattern: re.Pattern[str] = field(init=False)

    def __post_init__(self) -> None:
        regex = re.escape(self.path)
        for name in self.path_params:
            regex = regex.replace(re.escape("{" + name + "}"), "(?P<" + _group(name) + ">[^/]+)")
        self.pattern = re.compile("^" + regex + "$")

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"


def _group(name: str) -> str:
    return re.sub(r"\W", "_", name)


class Spec:
    def __init__(self, reference_dir: Path, name: Path = SPEC) -> None:
        self.document: dict[str, Any] = json.loads((reference_dir / name).read_text("utf-8"))
        self.operations: dict[str, SpecOperation] = {}
        for path, item in self.document["paths"].items():
            for method, op in item.items():
                if method not in ("get", "put", "post", "delete", "patch"):
                    continue
                params = op.get("parameters", [])
                body = op.get("requestBody")
                if body and "$ref" in body:
                    body = self.resolve(body["$ref"])
                content = (body or {}).get("content", {})
                text = (op.get("description") or "") + (op.get("summary") or "")
                response = op.get("responses", {}).get("200", {}).get("content", {})
                spec_op = SpecOperation(
                    method=method.upper(),
                    path=path,
                    path_params={p["name"] for p in params if p["in"] == "path"},
                    query_params={p["name"] for p in params if p["in"] == "query"},
                    required_query={
                        p["name"] for p in params if p["in"] == "query" and p.get("required")
                    },
                    body_schema=content.get("application/json", {}).get("schema"),
                    body_media="application/json" if content else None,
                    odata="OData query options" in text,
                    response_schema=response.get("application/json", {}).get("schema"),
                )
                spec_op.body_media = PROSE_BODIES.get(spec_op.key, spec_op.body_media)
                self.operations[spec_op.key] = spec_op

    def resolve(self, ref: str) -> dict[str, Any]:
        node: Any = self.document
        for part in ref.removeprefix("#/").split("/"):
            node = node[part]
        return dict(node)

    def validate(self, schema: dict[str, Any], instance: Any) -> list[str]:
        """Problems of ``instance`` against a schema of the spec (``$ref``s resolved)."""
        root = {"components": self.document["components"], **schema}
        validator = jsonschema.Draft4Validator(root)
        return [
            f"{'/'.join(map(str, e.path)) or '<body>'}: {e.message}"
            for e in validator.iter_errors(instance)
        ]

    def problems(self, key: str, request: httpx.Request) -> list[str]:
        """Everything about ``request`` that does not match the operation ``key``."""
        op = self.operations.get(key)
        if op is None:
            return [f"{key} is not an operation of the public specification"]
        found: list[str] = []
        if request.method != op.method:
            found.append(f"method {request.method}, the spec says {op.method}")
        path = urlsplit(str(request.url)).path
        match = op.pattern.match(path)
        if match is None:
            found.append(f"path {path} does not fit the template {op.path}")
        query = parse_qs(urlsplit(str(request.url)).query, keep_blank_values=True)
        allowed = set(op.query_params)
        if op.odata:
            allowed |= ODATA
        if op.path == "/api/SCIM/v2/Users":
            allowed |= SCIM_PAGING
        for name in sorted(set(query) - allowed):
            found.append(f"query parameter {name!r} is not in the spec")
        for name in sorted(op.required_query - set(query)):
            found.append(f"required query parameter {name!r} is missing")
        found.extend(self._body_problems(op, request))
        return found

    def _body_problems(self, op: SpecOperation, request: httpx.Request) -> list[str]:
        content = request.content
        media = request.headers.get("content-type", "").split(";")[0].strip()
        if op.body_media is None:
            return [f"a body ({len(content)} bytes) the spec does not have"] if content else []
        if op.body_media == "multipart/form-data":
            return [] if media == "multipart/form-data" else [f"body sent as {media!r}"]
        if not content:
            return ["no body, but the operation takes one"]
        if media != op.body_media:
            return [f"body sent as {media!r}, the operation takes {op.body_media!r}"]
        if media == "application/json" and op.body_schema is not None:
            return self.validate(op.body_schema, json.loads(content))
        return []

    def sample(self, schema: dict[str, Any] | None, depth: int = 0) -> Any:
        """A minimal value that fits ``schema``: its required properties filled."""
        if schema is None:
            return {}
        if "$ref" in schema:
            return self.sample(self.resolve(schema["$ref"]), depth)
        kind = schema.get("type")
        if "enum" in schema:
            return schema["enum"][0]
        if kind == "array":
            return []
        if kind == "string":
            return "00000000-0000-0000-0000-000000000001" if schema.get("format") == "uuid" else "x"
        if kind in ("integer", "number"):
            return 1
        if kind == "boolean":
            return True
        props = schema.get("properties", {})
        return {
            name: self.sample(props.get(name), depth + 1)
            for name in schema.get("required", [])
            if depth < 3
        }
