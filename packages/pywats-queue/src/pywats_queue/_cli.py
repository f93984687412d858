"""``pywats-queue`` (or ``python -m pywats_queue``): inspect and steer a queue from a shell.

Exit codes: 0 done, 1 the queue refused or failed (message on stderr), 2 bad usage,
3 no such item or queue.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from collections.abc import Sequence
from typing import Any

from ._migrate import migrate, recover
from ._model import Item, ItemNotFoundError, QueueError, QueueNotFoundError, State
from ._queue import open_queue

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_NOT_FOUND = 3


def _iso(ts: float | None) -> str | None:
    return None if ts is None else time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def _item_dict(item: Item, *, payload: bool = False) -> dict[str, Any]:
    data = dataclasses.asdict(item) | {"state": item.state.value, "meta": dict(item.meta)}
    data["payload_bytes"] = len(data.pop("payload"))
    for name in ("created_at", "next_attempt_at", "lease_expires_at", "finished_at"):
        data[name] = _iso(data[name])
    if payload:
        data["payload"] = item.payload.decode("utf-8", errors="replace")
    return data


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pywats-queue",
        description="Inspect and steer a pywats-queue (file:///dir or sqlite:///file.db).",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("stats", help="depth per state, oldest age, attempts, quarantined")
    p.add_argument("url")
    p.add_argument("--json", action="store_true", help="print JSON")
    p = sub.add_parser("list", help="items in one state, in queue order")
    p.add_argument("url")
    p.add_argument("--state", required=True, choices=[s.value for s in State])
    p.add_argument("--limit", type=int, default=None)
    p.add_argument("--json", action="store_true", help="print JSON lines")
    for name, text in (
        ("show", "one item in full"),
        ("requeue", "make a dead or acknowledged item ready again"),
        ("discard", "delete an item that is not being delivered"),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument("url")
        p.add_argument("id")
    show = sub.choices["show"]
    show.add_argument("--payload", action="store_true", help="include the payload as text")
    for name, text in (
        ("migrate", "copy every item with its state to another queue and verify"),
        ("recover", "copy every readable item of a damaged SQLite queue into a new one"),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument("src_url")
        p.add_argument("dst_url")
    return parser


def _copy(args: argparse.Namespace) -> int:
    with open_queue(args.dst_url) as dst:
        if args.command == "recover":
            result = recover(args.src_url, dst)
            total = result.copied + result.already_present
            print(f"recovered {total} readable item(s) into {args.dst_url} ({result.copied} "
                  f"copied now, {result.already_present} already there)")  # fmt: skip
            for line in result.unreadable:
                print(f"could not read: {line}")
            return EXIT_OK
        with open_queue(args.src_url, create=False) as src:
            moved = migrate(src, dst)
    states = ", ".join(f"{n} {s}" for s, n in moved.by_state.items()) or "no items"
    print(
        f"migrated {moved.copied + moved.already_present} item(s) ({states}); "
        f"{moved.copied} copied now, {moved.already_present} already present; "
        f"all verified in {args.dst_url}. The source is unchanged."
    )
    if moved.left_behind:
        print(f"{moved.left_behind} quarantined item(s) stay in the source only")
    return EXIT_OK


def _run(args: argparse.Namespace) -> int:
    if args.command in ("migrate", "recover"):
        return _copy(args)
    with open_queue(args.url, create=False) as queue:
        if args.command == "stats":
            stats = queue.stats()
            if args.json:
                print(json.dumps(stats.as_dict(), sort_keys=True))
                return EXIT_OK
            for state, depth in stats.depth.items():
                age = stats.oldest_age[state]
                print(f"{state:7} {depth:8}" + ("" if age is None else f"  oldest {age:.0f} s"))
            hist = ", ".join(f"{k}: {v}" for k, v in sorted(stats.attempts.items()))
            print(f"attempts {hist or '-'}")
            latest = f"  latest: {stats.quarantine_reason}" if stats.quarantine_reason else ""
            print(f"quarantined {stats.quarantined}{latest}")
        elif args.command == "list":
            for item in queue.list(args.state, limit=args.limit):
                if args.json:
                    print(json.dumps(_item_dict(item), sort_keys=True))
                else:
                    error = f"  {item.last_error}" if item.last_error else ""
                    print(f"{item.id}  {item.key}  attempts={item.attempts}{error}")
        elif args.command == "show":
            print(json.dumps(_item_dict(queue.get(args.id), payload=args.payload), indent=2))
        elif args.command == "requeue":
            item = queue.requeue(args.id)
            print(f"requeued {item.id} (attempts so far: {item.attempts})")
        else:
            item = queue.discard(args.id)
            print(f"discarded {item.id} (key {item.key}, was {item.state.value})")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # never a traceback for the user, even for a bug of ours
        known = isinstance(exc, (QueueError, OSError))
        print(f"error: {'' if known else 'unexpected ' + type(exc).__name__ + ': '}{exc}",
              file=sys.stderr)  # fmt: skip
        missing = isinstance(exc, (ItemNotFoundError, QueueNotFoundError))
        return EXIT_NOT_FOUND if missing else EXIT_FAILED
