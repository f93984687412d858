"""``pywats-station submit``: convert files and queue their reports, through intake."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from pywats_station._commands._common import (
    EXIT_FAILED,
    EXIT_OK,
    UserError,
    command_intake,
    load_station_config,
)
from pywats_station._config import StationConfig
from pywats_station._home import StationHome
from pywats_station._printable import printable
from pywats_station._reportfile import ReportFileError, read_report_file

__all__ = ["add_parser", "run"]


def add_parser(commands: Any) -> None:
    submit = commands.add_parser(
        "submit",
        help="convert files and queue their reports for upload",
        description="Each file is converted in the isolated converter runner (WSJF and WSXF "
        "are recognised by content; any other format needs --converter), validated, and its "
        "reports queued; a file that fails is refused with the reason and nothing else is "
        "affected. Only regular files up to [queue] max_report_mb are read. The files "
        "themselves are left where they are.",
    )
    submit.add_argument("files", nargs="+", metavar="FILE", help="a result file to queue")
    submit.add_argument(
        "--converter", "-c", metavar="NAME", help="an installed converter (pywats-convert --list)"
    )
    submit.add_argument(
        "--set",
        dest="settings",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a converter setting (repeatable)",
    )


def run(args: argparse.Namespace, home: StationHome) -> int:
    config = load_station_config(home)
    settings = dict(_setting(s) for s in args.settings)
    return asyncio.run(
        _submit(home, config, [Path(f) for f in args.files], args.converter, settings)
    )


def _setting(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise UserError(f"--set takes KEY=VALUE, not {text!r}")
    return key.strip(), value


def _converter_for(path: Path, max_bytes: int) -> str:
    """``wsjf``/``wsxf`` by content; :class:`UserError` for anything else."""
    from pywats.report import ReportFormatError, detect_format

    try:
        data = read_report_file(path, max_bytes)
    except ReportFileError as exc:
        raise UserError(str(exc), EXIT_FAILED) from None
    try:
        return detect_format(data)
    except ReportFormatError as exc:
        raise UserError(f"{exc}; name its converter with --converter", EXIT_FAILED) from None


async def _submit(
    home: StationHome,
    config: StationConfig,
    paths: list[Path],
    converter: str | None,
    settings: dict[str, str],
) -> int:
    max_bytes = int(config.queue.max_report_mb * 1024 * 1024)
    refused = 0
    total = len(paths)
    async with command_intake(home, config) as service:
        for number, path in enumerate(paths, 1):
            shown = printable(path)
            try:
                # Refuse what is not a report file (a FIFO, /dev/zero, too large) at once.
                name = (
                    converter
                    if converter is not None
                    else await asyncio.to_thread(_converter_for, path, max_bytes)
                )
            except UserError as exc:
                refused += 1
                print(f"[{number}/{total}] refused {shown}: {printable(str(exc))}", file=sys.stderr)
                continue
            record = await service.intake.submit(path, name, settings)
            if record is None or record.outcome != "queued":
                refused += 1
                reason = record.message if record is not None else "the station is stopping"
                problems = "\n    ".join(printable(line) for line in reason.splitlines())
                print(f"[{number}/{total}] refused {shown}:\n    {problems}", file=sys.stderr)
                continue
            reports = ", ".join(record.reports)
            items = ", ".join(record.items)
            print(f"[{number}/{total}] queued {shown} ({name}, report {reports}, item {items})")
    if refused:
        print(f"{refused} of {total} files refused", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK
