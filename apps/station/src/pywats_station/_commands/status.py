"""``pywats-station status``: the station's state, from its files and, on request, the server."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import time
from typing import Any

from pywats import AsyncWATS
from pywats_queue import QueueError, open_queue
from pywats_station._breaker import CircuitBreaker
from pywats_station._commands._common import (
    EXIT_OK,
    UserError,
    load_station_config,
    stored_credentials,
)
from pywats_station._config import StationConfig
from pywats_station._connection import ConnectionService
from pywats_station._credentials import CredentialStore
from pywats_station._files import read_status
from pywats_station._home import StationHome
from pywats_station._lock import describe_holder, lock_holder
from pywats_station._printable import printable
from pywats_station._service import queue_url
from pywats_station._version import __version__

__all__ = ["add_parser", "run"]

log = logging.getLogger("pywats_station")


def add_parser(commands: Any) -> None:
    status = commands.add_parser("status", help="show the station's state and metrics")
    status.add_argument("--json", action="store_true", help="machine-readable output")
    status.add_argument(
        "--probe", action="store_true", help="also ask the server now whether it answers"
    )


async def _probe(config: StationConfig, home: StationHome) -> dict[str, Any]:
    try:
        credentials = stored_credentials(config, home)
    except UserError as exc:
        return {"state": "error", "reason": str(exc)}
    breaker = CircuitBreaker(config.breaker.failure_threshold, config.breaker.reset_timeout)
    async with AsyncWATS(
        credentials.server_url, credentials.token().reveal(), verify=config.server.verify_tls
    ) as client:
        service = ConnectionService.for_client(client, breaker=breaker)
        await service.connect()
        snapshot = service.snapshot()
        service.close()
    return snapshot


def _queue_depth(home: StationHome, config: StationConfig) -> dict[str, Any] | None:
    """The queue's depth per state now, or ``None`` if there is no queue yet."""
    try:
        with open_queue(queue_url(home, config), create=False) as queue:
            stats = queue.stats()
    except QueueError as exc:
        log.debug("no queue statistics: %s", exc)
        return None
    depth: dict[str, Any] = dict(stats.depth)
    # Items set aside because their stored bytes are damaged: counted, with the latest reason.
    depth["quarantined"] = stats.quarantined
    if stats.quarantined:
        depth["quarantine_reason"] = stats.quarantine_reason
    return depth


def _describe_last_status(last: dict[str, Any]) -> list[str]:
    """The running station's own numbers from ``status.json``, one line per topic."""
    lines: list[str] = []
    conn = last.get("connection")
    if isinstance(conn, dict):
        version = (
            f" (WATS {printable(conn['server_version'])})" if conn.get("server_version") else ""
        )
        lines.append(
            f"    connection  {printable(conn.get('state'))}{version}, offline "
            f"{conn.get('offline_seconds', 0):.0f} s now, "
            f"{conn.get('total_offline_seconds', 0):.0f} s in total"
        )
    metrics = last.get("metrics")
    if isinstance(metrics, dict):
        uploads = metrics.get("uploads", {})
        when = metrics.get("last_successful_upload")
        stamp = (
            time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(when))
            if isinstance(when, (int, float))
            else "never"
        )
        lines.append(
            f"    uploads     {uploads.get('succeeded', 0)} ok, {uploads.get('retried', 0)} "
            f"retried, {uploads.get('failed', 0)} failed; last success {stamp}"
        )
        depth = metrics.get("queue_depth", {})
        if isinstance(depth, dict):
            lines.append("    queue       " + ", ".join(f"{k} {v}" for k, v in depth.items()))
        lines.append(f"    breaker     {printable(metrics.get('breaker_state'))}")
    credentials = last.get("credentials")
    if isinstance(credentials, dict):
        state = printable(credentials.get("state"))
        if credentials.get("state") != "valid":
            state += f": {printable(credentials.get('reason'))}"
        renewals = credentials.get("renewals") or 0
        if renewals:
            state += f" (registered again {renewals} time(s) after a refusal)"
        lines.append(f"    credentials {state}")
    uploader = last.get("uploader")
    if isinstance(uploader, dict) and uploader.get("paused"):
        lines.append(f"    uploads     PAUSED: {printable(uploader['paused'])}")
    pressure = last.get("backpressure")
    if isinstance(pressure, dict) and pressure.get("hold_seconds"):
        lines.append(
            f"    holding     {pressure['hold_seconds']:.1f} s more: "
            f"{printable(pressure.get('reason'))}"
        )
    for folder in last.get("folders") or []:
        if isinstance(folder, dict):
            lines.append(
                f"    folder      {printable(folder.get('path'))}: {_folder_state(folder)}"
            )
    return lines


def _folder_state(folder: dict[str, Any]) -> str:
    if not folder.get("reachable"):
        return f"UNREACHABLE: {printable(folder.get('reason'))}"
    return f"{printable(folder.get('watching'))}, {folder.get('pending', 0)} waiting to settle"


def _holder_line(holder: dict[str, Any]) -> str:
    """``yes (pid …)``; a command other than ``run`` holding the home is named."""
    command = holder.get("command", "run")
    what = "yes" if command == "run" else f"`pywats-station {command}`"
    about = describe_holder(holder)
    return printable(f"{what} ({about})" if about else what)


def run(args: argparse.Namespace, home: StationHome) -> int:
    config = load_station_config(home)
    holder = lock_holder(home.lock_file)
    last = read_status(home.status_file)
    report: dict[str, Any] = {
        "version": __version__,
        "home": {
            "config_file": str(home.config_file),
            "data_dir": str(home.data_dir),
            "status_file": str(home.status_file),
        },
        "server_url": config.server.url,
        "station": {"name": config.station.name, "identifier": config.station.identifier},
        "credentials": CredentialStore(home, config.credentials.key_store).describe(),
        "running": holder is not None,
        "process": holder,
        "last_status": last,
        "last_status_age_seconds": (
            round(time.time() - home.status_file.stat().st_mtime, 1) if last else None
        ),
    }
    report["queue"] = _queue_depth(home, config)
    if args.probe:
        report["connection"] = asyncio.run(_probe(config, home))
    if args.json:
        print(json.dumps(report, indent=2, sort_keys=True))
        return EXIT_OK
    creds = report["credentials"]
    lines = [
        f"pywats-station {__version__}",
        f"  config file   {printable(home.config_file)}",
        f"  data dir      {printable(home.data_dir)}",
        f"  server        {printable(config.server.url or '(not set; run register)')}",
        f"  station       {printable(config.station.name)} "
        f"({printable(config.station.identifier or 'no identifier')})",
        "  registered    "
        + (f"yes (key in {creds.get('key_store')})" if creds.get("registered") else "no"),
        "  running       " + ("no" if holder is None else _holder_line(holder)),
    ]
    depth = report["queue"]
    shown = {k: v for k, v in (depth or {}).items() if k != "quarantine_reason"}
    lines.append(
        "  queue         "
        + (", ".join(f"{k} {v}" for k, v in shown.items()) if depth else "none yet")
    )
    if depth and depth.get("quarantine_reason"):
        lines.append(f"  quarantined   latest: {printable(str(depth['quarantine_reason']))}")
    if last is not None:
        lines.append(f"  last status   written {report['last_status_age_seconds']} s ago")
        lines += _describe_last_status(last)
    else:
        lines.append("  last status   none written yet")
    if "connection" in report:
        conn = report["connection"]
        lines.append(f"  connection    {conn['state']}: {printable(conn['reason'])}")
        if conn.get("server_version"):
            lines.append(f"  server        WATS {printable(conn['server_version'])}")
    print("\n".join(lines))
    return EXIT_OK
