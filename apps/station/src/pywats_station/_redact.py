"""A logging filter that blanks known secret values, as a second line of defence.

The first line is that secrets are only ever held in :class:`~pywats_station.Secret` and
never passed to a logger; this filter catches what a third-party library might log.
"""

from __future__ import annotations

import logging
import threading

__all__ = ["SecretRedactor"]

_MASK = "********"


class SecretRedactor(logging.Filter):
    """Replaces every registered secret in a record's message (and traceback) by a mask."""

    def __init__(self) -> None:
        super().__init__()
        self._secrets: set[str] = set()
        self._lock = threading.Lock()

    def add(self, secret: str) -> None:
        # Very short values would mask innocent text and reveal nothing anyway.
        if len(secret) >= 4:
            with self._lock:
                self._secrets.add(secret)

    def _scrub(self, text: str) -> str:
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, _MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        message = record.getMessage()
        scrubbed = self._scrub(message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        if record.exc_info and record.exc_info[1] is not None:
            formatted = logging.Formatter().formatException(record.exc_info)
            record.exc_text = self._scrub(formatted)
            record.exc_info = None
            record.msg = f"{record.msg}\n{record.exc_text}"
            record.exc_text = None
        return True
