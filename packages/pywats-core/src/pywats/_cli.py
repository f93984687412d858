"""The ``pywats`` command line. Subcommand groups: ``report`` (more groups can be added).

Exit codes: 0 success/valid, 1 report(s) invalid, 2 unreadable input, unwritable output or
bad usage, 130 interrupted. Errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .report import (
    ReportFormatError,
    dumps_wsjf,
    dumps_wsxf,
    format_problems,
    parse_report,
    validate,
)

__all__ = ["main"]

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_UNREADABLE = 2


class _UsageError(Exception):
    pass


def _read(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise _UsageError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise _UsageError(f"{path}: is a directory") from None
    except OSError as exc:
        raise _UsageError(f"{path}: cannot read ({exc.strerror or exc})") from None


def _processes(pairs: Sequence[str]) -> dict[int, str] | None:
    if not pairs:
        return None
    known: dict[int, str] = {}
    for pair in pairs:
        code, sep, name = pair.partition("=")
        try:
            number = int(code)
        except ValueError:
            number = None
        if not sep or number is None or not name:
            raise _UsageError(f"--process expects CODE=NAME (e.g. 10='SW Debug'), got {pair!r}")
        known[number] = name
    return known


def _cmd_report_validate(args: argparse.Namespace) -> int:
    processes = _processes(args.process or [])
    worst = EXIT_OK
    for path in args.files:
        try:
            report = parse_report(_read(path))
        except (_UsageError, ReportFormatError) as exc:
            message = str(exc) if isinstance(exc, _UsageError) else f"{path}: {exc}"
            print(f"pywats: error: {message}", file=sys.stderr)
            worst = EXIT_UNREADABLE
            continue
        problems = validate(
            report,
            processes=processes,
            check_search_characters=not args.allow_search_characters,
        )
        if problems:
            count = len(problems)
            print(f"{path}: {count} problem{'s' if count != 1 else ''}")
            print(format_problems(problems))
            worst = max(worst, EXIT_INVALID)
        elif not args.quiet:
            print(f"{path}: valid")
    return worst


def _cmd_report_convert(args: argparse.Namespace) -> int:
    data = _read(args.file)
    try:
        report = parse_report(data)
    except ReportFormatError as exc:
        print(f"pywats: error: {args.file}: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    try:
        out = dumps_wsjf(report) if args.to == "wsjf" else dumps_wsxf(report)
    except ReportFormatError as exc:
        print(f"pywats: error: {args.file}: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    if args.output:
        try:
            Path(args.output).write_bytes(out)
        except OSError as exc:
            print(
                f"pywats: error: cannot write {args.output}: {exc.strerror or exc}",
                file=sys.stderr,
            )
            return EXIT_UNREADABLE
    else:
        sys.stdout.buffer.write(out)
        if args.to == "wsjf":
            sys.stdout.buffer.write(b"\n")
        sys.stdout.buffer.flush()
    return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pywats", description="pyWATS command line tools")
    groups = parser.add_subparsers(dest="group", metavar="GROUP")
    groups.required = True

    report = groups.add_parser("report", help="validate and convert WATS reports (WSJF/WSXF)")
    commands = report.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    check = commands.add_parser(
        "validate",
        help="check reports against the server's known rules",
        description="Exit 0 when every file is valid, 1 when any is invalid, "
        "2 when any cannot be read.",
    )
    check.add_argument(
        "files", nargs="+", metavar="FILE", help="WSJF or WSXF report files ('-' for stdin)"
    )
    check.add_argument(
        "--process",
        action="append",
        metavar="CODE=NAME",
        help="a known process (repeatable); checks processCode/processName against them",
    )
    check.add_argument(
        "--allow-search-characters",
        action="store_true",
        help="accept SN/PN characters that act as wildcards in WATS searches",
    )
    check.add_argument("-q", "--quiet", action="store_true", help="print nothing for valid files")
    check.set_defaults(handler=_cmd_report_validate)

    convert = commands.add_parser(
        "convert",
        help="convert a report between WSJF and WSXF (input format detected from content)",
    )
    convert.add_argument("file", metavar="FILE", help="a WSJF or WSXF report ('-' for stdin)")
    convert.add_argument("--to", required=True, choices=("wsjf", "wsxf"))
    convert.add_argument("-o", "--output", metavar="PATH", help="write here instead of stdout")
    convert.set_defaults(handler=_cmd_report_convert)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (also used as the console-script entry point)."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.handler(args)
    except _UsageError as exc:
        print(f"pywats: error: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    except KeyboardInterrupt:
        print("pywats: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # last resort: one line, never a traceback
        print(f"pywats: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 70
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
