"""Hostile input to the record of handled files (``files.db``): ids and offsets beyond
SQLite's integer range, and a damaged database file, give clear answers, never an
internal error."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from pywats_station import resolve_home
from pywats_station._filelog import FileLog, FileLogError

sys.path.insert(0, str(Path(__file__).parent))  # --import-mode=importlib: no implicit path
from console_support import post_form, register, running_console

TOO_BIG = 2**63  # one past SQLite's largest integer
DAMAGED = b"this is not an SQLite database" * 100


@pytest.fixture
def file_log(tmp_path: Path) -> Any:
    log = FileLog(tmp_path / "files.db")
    log.add(folder="/in", source=Path("/in/a.json"), converter="wsjf", outcome="queued")
    yield log
    log.close()


@pytest.mark.parametrize("record_id", [TOO_BIG, -TOO_BIG - 1, 10**30])
def test_a_record_id_beyond_sqlites_range_is_simply_not_there(
    file_log: FileLog, record_id: int
) -> None:
    assert file_log.get(record_id) is None


@pytest.mark.parametrize(("limit", "offset"), [(TOO_BIG, 0), (10, TOO_BIG), (10**30, 10**30)])
def test_a_limit_or_offset_beyond_sqlites_range_is_clamped(
    file_log: FileLog, limit: int, offset: int
) -> None:
    expected = 1 if offset == 0 else 0
    assert len(file_log.recent(limit=limit, offset=offset)) == expected


def test_a_damaged_files_db_is_named_with_the_way_out(tmp_path: Path) -> None:
    path = tmp_path / "files.db"
    path.write_bytes(DAMAGED)
    with pytest.raises(FileLogError) as caught:
        FileLog(path)
    message = str(caught.value)
    assert str(path) in message
    assert "move it aside" in message
    assert path.read_bytes() == DAMAGED  # nothing changed


def test_files_commands_name_a_damaged_files_db(cli: Any, station_home: Path) -> None:
    path = resolve_home(station_home).data_dir / "files.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(DAMAGED)
    for args in (("files", "list"), ("files", "show", "1")):
        result = cli(*args)
        assert result.returncode == 1, result
        assert "unexpected error" not in result.stderr
        assert str(path) in result.stderr
        assert "Traceback" not in result.stdout + result.stderr


def test_files_show_of_an_id_beyond_range_is_not_found(cli: Any) -> None:
    result = cli("files", "show", str(TOO_BIG))
    assert result.returncode == 3, result
    assert f"no file record {TOO_BIG}" in result.stderr


def test_run_with_a_damaged_files_db_stops_with_the_file_named(
    cli: Any, fake_wats: Any, station_home: Path
) -> None:
    register(cli, fake_wats, station_home)
    home = resolve_home(station_home)
    path = home.data_dir / "files.db"
    path.write_bytes(DAMAGED)
    result = cli("run", timeout=120)
    assert result.returncode == 1, result
    assert "unexpected error" not in result.stderr
    assert str(path) in result.stderr
    assert "running as" not in result.stdout  # it never claimed to run
    assert cli("status").returncode == 0  # the lock was released


def test_the_files_and_queue_pages_answer_ids_and_offsets_beyond_range(
    cli: Any, fake_wats: Any, station_home: Path
) -> None:
    with running_console(cli, fake_wats, station_home) as console:
        assert console.get(f"/files/{TOO_BIG}")[0] == 404
        for path in (f"/files?offset={TOO_BIG}", f"/fragments/files?offset={10**30}"):
            status, _, body = console.get(path)
            assert status == 200, body
            assert "0 in all" in body
        for path in (f"/queue?offset={TOO_BIG}", f"/fragments/queue?state=ready&offset={10**30}"):
            assert console.get(path)[0] == 200, path
        for action in ("reconvert", "requeue"):
            status, _, body = post_form(console, f"/files/{TOO_BIG}/{action}", {})
            assert status == 404, body
            assert f"no file record {TOO_BIG}" in body
