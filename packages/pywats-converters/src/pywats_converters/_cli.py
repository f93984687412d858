"""``pywats-convert``: run converters on files through the isolated runner, list converters.

    pywats-convert FILE... [--converter NAME] [--set key=value]... [--to wsjf|wsxf]
                   [-o DIR] [--validate] [--time-limit SECONDS]
                   [--machine NAME] [--location TEXT] [--purpose TEXT]
    pywats-convert --list [--json]

Without ``--converter`` each file goes to the converter whose patterns match its name; when
several match, each is tried in turn and the first that succeeds wins. Reports go to stdout
(WSJF: one JSON document per line; WSXF: one document after another), or into ``-o DIR`` as
``<report id>.json``/``.xml``. ``--validate`` checks that each file converts into valid
reports and writes nothing. One line per file goes to stderr.

Exit codes: 0 every file converted; 1 some file failed; 2 a usage error (unknown converter,
bad ``--set``, no such file or directory).
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import math
import socket
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from pywats.report import Report, dumps_wsjf, dumps_wsxf

from ._fields import settings_from_text
from ._results import (
    ContextInfo,
    ConversionFailed,
    ConversionResult,
    ConverterInfo,
    FailureCause,
)
from ._sdk import StationInfo
from ._version import __version__
from .runner import Runner

__all__ = ["main"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class _UsageError(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pywats-convert",
        description="Convert test result files into WATS reports, each in an isolated worker.",
    )
    parser.add_argument("files", nargs="*", metavar="FILE", help="files to convert")
    parser.add_argument("--list", action="store_true", help="list installed converters")
    parser.add_argument("--json", action="store_true", help="with --list: JSON output")
    parser.add_argument("--converter", "-c", metavar="NAME", help="converter to use")
    parser.add_argument(
        "--set",
        dest="settings",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a converter setting (VALUE read as JSON when it parses, else as text)",
    )
    parser.add_argument("--to", choices=("wsjf", "wsxf"), default="wsjf", help="output format")
    parser.add_argument("-o", "--output", metavar="DIR", type=Path, help="write reports here")
    parser.add_argument(
        "--validate", action="store_true", help="only check that files convert into valid reports"
    )
    parser.add_argument(
        "--time-limit",
        type=_seconds,
        default=60.0,
        metavar="SECONDS",
        help="seconds a file's conversion may take before its worker is killed (60)",
    )
    # WATS requires location and purpose on every report; a station supplies its own.
    parser.add_argument("--machine", default=socket.gethostname(), help="station name")
    parser.add_argument("--location", default="pywats-convert", help="station location")
    parser.add_argument("--purpose", default="conversion", help="station purpose")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def _seconds(text: str) -> float:
    """An argparse type: a finite number of seconds above zero."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds > 0):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return seconds


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        with Runner(workers=1, time_limit=args.time_limit) as runner:
            if args.list:
                return _list(runner, args.json, sys.stdout)
            if not args.files:
                raise _UsageError("no FILE given (or use --list)")
            return _convert_all(runner, args)
    except _UsageError as exc:
        print(f"pywats-convert: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


def _list(runner: Runner, as_json: bool, out: TextIO) -> int:
    infos = runner.describe()
    if as_json:
        json.dump([info.to_dict() for info in infos], out, indent=2)
        out.write("\n")
        return EXIT_OK
    if not infos:
        out.write("no converters installed\n")
        return EXIT_OK
    width = max(len(info.name) for info in infos)
    for info in infos:
        api = "-" if info.api_version is None else str(info.api_version)
        if info.status == "ok":
            what = f"{' '.join(info.patterns) or '(no patterns)'}  {info.description}"
        else:
            what = info.error
        out.write(f"{info.name:<{width}}  api {api:<2} {info.status:<13} {what}\n")
    return EXIT_OK


def _raw_settings(pairs: Sequence[str]) -> dict[str, str]:
    settings: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise _UsageError(f"--set {pair!r}: expected KEY=VALUE")
        settings[key.strip()] = value
    return settings


def _typed_settings(raw: dict[str, str], info: ConverterInfo | None) -> dict[str, Any]:
    """Values as the converter's schema wants them: text for text settings, else JSON."""
    return settings_from_text(info.parameters_schema if info else {}, raw)


def _convert_all(runner: Runner, args: argparse.Namespace) -> int:
    settings = _raw_settings(args.settings)
    installed = runner.converters()
    if args.converter is not None and args.converter not in installed:
        known = ", ".join(sorted(installed)) or "none"
        raise _UsageError(f"no converter named {args.converter!r} (installed: {known})")
    if args.output is not None and not args.validate:
        args.output.mkdir(parents=True, exist_ok=True)
    context = ContextInfo(
        station=StationInfo(args.machine, location=args.location, purpose=args.purpose)
    )
    failed = False
    for name in args.files:
        path = Path(name)
        if not path.exists():
            print(f"{path}: no such file or directory", file=sys.stderr)
            failed = True
            continue
        result = _convert_one(runner, path, args.converter, settings, context)
        if not result.ok:
            print(result.message, file=sys.stderr)
            failed = True
            continue
        count = len(result.reports)
        verdict = "valid" if args.validate else "converted"
        print(
            f"{path}: {count} report(s) {verdict} by {result.converter!r} "
            f"in {result.duration:.3f} s",
            file=sys.stderr,
        )
        if not args.validate:
            _write(result.reports, args.to, args.output)
    return EXIT_FAILED if failed else EXIT_OK


def _convert_one(
    runner: Runner,
    path: Path,
    converter: str | None,
    settings: dict[str, str],
    context: ContextInfo,
) -> ConversionResult:
    if converter is not None:
        (info,) = runner.describe([converter])
        return runner.convert(path, converter, _typed_settings(settings, info), context)
    candidates = [info for info in runner.describe() if _accepts(info, path)]
    if not candidates:
        return ConversionFailed(
            converter="(none)",
            source=path,
            cause=FailureCause.UNKNOWN_CONVERTER,
            message=f"{path.name}: no installed converter accepts this file name; "
            "name one with --converter (see pywats-convert --list)",
        )
    failures: list[ConversionFailed] = []
    for info in candidates:
        result = runner.convert(path, info.name, _typed_settings(settings, info), context)
        if result.ok:
            return result
        failures.append(result)
    if len(failures) == 1:
        return failures[0]
    tried = "; ".join(f.message.partition(": ")[2] for f in failures)
    return ConversionFailed(
        converter=",".join(f.converter for f in failures),
        source=path,
        cause=failures[0].cause,
        message=f"{path.name}: no converter could read it: {tried}",
    )


def _accepts(info: ConverterInfo, path: Path) -> bool:
    if info.status != "ok":
        return False
    kind = "folder" if path.is_dir() else "file"
    name = path.name.lower()
    return info.source_kind == kind and any(
        fnmatch.fnmatchcase(name, pattern.lower()) for pattern in info.patterns
    )


def _write(reports: list[Report], fmt: str, output: Path | None) -> None:
    for report in reports:
        data = dumps_wsjf(report) if fmt == "wsjf" else dumps_wsxf(report)
        if output is None:
            sys.stdout.buffer.write(data.rstrip(b"\n") + b"\n")
            sys.stdout.buffer.flush()
            continue
        suffix = ".json" if fmt == "wsjf" else ".xml"
        target = output / f"{report.id}{suffix}"
        target.write_bytes(data)


if __name__ == "__main__":
    sys.exit(main())
