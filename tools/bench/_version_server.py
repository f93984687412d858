"""A minimal loopback server for client benchmarks: ``GET /api/App/Version`` only.

Runs in its own process (``python _version_server.py PORT``) so the server does not
compete with the client under test for the GIL. Uses httptools and uvloop when present,
which keeps the server from being the bottleneck.
"""

from __future__ import annotations

import importlib.util
import sys
from typing import Any

import uvicorn

BODY = b'"2026.1.5.324"'
HEADERS = [(b"content-type", b"application/json; charset=utf-8"), (b"content-length", b"14")]


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    status = 200 if scope["path"].lower() == "/api/app/version" else 404
    await send({"type": "http.response.start", "status": status, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY if status == 200 else b'"nope"'})


def main() -> None:
    port = int(sys.argv[1])
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        http="httptools" if importlib.util.find_spec("httptools") else "h11",
        loop="uvloop" if importlib.util.find_spec("uvloop") else "asyncio",
    )


if __name__ == "__main__":
    main()
