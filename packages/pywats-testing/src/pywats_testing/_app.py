"""The ASGI application: WATS routes, auth, rate limit, idempotency, faults, admin routes."""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Literal
from urllib.parse import parse_qsl

from ._faults import BodyShape, Fault, FaultPlan
from ._headers import (
    EXPANDABLE,
    HEADER_FIELDS,
    ORDERABLE,
    header_rows,
    render_header,
    render_misc,
)
from ._http import CONNECTION_EXTENSION, OutageMode
from ._odata import ODataError, parse_query
from ._reports import (
    ReportFormatError,
    document_of,
    parse_submission,
    readback_document,
    to_wsxf,
    validation_text,
)
from ._state import FakeState, Principal, Process

__all__ = ["ADMIN_PREFIX", "API_ROUTES", "FakeWatsApp", "Reply", "Route"]

ADMIN_PREFIX = "/_fake"
Auth = Literal["api", "register", "none"]
Handler = Callable[["Request"], Awaitable["Reply"]]


@dataclass
class Reply:
    status: int
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def json(cls, value: Any, status: int = 200) -> Reply:
        return cls(status, json.dumps(value, ensure_ascii=False).encode())

    @classmethod
    def message(
        cls,
        status: int,
        text: str,
        shape: BodyShape = "message-object",
        headers: Iterable[tuple[str, str]] = (),
    ) -> Reply:
        """An error body in one of the three shapes WATS clients must accept."""
        if shape == "text":
            return cls(status, text.encode(), "text/plain; charset=utf-8", list(headers))
        value: Any = text if shape == "json-string" else {"Message": text}
        reply = cls.json(value, status)
        reply.headers.extend(headers)
        return reply


@dataclass
class Request:
    method: str
    path: str
    template: str
    path_params: dict[str, str]
    query: dict[str, str]  # keys as sent
    headers: dict[str, str]  # lower-case names
    body: bytes
    principal: Principal | None = None

    def param(self, name: str) -> str | None:
        """A query parameter, matched case-insensitively as ASP.NET model binding does."""
        wanted = name.lower()
        for key, value in self.query.items():
            if key.lower() == wanted:
                return value
        return None


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    name: str
    auth: Auth
    pattern: re.Pattern[str]

    @classmethod
    def make(cls, method: str, template: str, name: str, auth: Auth = "api") -> Route:
        regex = "".join(
            f"(?P<{part[1:-1]}>[^/]+)" if part.startswith("{") else re.escape(part)
            for part in re.split(r"(\{[^}]+\})", template)
        )
        return cls(method, template, name, auth, re.compile(f"^{regex}/?$", re.IGNORECASE))


# The WATS routes this fake serves, with the spelling of the Swagger specs.
API_ROUTES: tuple[Route, ...] = (
    Route.make("GET", "/api/App/Version", "app_version"),
    Route.make("GET", "/api/App/Processes", "app_processes"),
    Route.make("GET", "/api/internal/Process/GetProcesses", "internal_processes"),
    Route.make("POST", "/api/Report/WSJF", "post_wsjf"),
    Route.make("POST", "/api/Report/WSXF", "post_wsxf"),
    Route.make("GET", "/api/Report/Wsjf/{id}", "get_wsjf"),
    Route.make("GET", "/api/Report/Wsxf/{id}", "get_wsxf"),
    Route.make("GET", "/api/Report/Query/Header", "query_header"),
    Route.make("GET", "/api/Report/Query/HeaderByMiscInfo", "query_misc_info"),
    Route.make("GET", "/api/Report/Attachment", "get_attachment"),
    Route.make("GET", "/api/Report/Attachments/{id}", "get_attachments"),
    Route.make("POST", "/api/internal/Client/Register", "client_register", "register"),
    Route.make("GET", "/api/internal/Client/Ping", "client_ping"),
    Route.make("GET", "/api/internal/Client/ServerInfo", "client_server_info"),
)

ADMIN_ROUTES: tuple[Route, ...] = (
    Route.make("GET", "/_fake/routes", "admin_routes", "none"),
    Route.make("GET", "/_fake/stats", "admin_stats", "none"),
    Route.make("GET", "/_fake/reports", "admin_reports", "none"),
    Route.make("GET", "/_fake/reports/{id}", "admin_report", "none"),
    Route.make("GET", "/_fake/faults", "admin_faults", "none"),
    Route.make("POST", "/_fake/faults", "admin_add_fault", "none"),
    Route.make("DELETE", "/_fake/faults", "admin_clear_faults", "none"),
    Route.make("DELETE", "/_fake/faults/{id}", "admin_remove_fault", "none"),
    Route.make("POST", "/_fake/outage", "admin_outage", "none"),
    Route.make("POST", "/_fake/credentials/expire", "admin_expire", "none"),
    Route.make("POST", "/_fake/credentials/restore", "admin_restore", "none"),
    Route.make("POST", "/_fake/tokens", "admin_add_token", "none"),
    Route.make("PUT", "/_fake/rate-limit", "admin_rate_limit", "none"),
    Route.make("POST", "/_fake/release", "admin_release", "none"),
    Route.make("POST", "/_fake/clear", "admin_clear", "none"),
)

_AUTH_DENIED = "Authorization has been denied for this request."
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_ODATA_INVALID = "The query specified in the URI is not valid. "


class OutageController:
    """What the app needs from its HTTP front to start an outage (set by the server)."""

    async def begin_outage(self, mode: OutageMode, seconds: float | None) -> None:
        raise NotImplementedError("outages need pywats_testing's own HTTP front")

    def outage_connections(self) -> int:
        """Connections accepted and reset during ``"reset"`` outages so far."""
        return 0


def _bool_param(value: str | None, name: str) -> bool | None:
    if value is None:
        return None
    lowered = value.strip().lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise ValueError(f"The value '{value}' is not valid for {name}.")


class FakeWatsApp:
    """An ASGI app that answers like WATS. See :class:`pywats_testing.FakeWatsServer`."""

    def __init__(
        self,
        state: FakeState,
        faults: FaultPlan,
        *,
        version: str = "2026.1.5.324",
        server_name: str = "pywats-testing fake WATS",
        path_prefix: str = "",
        validation_error_shape: BodyShape = "message-object",
        loop_export_quirk: bool = True,
    ) -> None:
        self.state = state
        self.faults = faults
        self.version = version
        self.server_name = server_name
        self.path_prefix = "/" + path_prefix.strip("/") if path_prefix.strip("/") else ""
        self.validation_error_shape: BodyShape = validation_error_shape
        self.loop_export_quirk = loop_export_quirk
        self.outages: OutageController = OutageController()
        self._release: asyncio.Event | None = None
        self._handlers: dict[str, Handler] = {
            route.name: getattr(self, "_" + route.name) for route in (*API_ROUTES, *ADMIN_ROUTES)
        }

    # -- hung requests ----------------------------------------------------------------
    def _release_event(self) -> asyncio.Event:
        if self._release is None:
            self._release = asyncio.Event()
        return self._release

    def release_hung(self) -> None:
        """Let every hung request go on (call on the server's loop)."""
        event = self._release_event()
        self._release = asyncio.Event()
        event.set()

    # -- ASGI -------------------------------------------------------------------------
    async def __call__(
        self,
        scope: MutableMapping[str, Any],
        receive: Callable[[], Awaitable[MutableMapping[str, Any]]],
        send: Callable[[MutableMapping[str, Any]], Awaitable[None]],
    ) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        reply = await self._dispatch(scope, b"".join(chunks), receive)
        if reply is None:
            return
        headers = [
            (b"content-type", reply.content_type.encode()),
            (b"content-length", str(len(reply.body)).encode()),
            *((k.lower().encode(), v.encode()) for k, v in reply.headers),
        ]
        await send({"type": "http.response.start", "status": reply.status, "headers": headers})
        await send({"type": "http.response.body", "body": reply.body})

    def _match(
        self, routes: Iterable[Route], method: str, path: str
    ) -> tuple[Route | None, dict[str, str], bool]:
        path_matched = False
        for route in routes:
            found = route.pattern.match(path)
            if found is None:
                continue
            path_matched = True
            if route.method == method:
                return route, found.groupdict(), True
        return None, {}, path_matched

    async def _dispatch(
        self,
        scope: MutableMapping[str, Any],
        body: bytes,
        receive: Callable[[], Awaitable[MutableMapping[str, Any]]],
    ) -> Reply | None:
        method = str(scope["method"]).upper()
        path = str(scope["path"])
        query = dict(
            parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        )
        headers: dict[str, str] = {}
        for name, value in scope.get("headers", []):
            headers[bytes(name).decode("latin-1").lower()] = bytes(value).decode("latin-1")

        if self.path_prefix:
            if path.lower() == self.path_prefix.lower() or path.lower().startswith(
                self.path_prefix.lower() + "/"
            ):
                path = path[len(self.path_prefix) :] or "/"
            elif not path.startswith(ADMIN_PREFIX + "/"):
                return self._not_found(scope)

        if path.startswith(ADMIN_PREFIX + "/") or path == ADMIN_PREFIX:
            route, params, path_matched = self._match(ADMIN_ROUTES, method, path)
            if route is None:
                return Reply.message(405 if path_matched else 404, "no such admin route")
            request = Request(method, path, route.template, params, query, headers, body)
            try:
                return await self._handlers[route.name](request)
            except (ValueError, TypeError, KeyError) as exc:
                return Reply.message(400, f"bad admin request: {exc}")

        route, params, path_matched = self._match(API_ROUTES, method, path)
        if route is None:
            if path_matched:
                return Reply.message(
                    405, f"The requested resource does not support http method '{method}'."
                )
            return self._not_found(scope)
        self.state.count_request(route.method, route.template)
        request = Request(method, path, route.template, params, query, headers, body)
        return await self._serve_api(route, request, scope, receive)

    def _not_found(self, scope: MutableMapping[str, Any]) -> Reply:
        host = dict(scope.get("headers", [])).get(b"host", b"localhost").decode("latin-1")
        target = str(scope["path"])
        if scope.get("query_string"):
            target += "?" + scope["query_string"].decode("latin-1")
        return Reply.message(
            404, f"No HTTP resource was found that matches the request URI 'http://{host}{target}'."
        )

    # -- the API pipeline -------------------------------------------------------------
    async def _serve_api(
        self,
        route: Route,
        request: Request,
        scope: MutableMapping[str, Any],
        receive: Callable[[], Awaitable[MutableMapping[str, Any]]],
    ) -> Reply | None:
        abort: Callable[[], None] | None = (
            scope.get("extensions", {}).get(CONNECTION_EXTENSION, {}).get("abort")
        )
        # Faults that strike before the server looks at the request (a proxy answering
        # 503, a dropped connection) act now; slowness acts once the request is claimed,
        # so a hung request holds its Idempotency-Key like a slow real server would.
        after_commit: Fault | None = None
        delays: list[Fault] = []
        for fault in self.faults.draw(route.method, route.template, request.path):
            if fault.kind == "reset_before":
                self._reset(abort)
                return None
            if fault.kind == "status":
                headers = []
                if fault.retry_after is not None:
                    headers.append(("Retry-After", str(fault.retry_after)))
                text = fault.body if fault.body is not None else _default_status_text(fault.status)
                return Reply.message(fault.status, text, fault.body_shape, headers)
            if fault.kind == "reset_after_commit":
                after_commit = fault
            else:
                delays.append(fault)

        principal = self.state.authenticate(request.headers.get("authorization"))
        allowed = principal is not None and (route.auth == "register") == (
            principal.kind == "registration"
        )
        if not allowed or principal is None:
            return Reply.message(401, _AUTH_DENIED)
        request.principal = principal
        retry_after = self.state.check_rate(principal)
        if retry_after is not None:
            return Reply.message(
                429,
                "Too many requests. The rate limit of this token is exceeded.",
                headers=[("Retry-After", str(retry_after))],
            )

        key = _idempotency_key(request.headers.get("idempotency-key"))
        if key is None or route.method == "GET":
            if not await self._delay(delays, receive):
                return None
            reply = await self._handlers[route.name](request)
        else:
            fingerprint = hashlib.sha256(
                b"\n".join([route.method.encode(), route.template.lower().encode(), request.body])
            ).hexdigest()
            record = self.state.idempotency_begin(principal, key, fingerprint)
            if record is not None:
                return self._idempotent_answer(record, fingerprint, after_commit, abort)
            try:
                if not await self._delay(delays, receive):
                    self.state.idempotency_abandon(principal, key)
                    return None
                reply = await self._handlers[route.name](request)
            except BaseException:
                self.state.idempotency_abandon(principal, key)
                raise
            self.state.idempotency_finish(
                principal,
                key,
                status=reply.status,
                headers=[(k, v) for k, v in reply.headers if k.lower() != "retry-after"],
                body=reply.body,
                report_id=_committed_report_id(reply),
            )
        if after_commit is not None:
            self._reset(abort)
            return None
        return reply

    async def _delay(
        self, delays: list[Fault], receive: Callable[[], Awaitable[MutableMapping[str, Any]]]
    ) -> bool:
        """Apply latency and hang faults; False when the client gave up meanwhile."""
        for fault in delays:
            if fault.kind == "latency":
                await asyncio.sleep(fault.seconds)
            elif fault.kind == "hang" and not await self._hang(receive):
                return False
        return True

    def _idempotent_answer(
        self,
        record: Any,
        fingerprint: str,
        after_commit: Fault | None,
        abort: Callable[[], None] | None,
    ) -> Reply | None:
        if record.fingerprint != fingerprint:
            return _problem(
                422,
                "Idempotency-Key is already used",
                "This operation is idempotent and it requires correct usage of Idempotency"
                " Key. Idempotency Key MUST not be reused across different payloads of this"
                " operation.",
            )
        if record.in_flight:
            return _problem(
                409,
                "A request is outstanding for this Idempotency-Key",
                "A request with the same Idempotency-Key for the same operation is being"
                " processed or is outstanding.",
            )
        self.state.count_replay(record.report_id)
        if after_commit is not None:
            self._reset(abort)
            return None
        reply = Reply(record.status, record.body, headers=list(record.headers))
        reply.headers.append(("Idempotent-Replayed", "true"))
        return reply

    @staticmethod
    def _reset(abort: Callable[[], None] | None) -> None:
        if abort is None:
            raise RuntimeError(
                "connection resets need pywats_testing's own HTTP front (FakeWatsServer);"
                " this ASGI server offers no way to reset a connection"
            )
        abort()

    async def _hang(self, receive: Callable[[], Awaitable[MutableMapping[str, Any]]]) -> bool:
        """Wait until the client disconnects (False) or hung requests are released (True)."""
        disconnected = asyncio.ensure_future(receive())
        released = asyncio.ensure_future(self._release_event().wait())
        done, pending = await asyncio.wait(
            {disconnected, released}, return_when=asyncio.FIRST_COMPLETED
        )
        for task in pending:
            task.cancel()
        return released in done and disconnected not in done

    # -- helpers ----------------------------------------------------------------------
    def _process_table(self) -> dict[int, Process]:
        return {p.code: p for p in self.state.processes}

    def _active_process_names(self) -> dict[int, str]:
        return {p.code: p.name for p in self.state.processes if p.state == 1}

    # -- App --------------------------------------------------------------------------
    async def _app_version(self, request: Request) -> Reply:
        return Reply.json(self.version)

    async def _app_processes(self, request: Request) -> Reply:
        try:
            flags = {
                name: _bool_param(request.param(name), name)
                for name in (
                    "includeTestOperations",
                    "includeRepairOperations",
                    "includeWipOperations",
                    "includeInactiveProcesses",
                )
            }
        except ValueError as exc:
            return Reply.message(400, f"The request is invalid. {exc}")
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
        for p in self.state.processes:
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

    async def _internal_processes(self, request: Request) -> Reply:
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
                for p in self.state.processes
            ]
        )

    # -- Report -----------------------------------------------------------------------
    async def _post_wsjf(self, request: Request) -> Reply:
        return self._submit(request, "WSJF")

    async def _post_wsxf(self, request: Request) -> Reply:
        return self._submit(request, "WSXF")

    def _submit(self, request: Request, source_format: Literal["WSJF", "WSXF"]) -> Reply:
        assert request.principal is not None
        shape = self.validation_error_shape
        if not request.body.strip():
            return Reply.message(400, "The report is empty.", shape)
        try:
            report = parse_submission(request.body, source_format)
        except ReportFormatError as exc:
            return Reply.message(400, str(exc), shape)
        problems = validation_text(report, self._active_process_names())
        if problems is not None:
            # WATS (ASP.NET on Windows) separates the lines with CRLF [obs: service_error.txt].
            return Reply.message(400, "\r\n".join(problems.splitlines()), shape)
        stored = self.state.commit_report(
            report.id,
            document_of(report),
            source_format,
            request.body,
            request.principal.origin,
        )
        return Reply.json({"ID": report.id, "uuid": stored.id, "Report_ID": stored.report_number})

    def _find_report(self, report_id: str) -> Any:
        if not _GUID.match(report_id.strip()):
            return None
        return self.state.get_report(report_id)

    def _readback(self, request: Request) -> tuple[dict[str, Any] | None, Reply | None]:
        stored = self._find_report(request.path_params["id"])
        if stored is None:
            return None, Reply.message(404, "Report not found.")
        try:
            detail = int(request.param("detailLevel") or 7)
            charts = _bool_param(request.param("includeChartdata"), "includeChartdata")
            attachments = _bool_param(request.param("includeAttachments"), "includeAttachments")
        except ValueError as exc:
            return None, Reply.message(400, f"The request is invalid. {exc}")
        code = stored.document.get("processCode")
        process = self._process_table().get(code) if isinstance(code, int) else None
        doc = readback_document(
            stored.document,
            origin=stored.origin,
            process_name=process.name if process else None,
            detail_level=detail,
            include_chartdata=charts is not False,
            include_attachments=attachments is not False,
            loop_export_quirk=self.loop_export_quirk,
        )
        return doc, None

    async def _get_wsjf(self, request: Request) -> Reply:
        doc, error = self._readback(request)
        if doc is None:
            assert error is not None
            return error
        return Reply.json(doc)

    async def _get_wsxf(self, request: Request) -> Reply:
        doc, error = self._readback(request)
        if doc is None:
            assert error is not None
            return error
        return Reply(200, to_wsxf(doc), "application/xml; charset=utf-8")

    async def _query_header(self, request: Request) -> Reply:
        try:
            query = parse_query(
                request.query,
                fields=HEADER_FIELDS,
                expandable=EXPANDABLE,
                orderable=ORDERABLE,
                default_orderby=(("start", True),),
            )
        except ODataError as exc:
            return Reply.json(
                {"Message": _ODATA_INVALID + str(exc), "ExceptionMessage": str(exc)}, 400
            )
        rows = header_rows(self.state.all_reports(), self._process_table())
        if query.filter is not None:
            from ._odata import evaluate

            rows = [item for item in rows if evaluate(query.filter, item[0])]
        rows.sort(key=lambda item: -item[0]["timeStamp"])  # final tie-break: newest first
        for name, descending in reversed(query.orderby):
            present = [item for item in rows if item[0][name] is not None]
            missing = [item for item in rows if item[0][name] is None]
            present.sort(key=lambda item: item[0][name], reverse=descending)
            rows = missing + present if not descending else present + missing
        page = rows[query.skip : query.skip + query.top]
        return Reply.json([render_header(row, report, query) for row, report in page])

    async def _query_misc_info(self, request: Request) -> Reply:
        """Test reports having a misc info that matches ``description``/``data`` exactly
        (the real matching rules are not documented [inferred]), newest first."""
        code_text = request.param("processCode")
        try:
            code = int(code_text) if code_text else None
        except ValueError:
            return Reply.message(400, f"The request is invalid. '{code_text}' is not a number.")
        serial = request.param("serialNumber")
        description = request.param("description")
        data = request.param("data")
        rows = header_rows(self.state.all_reports(), self._process_table())
        rows.sort(key=lambda item: -item[0]["timeStamp"])
        out = []
        for row, stored in rows:
            if row["reportType"] != "T":
                continue
            if (code is not None and row["processCode"] != code) or (
                serial and row["serialNumber"] != serial
            ):
                continue
            misc = [
                {"description": m.get("description"), "data": m.get("value")}
                for m in render_misc(stored)
            ]
            if description and not any(m["description"] == description for m in misc):
                continue
            if data and not any(m["data"] == data for m in misc):
                continue
            start = row["start"]
            out.append(
                {
                    "miscData": misc,
                    "serialNumber": row["serialNumber"],
                    "partNumber": row["partNumber"],
                    "start": None if start is None else start.isoformat(),
                    "result": row["result"],
                    "uuid": row["uuid"],
                    "processCode": row["processCode"],
                    "processName": row["processName"],
                }
            )
        return Reply.json(out)

    async def _get_attachment(self, request: Request) -> Reply:
        report_id = request.param("reportId")
        if not report_id:
            return Reply.message(400, "The request is invalid. reportId is required.")
        stored = self._find_report(report_id)
        if stored is None:
            return Reply.message(404, "Report not found.")
        attachment_id = request.param("attachmentId")
        step_id = request.param("stepId")
        for item in _attachments(stored.document):
            if (attachment_id and item.key == attachment_id.lower()) or (
                step_id and item.key == f"step:{step_id.strip()}"
            ):
                return Reply(200, item.data, item.content_type or "application/octet-stream")
        if not attachment_id and not step_id:
            return Reply.message(400, "The request is invalid. attachmentId or stepId is required.")
        return Reply.message(404, "Attachment not found.")

    async def _get_attachments(self, request: Request) -> Reply:
        stored = self._find_report(request.path_params["id"])
        if stored is None:
            return Reply.message(404, "Report not found.")
        buffer = io.BytesIO()
        used: set[str] = set()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for item in _attachments(stored.document):
                name = item.name or "attachment"
                candidate, n = name, 1
                while candidate in used:
                    n += 1
                    candidate = f"{n}_{name}"
                used.add(candidate)
                archive.writestr(candidate, item.data)
        return Reply(200, buffer.getvalue(), "application/zip")

    # -- station (internal) routes ----------------------------------------------------
    async def _client_register(self, request: Request) -> Reply:
        identifier = (request.param("mac") or "").strip()
        name = (request.param("name") or "").strip()
        if not identifier or not name:
            return Reply.message(400, "The request is invalid. mac and name are required.")
        passcode = self.state.register_client(
            identifier,
            name,
            location=request.param("location") or "",
            purpose=request.param("purpose") or "",
            description=request.param("description") or "",
        )
        return Reply.json(passcode)

    async def _client_ping(self, request: Request) -> Reply:
        now = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
        return Reply.json(
            {"ServerName": self.server_name, "ServerTime": now.replace("+00:00", "Z")}
        )

    async def _client_server_info(self, request: Request) -> Reply:
        return Reply.json(
            {
                "Version": self.version,
                "ServerName": self.server_name,
                "ServerTime": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            }
        )

    # -- admin ------------------------------------------------------------------------
    async def _admin_routes(self, request: Request) -> Reply:
        return Reply.json([{"method": r.method, "path": r.template} for r in API_ROUTES])

    async def _admin_stats(self, request: Request) -> Reply:
        counts = dict(self.state.route_counts)
        return Reply.json(
            {
                "requests": [
                    {
                        "method": r.method,
                        "path": r.template,
                        "count": counts.get((r.method, r.template), 0),
                    }
                    for r in API_ROUTES
                ],
                "reports": len(self.state.all_reports()),
                "outage_connections": self.outages.outage_connections(),
            }
        )

    async def _admin_reports(self, request: Request) -> Reply:
        return Reply.json([_report_summary(r) for r in self.state.all_reports()])

    async def _admin_report(self, request: Request) -> Reply:
        stored = self.state.get_report(request.path_params["id"])
        if stored is None:
            return Reply.message(404, "no such report")
        return Reply.json({**_report_summary(stored), "document": stored.document})

    async def _admin_faults(self, request: Request) -> Reply:
        return Reply.json([f.to_json() for f in self.faults.active()])

    async def _admin_add_fault(self, request: Request) -> Reply:
        data = _json_object(request.body)
        fault = self.faults.add(Fault.from_json(data))
        return Reply.json(fault.to_json(), 201)

    async def _admin_clear_faults(self, request: Request) -> Reply:
        self.faults.clear()
        return Reply(204)

    async def _admin_remove_fault(self, request: Request) -> Reply:
        removed = self.faults.remove(int(request.path_params["id"]))
        return Reply(204) if removed else Reply.message(404, "no such fault")

    async def _admin_outage(self, request: Request) -> Reply:
        data = _json_object(request.body)
        seconds = data.get("seconds")
        mode = data.get("mode", "refuse")
        if not isinstance(seconds, (int, float)) or seconds <= 0:
            raise ValueError("an outage over HTTP needs 'seconds' > 0 (nothing answers during it)")
        if mode not in ("refuse", "reset"):
            raise ValueError("mode must be 'refuse' or 'reset'")
        # Answer first, then go down: the caller deserves to know the outage started.
        asyncio.get_running_loop().call_later(
            0.05,
            lambda: asyncio.ensure_future(self.outages.begin_outage(mode, float(seconds))),
        )
        return Reply.json({"mode": mode, "seconds": seconds}, 202)

    async def _admin_expire(self, request: Request) -> Reply:
        credential = _json_object(request.body)["credential"]
        self.state.expire_credential(str(credential))
        return Reply(204)

    async def _admin_restore(self, request: Request) -> Reply:
        credential = _json_object(request.body)["credential"]
        self.state.restore_credential(str(credential))
        return Reply(204)

    async def _admin_add_token(self, request: Request) -> Reply:
        data = _json_object(request.body)
        self.state.add_token(str(data["token"]), registration=bool(data.get("registration")))
        return Reply(204)

    async def _admin_rate_limit(self, request: Request) -> Reply:
        data = _json_object(request.body)
        requests = data.get("requests")
        self.state.set_rate_limit(
            None if requests is None else int(requests), float(data.get("per_seconds", 60.0))
        )
        return Reply(204)

    async def _admin_release(self, request: Request) -> Reply:
        self.release_hung()
        return Reply(204)

    async def _admin_clear(self, request: Request) -> Reply:
        self.state.clear()
        self.faults.clear()
        return Reply(204)


@dataclass
class _Attachment:
    key: str  # lower-case GUID, or "step:<id>"
    name: str | None
    content_type: str | None
    data: bytes


def _decode(data: Any) -> bytes:
    if not isinstance(data, str):
        return b""
    try:
        return base64.b64decode(data)
    except (binascii.Error, ValueError):
        return b""


def _attachments(document: Mapping[str, Any]) -> list[_Attachment]:
    found: list[_Attachment] = []

    def walk(step: Mapping[str, Any]) -> None:
        attachment = step.get("attachment")
        if isinstance(attachment, Mapping):
            found.append(
                _Attachment(
                    f"step:{step.get('id')}",
                    attachment.get("name"),
                    attachment.get("contentType"),
                    _decode(attachment.get("data")),
                )
            )
        for child in step.get("steps") or ():
            if isinstance(child, Mapping):
                walk(child)

    root = document.get("root")
    if isinstance(root, Mapping):
        walk(root)
    binaries = [b for b in document.get("binaryData") or () if isinstance(b, Mapping)]
    for unit in document.get("subUnits") or ():
        for failure in (unit.get("failures") or ()) if isinstance(unit, Mapping) else ():
            if isinstance(failure, Mapping):
                binaries.extend(
                    a for a in failure.get("attachments") or () if isinstance(a, Mapping)
                )
    for binary in binaries:
        found.append(
            _Attachment(
                str(binary.get("id") or "").lower(),
                binary.get("name"),
                binary.get("contentType"),
                _decode(binary.get("data")),
            )
        )
    return found


def _report_summary(stored: Any) -> dict[str, Any]:
    doc = stored.document
    return {
        "id": stored.id,
        "type": doc.get("type"),
        "sn": doc.get("sn"),
        "pn": doc.get("pn"),
        "format": stored.source_format,
        "origin": stored.origin,
        "commits": stored.commits,
        "replays": stored.replays,
    }


def _json_object(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    value = json.loads(body)
    if not isinstance(value, dict):
        raise ValueError("expected a JSON object")
    return value


def _idempotency_key(raw: str | None) -> str | None:
    """The key from the header; a structured-field string keeps its quotes off."""
    if raw is None:
        return None
    key = raw.strip()
    if len(key) >= 2 and key[0] == key[-1] == '"':
        key = key[1:-1]
    return key or None


def _committed_report_id(reply: Reply) -> str | None:
    if reply.status != 200 or not reply.content_type.startswith("application/json"):
        return None
    try:
        body = json.loads(reply.body)
    except ValueError:
        return None
    if isinstance(body, dict) and isinstance(body.get("uuid"), str):
        return str(body["uuid"])
    return None


def _problem(status: int, title: str, detail: str) -> Reply:
    body = json.dumps({"type": "about:blank", "title": title, "detail": detail, "status": status})
    return Reply(status, body.encode(), "application/problem+json")


def _default_status_text(status: int) -> str:
    return {
        429: "Too many requests.",
        500: "An error has occurred.",
        502: "Bad Gateway",
        503: "Service Unavailable",
        504: "Gateway Timeout",
    }.get(status, f"Injected failure ({status}).")
