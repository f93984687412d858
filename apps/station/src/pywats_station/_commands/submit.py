"""``pywats-station submit``: validate report files and queue them for upload."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from pywats_station._commands._common import (
    EXIT_FAILED,
    EXIT_OK,
    UserError,
    load_station_config,
    open_station_queue,
)
from pywats_station._home import StationHome
from pywats_station._printable import printable
from pywats_station._reportfile import ReportFileError, read_report_file

__all__ = ["add_parser", "check_report", "run"]


def add_parser(commands: Any) -> None:
    submit = commands.add_parser(
        "submit",
        help="validate WSJF/WSXF files and queue them for upload",
        description="Each valid file is queued as it is; invalid ones are refused with the "
        "validator's messages and nothing else is affected. Only regular files up to "
        "[queue] max_report_mb are read.",
    )
    submit.add_argument("files", nargs="+", metavar="FILE")


def check_report(path: Path, max_bytes: int) -> tuple[bytes, str, str]:
    """The file's bytes, format and report id; :class:`UserError` with the problems."""
    from pywats.report import (
        ReportFormatError,
        detect_format,
        format_problems,
        parse_wsjf,
        parse_wsxf,
        validate,
    )

    try:
        data = read_report_file(path, max_bytes)
    except ReportFileError as exc:
        raise UserError(str(exc), EXIT_FAILED) from None
    try:
        fmt = detect_format(data)
        report = parse_wsjf(data) if fmt == "wsjf" else parse_wsxf(data)
    except ReportFormatError as exc:
        raise UserError(str(exc), EXIT_FAILED) from None
    problems = validate(report)
    if problems:
        raise UserError(format_problems(problems), EXIT_FAILED)
    return data, fmt, str(report.id)


def run(args: argparse.Namespace, home: StationHome) -> int:
    config = load_station_config(home)
    max_bytes = int(config.queue.max_report_mb * 1024 * 1024)
    refused = 0
    with open_station_queue(home, config) as queue:
        total = len(args.files)
        for number, name in enumerate(args.files, 1):
            path = Path(name)
            shown = printable(path)
            try:
                data, fmt, report_id = check_report(path, max_bytes)
            except UserError as exc:
                refused += 1
                problems = "\n    ".join(printable(line) for line in str(exc).splitlines())
                print(f"[{number}/{total}] refused {shown}:\n    {problems}", file=sys.stderr)
                continue
            # The bytes are queued as they are; the report id in them is the idempotency key.
            item_id = queue.put(data, key=report_id, meta={"format": fmt, "source": str(path)})
            del data  # one report in memory at a time
            print(f"[{number}/{total}] queued {shown} ({fmt}, report {report_id}, item {item_id})")
    if refused:
        print(f"{refused} of {total} files refused", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK
