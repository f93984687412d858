"""Logging for the command line: a rotating log file in the home, one line per problem on
the terminal, and every known secret blanked in both."""

from __future__ import annotations

import logging
import logging.handlers
import sys

from pywats_station._home import StationHome
from pywats_station._redact import SecretRedactor

__all__ = ["redactor", "setup_logging"]

redactor = SecretRedactor()
"""The process's redactor: commands add each secret they learn to it."""

_installed_handlers: list[logging.Handler] = []


def setup_logging(home: StationHome, verbosity: int) -> None:
    """Log to ``<home>/logs/station.log`` (INFO, DEBUG with ``-v``) and to stderr
    (WARNING, INFO with ``-v``, DEBUG with ``-vv``); tracebacks go to the file only."""
    root = logging.getLogger()
    # main() may run more than once in a process (tests, embedding): replace, not add.
    for handler in _installed_handlers:
        root.removeHandler(handler)
        handler.close()
    _installed_handlers.clear()
    root.setLevel(logging.DEBUG)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    home.ensure()
    log_file = logging.handlers.RotatingFileHandler(
        home.log_dir / "station.log", maxBytes=5_000_000, backupCount=3, encoding="utf-8"
    )
    log_file.setLevel(logging.DEBUG if verbosity >= 1 else logging.INFO)
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(
        logging.DEBUG if verbosity >= 2 else logging.INFO if verbosity == 1 else logging.WARNING
    )
    # Tracebacks go to the log file only; the terminal gets one line per problem.
    console.addFilter(lambda record: getattr(record, "console", True))
    for handler in (log_file, console):
        handler.setFormatter(fmt)
        handler.addFilter(redactor)
        root.addHandler(handler)
        _installed_handlers.append(handler)
