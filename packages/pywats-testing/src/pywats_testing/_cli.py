"""Command line: ``python -m pywats_testing serve --host 127.0.0.1 --port 8086``."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sqlite3
import sys
from collections.abc import Sequence

from ._server import FakeWatsServer
from ._version import __version__

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pywats_testing",
        description="A fake WATS server with fault injection (for tests and demos).",
    )
    parser.add_argument("--version", action="version", version=f"pywats-testing {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the fake server until SIGTERM or Ctrl-C")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8086, help="port (0 = any free port)")
    serve.add_argument("--token", help="the API token to accept (default: a random one)")
    serve.add_argument("--registration-token", help="token for Client/Register (default: random)")
    serve.add_argument("--seed", type=int, help="seed for fault draws and passcodes")
    serve.add_argument("--db", help="SQLite file that keeps reports across restarts")
    serve.add_argument("--prefix", default="", help="path prefix such as /wats")
    serve.add_argument("--server-version", default="2026.1.5.324", help="what App/Version says")
    return parser


async def _serve(server: FakeWatsServer) -> None:
    await server.start_async()
    print(f"pywats-testing fake WATS server listening on {server.url}", flush=True)
    print(f"  token:              {server.token}", flush=True)
    print(f"  registration token: {server.registration_token}", flush=True)
    print(f"  routes:             {server.url}/_fake/routes", flush=True)
    print("  stop with Ctrl-C or SIGTERM", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(signum, stop.set)
        except (NotImplementedError, RuntimeError):  # pragma: no cover - Windows
            signal.signal(signum, lambda *_: loop.call_soon_threadsafe(stop.set))
    await stop.wait()
    print("stopping", flush=True)
    await server.stop_async()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if not 0 <= args.port <= 65535:
        print(f"error: --port must be 0..65535, got {args.port}", file=sys.stderr)
        return 2
    try:
        server = FakeWatsServer(
            host=args.host,
            port=args.port,
            token=args.token,
            registration_token=args.registration_token,
            seed=args.seed,
            db_path=args.db,
            path_prefix=args.prefix,
            version=args.server_version,
        )
    except (sqlite3.Error, OSError) as exc:
        print(f"error: cannot open database {args.db!r}: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        asyncio.run(_serve(server))
    except OSError as exc:
        print(
            f"error: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}",
            file=sys.stderr,
        )
        return 2
    except KeyboardInterrupt:  # pragma: no cover - signal handler normally catches it
        return 0
    return 0
