"""``pywats-station``: the station's command line. Each command lives in ``_commands``."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from types import ModuleType

from pywats_station._commands import files, queue, register, run, status, submit
from pywats_station._commands._common import EXIT_FAILED, UserError
from pywats_station._home import HOME_ENV_VAR, StationHome, resolve_home
from pywats_station._logging import setup_logging
from pywats_station._version import __version__

__all__ = ["main"]

log = logging.getLogger("pywats_station")

_COMMANDS: dict[str, ModuleType] = {
    "register": register,
    "status": status,
    "run": run,
    "submit": submit,
    "queue": queue,
    "files": files,
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pywats-station",
        description="Headless pyWATS station: registers with WATS and uploads test reports.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--home",
        metavar="DIR",
        help=f"station home (config, queue, status, logs); default ${HOME_ENV_VAR} "
        "or the platform's config and data directories",
    )
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="more log output (repeat for debug)"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    for module in _COMMANDS.values():
        module.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        home = resolve_home(args.home)
        try:
            setup_logging(home, args.verbose)  # creates the home's folders and log file
        except OSError as exc:  # e.g. --home names a file: no log yet, so say it here
            where = exc.filename or home.data_dir
            reason = exc.strerror or exc
            raise UserError(f"cannot set up the station home at {where}: {reason}") from None
        log.debug("pywats-station %s, home %s", __version__, home.data_dir)
        command: Callable[[argparse.Namespace, StationHome], int] = _COMMANDS[args.command].run
        return command(args, home)
    except UserError as exc:
        print(f"pywats-station: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("pywats-station: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        # Unexpected: full details go to the log file, one line to the user.
        log.error("unexpected error", exc_info=True, extra={"console": False})
        print(
            f"pywats-station: unexpected error: {type(exc).__name__}: {exc} "
            "(details in the log file)",
            file=sys.stderr,
        )
        return EXIT_FAILED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
