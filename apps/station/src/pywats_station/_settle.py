"""Letting go of a source file: archive, ``Done/``, delete, or ``Error/`` with a reason.

Intake calls these only after every report made from the file is durably queued (or the
file has failed for good). A move never overwrites: a clash gets ``name (1).ext``. A move
across file systems (a share to the station's archive) copies, syncs, then removes the
source, so a crash in between leaves two copies, never none.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
from collections.abc import Iterator, Sequence
from datetime import datetime, timezone
from pathlib import Path

from pywats_station._files import atomic_write_bytes, fsync_dir
from pywats_station._folders import DONE_DIR, ERROR_DIR, FolderSection

__all__ = ["REPORTS_SUFFIX", "ERROR_SUFFIX", "settle_converted", "settle_failed"]

#: Beside an archived file: which reports it produced. Beside an Error file: why.
REPORTS_SUFFIX = ".reports.json"
ERROR_SUFFIX = ".error.txt"


def settle_converted(
    folder: FolderSection,
    source: Path,
    *,
    archive_dir: Path,
    converter: str,
    report_ids: Sequence[str],
    now: datetime | None = None,
) -> Path | None:
    """Archive, move to ``Done/`` or delete ``source``; returns where it went (or None)."""
    now = now or datetime.now(timezone.utc)
    if folder.after == "delete":
        with contextlib.suppress(FileNotFoundError):
            source.unlink()
        return None
    if folder.after == "done":
        target = folder.path / DONE_DIR / _relative(folder, source)
    else:
        target = archive_dir / now.strftime("%Y-%m-%d") / _folder_label(folder)
        target = target / _relative(folder, source)
    placed = move_no_clobber(source, target)
    record = {
        "source": str(source),
        "converter": converter,
        "reports": list(report_ids),
        "settled": now.isoformat(timespec="seconds"),
    }
    atomic_write_bytes(
        placed.with_name(placed.name + REPORTS_SUFFIX),
        json.dumps(record, indent=2).encode(),
    )
    return placed


def settle_failed(
    folder: FolderSection,
    source: Path,
    *,
    converter: str,
    cause: str,
    message: str,
    now: datetime | None = None,
) -> Path:
    """Move ``source`` to ``<folder>/Error/`` with ``<name>.error.txt`` beside it."""
    now = now or datetime.now(timezone.utc)
    placed = move_no_clobber(source, folder.path / ERROR_DIR / _relative(folder, source))
    reason = (
        f"file: {source}\n"
        f"converter: {converter}\n"
        f"cause: {cause}\n"
        f"time: {now.isoformat(timespec='seconds')}\n"
        f"\n{message.rstrip()}\n"
    )
    atomic_write_bytes(placed.with_name(placed.name + ERROR_SUFFIX), reason.encode())
    return placed


def move_no_clobber(source: Path, target: Path) -> Path:
    """Move ``source`` to ``target`` or, when that exists, to ``target (N)``; fsync'd."""
    target.parent.mkdir(parents=True, exist_ok=True)
    for candidate in _numbered(target):
        try:
            os.link(source, candidate)  # fails if candidate exists: never overwrites
        except FileExistsError:
            continue
        except OSError as exc:
            if exc.errno not in (errno.EXDEV, errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP):
                raise
            if not _copy_no_clobber(source, candidate):
                continue
        fsync_dir(candidate.parent)
        source.unlink()
        fsync_dir(source.parent)
        return candidate
    raise AssertionError("unreachable: _numbered never ends")  # pragma: no cover


def _copy_no_clobber(source: Path, target: Path) -> bool:
    """Copy across file systems; False when ``target`` appeared meanwhile."""
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return False
    try:
        with open(source, "rb") as src, os.fdopen(fd, "wb") as dst:
            shutil.copyfileobj(src, dst, 1024 * 1024)
            dst.flush()
            os.fsync(dst.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            target.unlink()
        raise
    with contextlib.suppress(OSError):
        shutil.copystat(source, target)
    return True


def _numbered(target: Path) -> Iterator[Path]:
    yield target
    stem, suffix = target.stem, target.suffix
    n = 1
    while True:
        yield target.with_name(f"{stem} ({n}){suffix}")
        n += 1


def _relative(folder: FolderSection, source: Path) -> Path:
    try:
        return source.relative_to(folder.path)
    except ValueError:  # submit of a file outside any folder
        return Path(source.name)


def _folder_label(folder: FolderSection) -> str:
    """A folder's name in the archive: its last path part, readable and stable."""
    return folder.path.name or "root"
