"""The fake's small request framework: requests, replies, routes and route tables.

Nothing here knows WATS. A WATS area (``_domains/``) or the admin API (``_admin``)
declares its routes in a :class:`RouteTable`; :class:`pywats_testing.FakeWatsApp` matches
a request against them and calls the handler with itself and the :class:`Request`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

from ._faults import BodyShape
from ._state import Principal

__all__ = [
    "Auth",
    "BadBody",
    "Handler",
    "Receive",
    "Refusal",
    "Reply",
    "Request",
    "Route",
    "RouteTable",
    "Send",
    "bool_param",
    "int_field",
    "json_object",
    "json_objects",
    "match_route",
    "no_resource",
    "or_404",
    "read_body",
    "refusing",
    "send_reply",
]

# Who may call a route: an API token or registered station, a registration token, anyone.
Auth = Literal["api", "register", "none"]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
AppT = TypeVar("AppT")
T = TypeVar("T")


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


class Refusal(Exception):
    """Raised by a handler, or by a helper it calls, to answer ``status`` with ``text`` at
    once: a 400 for a bad parameter, a 404 for a record that is not there. The app sends
    :attr:`reply`, so a lookup helper refuses for every handler that uses it."""

    def __init__(self, status: int, text: str) -> None:
        super().__init__(text)
        self.reply = Reply.message(status, text)


def or_404(value: T | None, what: str) -> T:
    """``value``, unless it is ``None``: then a :class:`Refusal` (404) "<what> not found"."""
    if value is None:
        raise Refusal(404, f"{what} not found")
    return value


@contextmanager
def refusing(
    prefix: str = "", errors: tuple[type[Exception], ...] = (ValueError,)
) -> Iterator[None]:
    """Turn ``errors`` raised inside into a 400 "The request is invalid. <prefix><error>"."""
    try:
        yield
    except errors as exc:
        raise Refusal(400, f"The request is invalid. {prefix}{exc}") from None


@dataclass
class Request:
    method: str
    path: str
    template: str
    path_params: dict[str, str]
    query: dict[str, str]  # keys as sent
    headers: dict[str, str]  # lower-case names
    body: bytes
    principal: Principal | None = None  # set once authenticated
    repeated: list[tuple[str, str]] = field(default_factory=list)  # every pair, in order

    def param(self, name: str) -> str | None:
        """A query parameter, matched case-insensitively as ASP.NET model binding does."""
        wanted = name.lower()
        for key, value in self.query.items():
            if key.lower() == wanted:
                return value
        return None

    def params(self, name: str) -> list[str]:
        """Every value of a repeated query parameter (``?a=1&a=2``), case-insensitively."""
        wanted = name.lower()
        return [value for key, value in self.repeated if key.lower() == wanted]

    def required(self, *names: str) -> list[str]:
        """The values of query parameters the operation cannot do without, in order; a
        :class:`Refusal` (400) names every one that is missing or empty."""
        values = [self.param(name) or "" for name in names]
        missing = [name for name, value in zip(names, values, strict=True) if not value]
        if missing:
            raise Refusal(400, f"The request is invalid. {', '.join(missing)} is required.")
        return values

    def flag(self, name: str) -> bool | None:
        """A boolean query parameter as ASP.NET binds it (``None`` when absent); a
        :class:`Refusal` (400) names a value that is not one."""
        try:
            return bool_param(self.param(name), name)
        except ValueError as exc:
            raise Refusal(400, f"The request is invalid. {exc}") from None

    def path_number(self, name: str) -> int:
        """An integer path parameter; a :class:`Refusal` (400) when it is not one."""
        try:
            return int(self.path_params[name])
        except ValueError:
            raise Refusal(400, f"The request is invalid. {name} is a number.") from None

    def optional_number(self, name: str) -> int | None:
        """An integer query parameter, ``None`` when absent or empty; a :class:`Refusal`
        (400) "<name> is a number" when it is not one."""
        raw = self.param(name)
        if not raw:
            return None
        try:
            return int(raw)
        except ValueError:
            raise Refusal(400, f"The request is invalid. {name} is a number.") from None

    def number(self, name: str, default: int | None = None) -> int:
        """An integer query parameter; ``default`` when absent or empty, a
        :class:`Refusal` (400) "<name> is a number" when there is no default."""
        value = self.optional_number(name)
        if value is not None:
            return value
        if default is None:
            raise Refusal(400, f"The request is invalid. {name} is a number.")
        return default


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


Handler = Callable[[AppT, Request], Awaitable[Reply]]


class RouteTable(Generic[AppT]):
    """The routes of one area with their handlers, declared by decorating the handlers.

    ``routes = RouteTable()`` then ``@routes.get("/api/App/Version")`` over an
    ``async def app_version(app, request) -> Reply``. The handler's name names the route.
    """

    def __init__(self, auth: Auth = "api") -> None:
        self.auth: Auth = auth
        self.entries: list[tuple[Route, Handler[AppT]]] = []

    def route(
        self, method: str, template: str, *, auth: Auth | None = None, name: str | None = None
    ) -> Callable[[Handler[AppT]], Handler[AppT]]:
        """The decorator of a handler for ``method`` on ``template``; the route's ``name``
        is the handler's unless given (a handler that serves several routes)."""

        def register(handler: Handler[AppT]) -> Handler[AppT]:
            named = name or str(getattr(handler, "__name__", template))
            route = Route.make(method, template, named, self.auth if auth is None else auth)
            self.entries.append((route, handler))
            return handler

        return register

    def get(
        self, template: str, *, auth: Auth | None = None
    ) -> Callable[[Handler[AppT]], Handler[AppT]]:
        return self.route("GET", template, auth=auth)

    def post(
        self, template: str, *, auth: Auth | None = None
    ) -> Callable[[Handler[AppT]], Handler[AppT]]:
        return self.route("POST", template, auth=auth)

    def put(
        self, template: str, *, auth: Auth | None = None
    ) -> Callable[[Handler[AppT]], Handler[AppT]]:
        return self.route("PUT", template, auth=auth)

    def delete(
        self, template: str, *, auth: Auth | None = None
    ) -> Callable[[Handler[AppT]], Handler[AppT]]:
        return self.route("DELETE", template, auth=auth)

    @property
    def routes(self) -> tuple[Route, ...]:
        return tuple(route for route, _ in self.entries)


def match_route(
    routes: Iterable[Route], method: str, path: str
) -> tuple[Route | None, dict[str, str], bool]:
    """The first route matching method and path, its path parameters, and whether any
    route matched the path at all (a 405 rather than a 404)."""
    path_matched = False
    for route in routes:
        found = route.pattern.match(path)
        if found is None:
            continue
        path_matched = True
        if route.method == method:
            return route, found.groupdict(), True
    return None, {}, path_matched


async def read_body(receive: Receive) -> bytes | None:
    """The whole request body, or ``None`` when the client disconnected first."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


async def send_reply(send: Send, reply: Reply) -> None:
    headers = [
        (b"content-type", reply.content_type.encode()),
        (b"content-length", str(len(reply.body)).encode()),
        *((k.lower().encode(), v.encode()) for k, v in reply.headers),
    ]
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    await send({"type": "http.response.body", "body": reply.body})


def no_resource(host: str, target: str) -> Reply:
    """ASP.NET Web API's 404 for a path no route serves (``target``: path and query)."""
    return Reply.message(
        404, f"No HTTP resource was found that matches the request URI 'http://{host}{target}'."
    )


def bool_param(value: str | None, name: str) -> bool | None:
    """A boolean query parameter as ASP.NET binds it; ``ValueError`` names the bad value."""
    if value is None:
        return None
    lowered = value.strip().lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise ValueError(f"The value '{value}' is not valid for {name}.")


class BadBody(ValueError):
    """A request body that is not the JSON its operation takes; the app answers 400 with
    this message (a ``ValueError``, so handlers that catch those still may)."""


def _json(body: bytes, empty: bytes) -> Any:
    try:
        return json.loads(body if body.strip() else empty)
    except ValueError as exc:  # JSONDecodeError, or bytes that are not UTF-8
        raise BadBody(f"The request is invalid. The body is not JSON: {exc}") from None


def json_object(body: bytes, *required: str) -> dict[str, Any]:
    """A JSON object body; an empty body is an empty object. :class:`BadBody` otherwise,
    and a :class:`Refusal` (400) naming the ``required`` fields it lacks (or has empty)."""
    value = _json(body, b"{}")
    if not isinstance(value, dict):
        raise BadBody("The request is invalid. expected a JSON object")
    missing = [name for name in required if not value.get(name)]
    if missing:
        verb = "is" if len(missing) == 1 else "are"
        raise Refusal(400, f"{' and '.join(missing)} {verb} required")
    return value


def int_field(body: Mapping[str, Any], name: str) -> int | None:
    """An integer field of a JSON body (None when absent or null); :class:`BadBody`
    naming the field when it is not a number."""
    value = body.get(name)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (ValueError, TypeError):
        raise BadBody(f"The request is invalid. {name} must be an integer, not {value!r}") from None


def json_objects(body: bytes, what: str = "objects") -> list[dict[str, Any]]:
    """A JSON array of objects; an empty body is an empty array. :class:`BadBody` says
    "expected a JSON array of <what>" otherwise."""
    value = _json(body, b"[]")
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise BadBody(f"The request is invalid. expected a JSON array of {what}")
    return value
