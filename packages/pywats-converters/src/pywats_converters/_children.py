"""What a converter left running: the worker's own view of its descendants.

The worker makes itself a *child subreaper* (Linux ``prctl``): a process a converter started
stays the worker's child, and when such a child exits, its own children are re-parented to
the worker instead of to init. So "no descendant left" is simply "no child left", which one
``waitpid(-1, WNOHANG)`` answers without scanning ``/proc`` — it runs after every file.
On other POSIX systems, processes orphaned by a converter's exited child go unnoticed here
(they still die with the worker's process group).
"""

from __future__ import annotations

import os
import sys

__all__ = ["become_subreaper", "children_left"]

_PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> bool:
    """Adopt orphaned descendants (Linux); whether that worked."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def children_left() -> list[tuple[int, str]]:
    """Child processes still running, as (pid, command); exited ones are reaped on the way.

    An entry with pid 0 stands for children that exist but could not be listed.
    """
    if os.name == "nt":  # pragma: no cover - Windows: the job object's business
        return []
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return []  # no children at all: the common case
        if pid == 0:
            break  # at least one child is alive
    return _list_children() or [(0, "unknown")]


def _list_children() -> list[tuple[int, str]]:
    me = os.getpid()
    found: list[tuple[int, str]] = []
    try:
        entries = os.listdir("/proc")
    except OSError:
        return found
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        head, _, rest = stat.rpartition(b")")
        fields = rest.split()
        if len(fields) >= 2 and fields[0] not in (b"Z", b"X") and int(fields[1]) == me:
            found.append((int(entry), head.partition(b"(")[2].decode("utf-8", "replace")))
    return found
