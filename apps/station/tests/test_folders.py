"""Watched folders: settled files are taken once; growing files, Done/ and Error/ are not."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from pywats_station._folders import FolderSection, FolderWatcher

pytestmark = pytest.mark.anyio

WAIT = 30.0  # generous: the machine may be busy


class _Taker:
    """Records what the watcher hands over, moving each file away as intake would."""

    def __init__(self, done_dir: Path) -> None:
        self.taken: list[tuple[Path, bytes]] = []
        self.done_dir = done_dir
        self.changed = asyncio.Event()

    async def __call__(self, path: Path) -> None:
        await asyncio.to_thread(self._move, path)
        self.changed.set()

    def _move(self, path: Path) -> None:
        self.taken.append((path, path.read_bytes()))
        self.done_dir.mkdir(exist_ok=True)
        path.rename(self.done_dir / f"{len(self.taken)}-{path.name}")

    async def wait_for(self, count: int) -> None:
        async def until() -> None:
            while len(self.taken) < count:
                self.changed.clear()
                await self.changed.wait()

        await asyncio.wait_for(until(), WAIT)


@contextlib.asynccontextmanager
async def _watching(
    folder: FolderSection, take: Callable[[Path], Awaitable[None]]
) -> AsyncIterator[FolderWatcher]:
    watcher = FolderWatcher(folder, take)
    task = asyncio.create_task(watcher.run())
    try:
        yield watcher
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _until(condition: Callable[[], bool]) -> None:
    async def poll() -> None:
        while not condition():  # noqa: ASYNC110  # the status is a plain attribute
            await asyncio.sleep(0.05)

    await asyncio.wait_for(poll(), WAIT)


def _folder(path: Path, **options: object) -> FolderSection:
    return FolderSection.model_validate(
        {"path": path, "converter": "wsjf", "settle": 0.3, **options}
    )


async def test_files_present_at_start_are_taken(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    for n in range(3):
        (inbox / f"r{n}.json").write_text(f"report {n}")
    taker = _Taker(tmp_path / "out")
    async with _watching(_folder(inbox), taker):
        await taker.wait_for(3)
    assert sorted(content for _, content in taker.taken) == [b"report 0", b"report 1", b"report 2"]


async def test_a_new_file_is_taken_once(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    taker = _Taker(tmp_path / "out")
    async with _watching(_folder(inbox, rescan=0.2), taker):
        (inbox / "a.json").write_text("a")
        await taker.wait_for(1)
        (inbox / "b.json").write_text("b")
        await taker.wait_for(2)
    assert [p.name for p, _ in taker.taken] == ["a.json", "b.json"]


async def test_a_growing_file_is_taken_only_whole(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    taker = _Taker(tmp_path / "out")
    pieces = [f"line {n}\n".encode() for n in range(12)]
    async with _watching(_folder(inbox, settle=1.0), taker):
        path = inbox / "slow.log"
        with path.open("wb") as handle:
            for piece in pieces:  # a tester writing its log over about 2.4 s
                handle.write(piece)
                handle.flush()
                await asyncio.sleep(0.2)
        await taker.wait_for(1)
    assert taker.taken[0][1] == b"".join(pieces)
    assert len(taker.taken) == 1


async def test_patterns_subfolders_and_settled_folders(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    for sub in ("", "line2", "Done", "Error", "line2/Done"):
        (inbox / sub).mkdir(parents=True, exist_ok=True)
    wanted = [inbox / "a.xml", inbox / "line2" / "b.XML", inbox / "line2" / "Done" / "c.xml"]
    ignored = [
        inbox / "notes.txt",
        inbox / "skip.tmp.xml",
        inbox / "Done" / "d.xml",
        inbox / "Error" / "e.xml",
        inbox / ".hidden.xml",
    ]
    for path in wanted + ignored:
        path.write_text(path.name)
    folder = _folder(inbox, include=["*.xml"], exclude=["*.tmp.xml"], recursive=True)
    taker = _Taker(tmp_path / "out")
    async with _watching(folder, taker):
        await taker.wait_for(3)
    assert sorted(p for p, _ in taker.taken) == sorted(wanted)
    assert all(p.exists() for p in ignored)


async def test_subfolders_are_ignored_unless_recursive(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    (inbox / "sub").mkdir(parents=True)
    (inbox / "sub" / "deep.json").write_text("deep")
    (inbox / "top.json").write_text("top")
    taker = _Taker(tmp_path / "out")
    async with _watching(_folder(inbox), taker) as watcher:
        await taker.wait_for(1)
        await _until(lambda: watcher.status.pending == 0)
    assert [p.name for p, _ in taker.taken] == ["top.json"]
    assert (inbox / "sub" / "deep.json").exists()


async def test_a_folder_that_vanishes_and_returns_resumes(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    taker = _Taker(tmp_path / "out")
    async with _watching(_folder(inbox, rescan=0.2), taker) as watcher:
        (inbox / "before.json").write_text("1")
        await taker.wait_for(1)
        shutil.rmtree(inbox)
        await _until(lambda: not watcher.status.reachable)
        assert "does not exist" in watcher.status.reason
        inbox.mkdir()
        (inbox / "after.json").write_text("2")
        await taker.wait_for(2)
        assert watcher.status.reachable
    assert [p.name for p, _ in taker.taken] == ["before.json", "after.json"]


async def test_a_folder_missing_at_start_is_reported_then_used(tmp_path: Path) -> None:
    inbox = tmp_path / "later"
    taker = _Taker(tmp_path / "out")
    async with _watching(_folder(inbox, rescan=0.2), taker) as watcher:
        await _until(lambda: not watcher.status.reachable)
        inbox.mkdir()
        (inbox / "x.json").write_text("x")
        await taker.wait_for(1)


async def test_the_unreachable_warning_names_the_real_retry_interval(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # rescan stays at its default (30 s); a folder that is gone is looked at every 5 s.
    caplog.set_level(logging.WARNING, logger="pywats_station._folders")
    async with _watching(_folder(tmp_path / "gone"), _Taker(tmp_path / "out")) as watcher:
        await _until(lambda: not watcher.status.reachable)
    warnings = [r.getMessage() for r in caplog.records if "unreachable" in r.getMessage()]
    assert warnings, caplog.text
    assert warnings[0].endswith("trying again every 5 s"), warnings[0]


async def test_polling_observer_takes_files(tmp_path: Path) -> None:
    inbox = tmp_path / "share"
    inbox.mkdir()
    taker = _Taker(tmp_path / "out")
    async with _watching(_folder(inbox, polling=True), taker) as watcher:
        await _until(lambda: watcher.status.watching == "polling")
        (inbox / "p.json").write_text("p")
        await taker.wait_for(1)


async def test_a_file_left_in_place_by_intake_is_offered_again(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "stuck.json").write_text("s")
    offers: list[Path] = []
    offered = asyncio.Event()

    async def leave_it(path: Path) -> None:  # e.g. the queue was full: nothing was settled
        offers.append(path)
        if len(offers) >= 2:
            offered.set()

    async with _watching(_folder(inbox, rescan=0.2), leave_it):
        await asyncio.wait_for(offered.wait(), WAIT)
    assert offers[:2] == [inbox / "stuck.json", inbox / "stuck.json"]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
