"""``pywats-station run``: the headless station, until SIGTERM or Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from pywats_queue import QueueError
from pywats_station._commands._common import (
    EXIT_FAILED,
    EXIT_LOCKED,
    EXIT_OK,
    UserError,
    load_station_config,
    stored_credentials,
)
from pywats_station._filelog import FileLogError
from pywats_station._home import StationHome
from pywats_station._lock import InstanceLockedError
from pywats_station._service import run_service, stop_on_signals

__all__ = ["add_parser", "run"]


def add_parser(commands: Any) -> None:
    commands.add_parser(
        "run",
        help="run the headless station: upload queued reports until SIGTERM or Ctrl-C",
        description="Run the station in the foreground: watch the [[folders]] of "
        "station.toml, convert and queue their files, upload the reports, and serve the "
        "console on localhost (its URL is printed). SIGTERM or Ctrl-C stops it in order: "
        "uploads in flight finish or go back to the queue. Needs `register` first.",
    )


def run(args: argparse.Namespace, home: StationHome) -> int:
    config = load_station_config(home)
    credentials = stored_credentials(config, home)

    async def service() -> dict[str, Any]:
        stop = asyncio.Event()
        with stop_on_signals(stop):
            return await run_service(
                home, config, credentials, stop, announce=lambda line: print(line, flush=True)
            )

    try:
        final = asyncio.run(service())
    except InstanceLockedError as exc:
        raise UserError(str(exc), EXIT_LOCKED) from None
    except (QueueError, FileLogError) as exc:  # a damaged queue.db or files.db: named
        raise UserError(str(exc), EXIT_FAILED) from None
    uploads = final["metrics"]["uploads"]
    print(
        f"stopped: {uploads['succeeded']} uploaded, {uploads['retried']} retried, "
        f"{uploads['failed']} dead-lettered",
        flush=True,
    )
    return EXIT_OK
