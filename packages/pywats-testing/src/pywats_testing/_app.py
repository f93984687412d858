"""FakeWatsApp, the ASGI application: dispatch, and the pipeline every WATS request
goes through (faults, auth, rate limit, Idempotency-Key) before its area's handler.

The handlers live by WATS area in ``_domains/``, the ``/_fake/`` admin API in ``_admin``,
the request framework they share in ``_framework``.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl

from . import _admin
from ._contract import load_contract
from ._domains import API_ROUTES, DOMAINS
from ._faults import BodyShape, Fault, FaultPlan
from ._framework import (
    BadBody,
    Handler,
    Receive,
    Refusal,
    Reply,
    Request,
    Route,
    RouteTable,
    Send,
    match_route,
    no_resource,
    read_body,
    send_reply,
)
from ._http import CONNECTION_EXTENSION, OutageMode
from ._mes import MesState
from ._state import FakeState

__all__ = ["ADMIN_PREFIX", "ADMIN_ROUTES", "API_ROUTES", "FakeWatsApp", "Reply", "Route"]

ADMIN_PREFIX = _admin.ADMIN_PREFIX
ADMIN_ROUTES: tuple[Route, ...] = _admin.routes.routes

_AUTH_DENIED = "Authorization has been denied for this request."


class OutageController:
    """What the app needs from its HTTP front to start an outage (set by the server)."""

    async def begin_outage(self, mode: OutageMode, seconds: float | None) -> None:
        raise NotImplementedError("outages need pywats_testing's own HTTP front")

    def outage_connections(self) -> int:
        """Connections accepted and reset during ``"reset"`` outages so far."""
        return 0


def _handler_index(tables: tuple[RouteTable[FakeWatsApp], ...]) -> dict[str, Handler[FakeWatsApp]]:
    handlers: dict[str, Handler[FakeWatsApp]] = {}
    for table in tables:
        for route, handler in table.entries:
            if route.name in handlers:
                raise ValueError(f"two fake WATS routes share the handler name {route.name!r}")
            handlers[route.name] = handler
    return handlers


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
        self._handlers = _handler_index((*DOMAINS, _admin.routes))
        self.mes = MesState()  # products, units, assets, packages, tickets (_domains/)
        self.contract = load_contract()  # PYWATS_FAKE_SPEC: check traffic against the spec

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
    async def __call__(self, scope: MutableMapping[str, Any], receive: Receive, send: Send) -> None:
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
        body = await read_body(receive)
        if body is None:
            return
        reply = await self._dispatch(scope, body, receive)
        if reply is not None:
            await send_reply(send, reply)

    async def _dispatch(
        self, scope: MutableMapping[str, Any], body: bytes, receive: Receive
    ) -> Reply | None:
        method = str(scope["method"]).upper()
        path = str(scope["path"])
        pairs = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        query = dict(pairs)
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
            route, params, path_matched = match_route(ADMIN_ROUTES, method, path)
            if route is None:
                return Reply.message(405 if path_matched else 404, "no such admin route")
            request = Request(method, path, route.template, params, query, headers, body)
            try:
                return await self._handlers[route.name](self, request)
            except (ValueError, TypeError, KeyError) as exc:
                return Reply.message(400, f"bad admin request: {exc}")

        route, params, path_matched = match_route(API_ROUTES, method, path)
        if route is None:
            if path_matched:
                return Reply.message(
                    405, f"The requested resource does not support http method '{method}'."
                )
            return self._not_found(scope)
        self.state.count_request(route.method, route.template)
        request = Request(method, path, route.template, params, query, headers, body)
        request.repeated = pairs
        return await self._serve_api(route, request, scope, receive)

    def _not_found(self, scope: MutableMapping[str, Any]) -> Reply:
        host = dict(scope.get("headers", [])).get(b"host", b"localhost").decode("latin-1")
        target = str(scope["path"])
        if scope.get("query_string"):
            target += "?" + scope["query_string"].decode("latin-1")
        return no_resource(host, target)

    # -- the API pipeline -------------------------------------------------------------
    async def _serve_api(
        self,
        route: Route,
        request: Request,
        scope: MutableMapping[str, Any],
        receive: Receive,
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

        if route.auth == "none":  # answered before authentication (removed routes)
            if not await self._delay(delays, receive):
                return None
            return await self._handle(route, request)
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
            reply = await self._handle(route, request)
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
                reply = await self._handle(route, request)
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

    async def _handle(self, route: Route, request: Request) -> Reply:
        try:
            return await self._handlers[route.name](self, request)
        except BadBody as exc:  # a body that is not the JSON the operation takes
            return Reply.message(400, str(exc), self.validation_error_shape)
        except Refusal as refusal:  # a bad parameter, a record that is not there
            return refusal.reply

    async def _delay(self, delays: list[Fault], receive: Receive) -> bool:
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

    async def _hang(self, receive: Receive) -> bool:
        """Wait until the client disconnects (False) or hung requests are released (True)."""
        disconnected = asyncio.ensure_future(receive())
        released = asyncio.ensure_future(self._release_event().wait())
        done, pending = await asyncio.wait(
            {disconnected, released}, return_when=asyncio.FIRST_COMPLETED
        )
        for task in pending:
            task.cancel()
        return released in done and disconnected not in done


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
