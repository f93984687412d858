"""``pywats-station queue list|show|retry|discard``: look at and steer the upload queue."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from pywats_queue import Item, ItemNotFoundError, QueueError
from pywats_station._commands._common import (
    EXIT_FAILED,
    EXIT_NOT_FOUND,
    EXIT_OK,
    load_station_config,
    open_station_queue,
    positive_int,
)
from pywats_station._home import StationHome
from pywats_station._printable import printable

__all__ = ["add_parser", "run"]


def add_parser(commands: Any) -> None:
    queue = commands.add_parser(
        "queue",
        help="look at and steer the upload queue",
        description="The upload queue: items waiting (ready), in flight (leased), "
        "delivered (acked), dead letters and quarantined items. IDs are the queue's item "
        "ids, as `queue list` shows them.",
    )
    queue_commands = queue.add_subparsers(dest="queue_command", metavar="ACTION")
    queue_commands.required = True
    listing = queue_commands.add_parser("list", help="items waiting, in flight, dead letters")
    listing.add_argument(
        "--state",
        choices=("ready", "leased", "dead", "quarantined", "acked"),
        help="only items in this state (default: all but acked)",
    )
    listing.add_argument(
        "--limit", type=positive_int, default=None, metavar="N", help="at most N items"
    )
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    show = queue_commands.add_parser("show", help="one item in full")
    show.add_argument("ids", nargs="+", metavar="ID", help="queue item id")
    show.add_argument("--payload", action="store_true", help="include the report itself")
    retry = queue_commands.add_parser("retry", help="make dead letters ready again")
    retry.add_argument("ids", nargs="+", metavar="ID", help="queue item id")
    discard = queue_commands.add_parser("discard", help="delete items (not while in flight)")
    discard.add_argument("ids", nargs="+", metavar="ID", help="queue item id")


def _item_dict(item: Item, *, payload: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": item.id,
        "report_id": item.key,
        "state": str(item.state),
        "format": item.meta.get("format", "wsjf"),
        "source": item.meta.get("source"),
        "attempts": item.attempts,
        "last_error": item.last_error,
        "created_at": item.created_at,
        "next_attempt_at": item.next_attempt_at,
        "size": len(item.payload),
    }
    if payload:
        data["payload"] = item.payload.decode("utf-8", "replace")
    return data


def run(args: argparse.Namespace, home: StationHome) -> int:
    with open_station_queue(home, load_station_config(home)) as queue:
        if args.queue_command == "list":
            states = [args.state] if args.state else ["ready", "leased", "dead", "quarantined"]
            items = [item for state in states for item in queue.list(state, limit=args.limit)]
            if args.json:
                print(json.dumps([_item_dict(i) for i in items], indent=2))
                return EXIT_OK
            if not items:
                print("no items")
            for item in items:
                error = ""
                if item.last_error:
                    error = f"  {printable(item.last_error.splitlines()[0][:80])}"
                print(
                    f"{item.id}  {item.state!s:6}  {printable(item.key)}  "
                    f"attempts={item.attempts}{error}"
                )
            stats = queue.stats()
            depth = {**stats.depth, "quarantined": stats.quarantined}
            print("depth: " + ", ".join(f"{k} {v}" for k, v in depth.items()))
            return EXIT_OK
        failed = 0
        not_found = 0
        for item_id in args.ids:
            try:
                if args.queue_command == "show":
                    item = queue.get(item_id)
                    print(json.dumps(_item_dict(item, payload=args.payload), indent=2))
                elif args.queue_command == "retry":
                    item = queue.requeue(item_id)
                    print(f"{item_id}: ready again (report {printable(item.key)})")
                else:
                    item = queue.discard(item_id)
                    print(f"{item_id}: discarded (report {printable(item.key)}, was {item.state})")
            except ItemNotFoundError as exc:
                not_found += 1
                print(f"pywats-station: error: {printable(item_id)}: {exc}", file=sys.stderr)
            except QueueError as exc:
                failed += 1
                print(f"pywats-station: error: {printable(item_id)}: {exc}", file=sys.stderr)
        if failed:
            return EXIT_FAILED
        return EXIT_NOT_FOUND if not_found else EXIT_OK
