"""``pywats-station files``: what became of each source file; reconvert and requeue."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
from datetime import datetime, timezone
from typing import Any

from pywats_station._commands._common import (
    EXIT_FAILED,
    EXIT_NOT_FOUND,
    EXIT_OK,
    UserError,
    command_intake,
    holding_station_home,
    load_station_config,
    open_file_log,
)
from pywats_station._config import StationConfig
from pywats_station._filelog import FileLog, FileRecord
from pywats_station._home import StationHome
from pywats_station._intake import Intake, IntakeError
from pywats_station._printable import printable

__all__ = ["add_parser", "run"]


def add_parser(commands: Any) -> None:
    files = commands.add_parser(
        "files",
        help="source files: list, show, reconvert, requeue",
        description="Every file intake handled is recorded: its folder, converter, outcome, "
        "the reports it produced and where the file went (archive, Done/, Error/).",
    )
    actions = files.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    listing = actions.add_parser("list", help="the newest records first")
    listing.add_argument("--folder", help="only this folder (as configured)")
    listing.add_argument("--failed", action="store_true", help="only files that failed")
    listing.add_argument("--limit", type=int, default=50)
    listing.add_argument("--json", action="store_true")
    show = actions.add_parser("show", help="one record in full")
    show.add_argument("record", type=int)
    show.add_argument("--json", action="store_true")
    reconvert = actions.add_parser(
        "reconvert",
        help="convert an archived or Error/ file again with its folder's current settings",
    )
    reconvert.add_argument("record", type=int)
    requeue = actions.add_parser("requeue", help="send a file's dead-letter reports again")
    requeue.add_argument("record", type=int)


def run(args: argparse.Namespace, home: StationHome) -> int:
    if args.action in ("list", "show"):
        file_log = open_file_log(home)
        try:
            return _list(file_log, args) if args.action == "list" else _show(file_log, args)
        finally:
            file_log.close()
    return asyncio.run(_act(home, args))


def _list(file_log: FileLog, args: argparse.Namespace) -> int:
    records = file_log.recent(
        folder=args.folder, outcome="failed" if args.failed else None, limit=args.limit
    )
    if args.json:
        print(json.dumps([_as_dict(r) for r in records], indent=2))
        return EXIT_OK
    for r in records:
        detail = f"{len(r.reports)} report(s)" if r.outcome == "queued" else r.cause
        print(
            f"{r.id:>6}  {_when(r.handled)}  {r.outcome:<6}  {r.converter:<14}  "
            f"{detail:<20}  {printable(r.source)}"
        )
    return EXIT_OK


def _show(file_log: FileLog, args: argparse.Namespace) -> int:
    record = file_log.get(args.record)
    if record is None:
        raise UserError(f"no file record {args.record}", EXIT_NOT_FOUND)
    if args.json:
        print(json.dumps(_as_dict(record), indent=2))
        return EXIT_OK
    for key, value in _as_dict(record).items():
        shown = ", ".join(value) if isinstance(value, list) else value
        print(f"{key:>10}: {printable(str(shown))}")
    return EXIT_OK


async def _act(home: StationHome, args: argparse.Namespace) -> int:
    config = load_station_config(home)
    # Reconvert moves the file (out of Error/ or the archive), which only one process at a
    # time may do; requeue changes the queue alone, which a running station shares.
    held: contextlib.AbstractContextManager[None] = contextlib.nullcontext()
    if args.action == "reconvert":
        record = args.record
        held = holding_station_home(
            home, f"files reconvert {record}", lambda holder: _instead(holder, record)
        )
    with held:
        async with command_intake(home, config) as service:
            return await _do(service.intake, config, args)


def _instead(holder: dict[str, Any], record: int) -> str:
    """What to do while a running station holds the home: reconvert there, or stop it."""
    console = holder.get("console")
    how = "stop the station"
    if console:
        how = f"reconvert file record {record} in its console ({console}files/{record}), or {how}"
    return (
        f"reconverting beside it would race it over the same file: {how}, run this again, "
        "and start the station again"
    )


async def _do(intake: Intake, config: StationConfig, args: argparse.Namespace) -> int:
    try:
        if args.action == "requeue":
            requeued = await intake.requeue(args.record)
            print(f"requeued {len(requeued)} report(s) of file record {args.record}")
            return EXIT_OK
        folders = {str(f.path): f for f in config.folders}
        record = await intake.reconvert(args.record, folders)
        if record is None:
            raise UserError("the converter runner was closed; try again", EXIT_FAILED)
        if record.outcome != "queued":
            print(f"file record {record.id}: failed again: {printable(record.message)}")
            return EXIT_FAILED
        print(
            f"file record {record.id}: {len(record.reports)} report(s) queued "
            f"({', '.join(record.reports)}); the file is now {printable(record.location)}"
        )
        return EXIT_OK
    except IntakeError as exc:
        code = EXIT_NOT_FOUND if str(exc).startswith("no file record") else EXIT_FAILED
        raise UserError(str(exc), code) from None


def _when(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def _as_dict(record: FileRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "handled": _when(record.handled),
        "folder": record.folder,
        "source": record.source,
        "converter": record.converter,
        "outcome": record.outcome,
        "cause": record.cause,
        "message": record.message,
        "reports": list(record.reports),
        "items": list(record.items),
        "location": record.location,
    }
