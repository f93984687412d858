"""Reading a report file with bounds: regular files only, never more than a maximum size.

A report path may name anything: ``/dev/zero`` (endless), a FIFO (blocks until someone
writes), a directory, a file that grows while it is read. The file is opened without
blocking and checked *after* opening (so what is checked is what is read), and never
more than the maximum plus one byte is read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = ["ReportFileError", "read_report_file"]


class ReportFileError(Exception):
    """The file cannot be taken as a report; the message says why, naming sizes."""


_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.1f} kB"
    return f"{n} bytes"


def read_report_file(path: Path, max_bytes: int) -> bytes:
    """The bytes of the regular file ``path``, at most ``max_bytes`` of them.

    Raises :class:`ReportFileError` for anything else: not a regular file, larger than
    ``max_bytes``, unreadable.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    flags |= getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise ReportFileError(f"cannot read it: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            kind = next((name for test, name in _KINDS if test(st.st_mode)), "not a file")
            raise ReportFileError(f"not a regular file ({kind}); only report files are read")
        if st.st_size > max_bytes:
            raise ReportFileError(
                f"the file is {_size(st.st_size)}, above the maximum report size of "
                f"{_size(max_bytes)} ([queue] max_report_mb)"
            )
        with os.fdopen(fd, "rb", buffering=0, closefd=False) as handle:
            data = handle.read(st.st_size + 1)  # one byte more: did it grow?
            if len(data) > st.st_size:
                data += handle.read(max_bytes + 1 - len(data))
        if len(data) > max_bytes:
            raise ReportFileError(
                f"the file grew while it was read, beyond the maximum report size of "
                f"{_size(max_bytes)} ([queue] max_report_mb)"
            )
        return data
    except OSError as exc:
        raise ReportFileError(f"cannot read it: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
