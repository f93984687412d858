"""Root-cause ticket status flags (the spec's enum 1..32)."""

from __future__ import annotations

import enum

__all__ = ["TicketStatus"]


class TicketStatus(enum.IntFlag):
    """A ticket's status; combine flags with ``|`` to list tickets in several states."""

    OPEN = 1
    IN_PROGRESS = 2
    ON_HOLD = 4
    SOLVED = 8
    CLOSED = 16
    ARCHIVED = 32
