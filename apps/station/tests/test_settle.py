"""Letting go of source files: no overwrite, reasons beside Error files, cross-device moves."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

from pywats_station._folders import FolderSection
from pywats_station._settle import move_no_clobber, settle_converted, settle_failed

WHEN = datetime(2026, 12, 3, 10, 0, tzinfo=timezone.utc)


def _folder(path: Path, **options: object) -> FolderSection:
    return FolderSection.model_validate({"path": path, "converter": "atml", **options})


def test_archive_keeps_the_relative_path_and_the_report_ids(tmp_path: Path) -> None:
    inbox = tmp_path / "ict"
    (inbox / "line2").mkdir(parents=True)
    source = inbox / "line2" / "r.xml"
    source.write_text("<r/>")
    placed = settle_converted(
        _folder(inbox, recursive=True),
        source,
        archive_dir=tmp_path / "archive",
        converter="atml",
        report_ids=["id-1", "id-2"],
        now=WHEN,
    )
    assert placed == tmp_path / "archive" / "2026-12-03" / "ict" / "line2" / "r.xml"
    assert placed.read_text() == "<r/>"
    assert not source.exists()
    record = json.loads(Path(f"{placed}.reports.json").read_text())
    assert record["reports"] == ["id-1", "id-2"]
    assert record["converter"] == "atml"


def test_done_moves_into_the_folders_done_subfolder(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "a.json").write_text("a")
    placed = settle_converted(
        _folder(inbox, after="done"),
        inbox / "a.json",
        archive_dir=tmp_path / "archive",
        converter="wsjf",
        report_ids=["x"],
    )
    assert placed == inbox / "Done" / "a.json"


def test_delete_removes_the_file(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text("a")
    placed = settle_converted(
        _folder(tmp_path, after="delete"),
        tmp_path / "a.json",
        archive_dir=tmp_path / "archive",
        converter="wsjf",
        report_ids=[],
    )
    assert placed is None
    assert not (tmp_path / "a.json").exists()


def test_a_name_clash_never_overwrites(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    placed = []
    for content in ("first", "second", "third"):
        (inbox / "same.log").write_text(content)
        placed.append(
            settle_failed(
                _folder(inbox),
                inbox / "same.log",
                converter="gr228x",
                cause="conversion error",
                message="no serial",
                now=WHEN,
            )
        )
    assert [p.name for p in placed] == ["same.log", "same (1).log", "same (2).log"]
    assert [p.read_text() for p in placed] == ["first", "second", "third"]


def test_an_error_file_has_its_reason_beside_it(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "bad.xml").write_text("<r")
    placed = settle_failed(
        _folder(inbox),
        inbox / "bad.xml",
        converter="atml",
        cause="timeout",
        message="no answer within 60 s",
        now=WHEN,
    )
    reason = Path(f"{placed}.error.txt").read_text()
    assert placed == inbox / "Error" / "bad.xml"
    assert "converter: atml" in reason
    assert "cause: timeout" in reason
    assert "time: 2026-12-03T10:00:00+00:00" in reason
    assert "no answer within 60 s" in reason


@pytest.mark.skipif(not Path("/dev/shm").is_dir(), reason="no second file system (/dev/shm)")
def test_a_move_across_file_systems_copies_then_removes(tmp_path: Path) -> None:
    other = Path("/dev/shm") / f"pywats-settle-{os.getpid()}"
    other.mkdir()
    try:
        source = other / "r.xml"
        source.write_bytes(b"payload" * 1000)
        assert os.stat(other).st_dev != os.stat(tmp_path).st_dev
        (tmp_path / "r.xml").write_text("already there")
        placed = move_no_clobber(source, tmp_path / "r.xml")
        assert placed == tmp_path / "r (1).xml"
        assert placed.read_bytes() == b"payload" * 1000
        assert not source.exists()
        assert (tmp_path / "r.xml").read_text() == "already there"
    finally:
        for leftover in other.iterdir():
            leftover.unlink()
        other.rmdir()
