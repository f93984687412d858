"""The console's Files page and folder health, served by a real ``pywats-station run``
that watches a folder, against the fake WATS server over loopback."""

from __future__ import annotations

import asyncio
import re
import shutil
import sys
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import pywats_testing
from pywats_converters import StationInfo
from pywats_converters.runner import ContextInfo, Runner
from pywats_queue import AsyncQueue
from pywats_station._filelog import FileLog
from pywats_station._folders import FolderSection, FolderWatcher
from pywats_station._intake import Intake
from pywats_station._intake_service import IntakeService
from pywats_station.web import StationFiles

sys.path.insert(0, str(Path(__file__).parent))  # --import-mode=importlib: no implicit path
from console_support import (
    ConsoleStation,
    post_form,
    register,
    running_console,
    write_report,
)

CORRUPT = b'{"this is": not a report'


@pytest.fixture
def console(cli: Any, fake_wats: Any, station_home: Path) -> Iterator[ConsoleStation]:
    with running_console(cli, fake_wats, station_home) as running:
        yield running


def _handled(console: ConsoleStation, count: int) -> list[Any]:
    """Wait until files.db holds ``count`` records, each with the place its file went
    (noted just after the record is written); return them, oldest first."""
    records: list[Any] = console.wait_for(
        lambda: (
            len(found := console.records()) >= count and all(r.location for r in found) and found
        ),
        f"{count} file record(s)",
    )
    return records


def _drop_report(
    console: ConsoleStation, tmp_path: Path, sn: str, *, process_code: int = 10
) -> tuple[str, bytes]:
    path, report_id = write_report(tmp_path, sn, process_code=process_code)
    data = path.read_bytes()
    console.drop(path.name, data)
    return report_id, data


def _row(listing: str, record_id: int) -> str:
    row = re.search(rf'<tr id="file-{record_id}".*?</tr>', listing, re.DOTALL)
    assert row, f"no row for record {record_id}"
    return row.group(0)


def _log_text(console: ConsoleStation) -> str:
    return (console.home / "logs" / "station.log").read_text(encoding="utf-8")


def test_the_files_page_shows_each_file_with_its_outcome_and_reason(
    console: ConsoleStation, tmp_path: Path
) -> None:
    _drop_report(console, tmp_path, "SN-FILES-OK")
    good = _handled(console, 1)[0]
    console.drop("broken.json", CORRUPT)
    bad = _handled(console, 2)[1]
    assert (good.outcome, bad.outcome) == ("queued", "failed")

    status, _, listing = console.get("/files")
    assert status == 200
    row = _row(listing, good.id)
    assert "archived" in row
    assert "SN-FILES-OK.json" in row
    row = _row(listing, bad.id)
    assert "Error" in row
    assert "broken.json" in row
    assert "not a WSJF report" in row  # the first line of the reason

    status, _, detail = console.get(f"/files/{bad.id}")
    assert status == 200
    error_path = console.inbox / "Error" / "broken.json"
    assert error_path.is_file()
    assert str(error_path) in detail  # the Error path
    assert str(console.inbox / "broken.json") in detail  # the source path
    reason = (console.inbox / "Error" / "broken.json.error.txt").read_text()
    assert "cause:" in reason
    shown = re.search(r'<pre class="reason" id="file-reason">(.*?)</pre>', detail, re.DOTALL)
    assert shown
    assert "cause: conversion error" in shown.group(1)
    assert "converter: wsjf" in shown.group(1)
    assert "Reconvert" in detail
    assert "Requeue" not in detail

    status, _, archived = console.get(f"/files/{good.id}")
    assert status == 200
    assert good.location in archived
    assert good.reports[0] in archived


def test_the_files_page_filters_by_folder_and_outcome_and_pages(
    console: ConsoleStation, tmp_path: Path, cli: Any
) -> None:
    _drop_report(console, tmp_path, "SN-PAGE-1")
    _handled(console, 1)
    console.drop("broken.json", CORRUPT)
    _handled(console, 2)
    submitted, _ = write_report(tmp_path, "SN-SUBMITTED")
    assert cli("submit", str(submitted)).returncode == 0
    records = _handled(console, 3)
    inbox = urllib.parse.quote(str(console.inbox), safe="")

    def ids(body: str) -> set[int]:
        return {int(i) for i in re.findall(r'<tr id="file-(\d+)"', body)}

    assert ids(console.get("/files")[2]) == {r.id for r in records}
    in_folder = ids(console.get(f"/files?folder={inbox}")[2])
    assert in_folder == {r.id for r in records if r.folder == str(console.inbox)}
    assert len(in_folder) == 2
    failed = ids(console.get(f"/files?folder={inbox}&outcome=failed")[2])
    assert failed == {r.id for r in records if r.outcome == "failed"}

    first = console.get("/files?limit=2")[2]
    assert ids(first) == {records[2].id, records[1].id}  # newest first
    assert "3 in all" in first
    following = re.search(r'href="(/files\?[^"]*offset=2[^"]*)">next<', first)
    assert following
    second = console.get(following.group(1).replace("&amp;", "&"))[2]
    assert ids(second) == {records[0].id}
    assert ">next<" not in second


def test_reconvert_of_a_fixed_error_file_delivers_its_reports_once(
    console: ConsoleStation, tmp_path: Path, fake_wats: Any
) -> None:
    good, report_id = write_report(tmp_path, "SN-FIXED")
    console.drop("SN-FIXED.json", CORRUPT)
    bad = _handled(console, 1)[0]
    assert bad.outcome == "failed"
    # The operator repairs the file where it lies, in Error/, and reconverts it.
    Path(bad.location).write_bytes(good.read_bytes())
    status, headers, body = post_form(console, f"/files/{bad.id}/reconvert", {})
    assert status == 303, body
    new = _handled(console, 2)[1]
    assert dict(headers)["location"] == f"/files/{new.id}?done=reconverted"
    assert new.outcome == "queued"
    assert new.reports == (report_id,)
    console.wait_for(lambda: fake_wats.commits(report_id) == 1, "the report stored")
    detail = console.get(f"/files/{new.id}")[2]
    assert "archived" in detail
    assert "delivered" in detail
    assert f"reconverted SN-FIXED.json (record {bad.id}) as record {new.id}" in _log_text(console)

    # Reconverting the archived file again queues nothing new: the queue knows the key.
    status, _, body = post_form(console, f"/files/{new.id}/reconvert", {})
    assert status == 303, body
    again = _handled(console, 3)[2]
    assert again.items == new.items
    console.wait_for(
        lambda: (
            'id="depth-ready">0<' in (d := console.get("/fragments/dashboard")[2])
            and 'id="depth-leased">0<' in d
        ),
        "nothing left to send",
    )
    assert fake_wats.commits(report_id) == 1


def test_reconvert_is_refused_when_the_file_is_gone_from_the_archive(
    console: ConsoleStation, tmp_path: Path
) -> None:
    _drop_report(console, tmp_path, "SN-GONE")
    record = _handled(console, 1)[0]
    Path(record.location).unlink()  # someone cleaned the archive
    status, _, body = post_form(console, f"/files/{record.id}/reconvert", {})
    assert status == 409
    assert f"reconvert refused: file record {record.id}: the file is no longer at" in body
    assert "nothing changed" in body
    assert len(console.records()) == 1
    assert f"reconvert of file record {record.id} refused" in _log_text(console)


def test_requeue_sends_a_files_dead_letters_again(
    console: ConsoleStation, tmp_path: Path, fake_wats: Any
) -> None:
    report_id, _ = _drop_report(console, tmp_path, "SN-REQUEUE", process_code=4242)
    record = _handled(console, 1)[0]
    console.wait_for(
        lambda: "Requeue" in console.get(f"/files/{record.id}")[2], "its report dead-lettered"
    )
    fake_wats.state.processes.append(pywats_testing.Process(code=4242, name="New line"))
    status, headers, body = post_form(console, f"/files/{record.id}/requeue", {})
    assert status == 303, body
    assert dict(headers)["location"] == f"/files/{record.id}?done=requeued"
    console.wait_for(lambda: fake_wats.commits(report_id) == 1, "the requeued report stored")
    assert f"requeued 1 report(s) of SN-REQUEUE.json (record {record.id})" in _log_text(console)


def test_requeue_of_a_failed_file_is_refused_with_the_reason(console: ConsoleStation) -> None:
    console.drop("broken.json", CORRUPT)
    record = _handled(console, 1)[0]
    status, _, body = post_form(console, f"/files/{record.id}/requeue", {})
    assert status == 409
    assert "requeue refused" in body
    assert "produced no reports" in body


def test_an_action_on_an_unknown_record_is_404(console: ConsoleStation) -> None:
    status, _, _ = post_form(console, "/files/999/reconvert", {})
    assert status == 404
    assert console.get("/files/999")[0] == 404


@pytest.mark.parametrize("action", ["reconvert", "requeue"])
def test_a_file_action_without_the_csrf_token_is_403(console: ConsoleStation, action: str) -> None:
    status, _, _ = post_form(console, f"/files/1/{action}", {}, token=None)
    assert status == 403


def test_the_dashboard_shows_each_folder_with_its_last_file(
    console: ConsoleStation, tmp_path: Path
) -> None:
    _drop_report(console, tmp_path, "SN-DASH")
    record = _handled(console, 1)[0]

    def folder_row() -> str:
        body = console.get("/fragments/dashboard")[2]
        row = re.search(r'<tr class="state-ok" data-folder="[^"]*inbox">.*?</tr>', body, re.S)
        return row.group(0) if row else ""

    row = console.wait_for(
        lambda: f'href="/files/{record.id}"' in (found := folder_row()) and found,
        "the folder's last file on the dashboard",
    )
    assert "reachable since" in row
    assert "SN-DASH.json" in row
    assert "archived" in row
    assert re.search(r'class="folder-waiting">0', row)


def test_an_unreachable_folder_degrades_health_with_the_reason_until_it_is_back(
    console: ConsoleStation,
) -> None:
    console.wait_for(lambda: console.health()["status"] == "ok", "healthy at start")
    away = console.inbox.with_name("inbox-away")
    console.inbox.rename(away)
    try:
        health = console.wait_for(
            lambda: (h := console.health())["status"] == "degraded" and h, "degraded"
        )
        reason = next(r for r in health["reasons"] if r.startswith("folder "))
        assert str(console.inbox) in reason
        assert "unreachable" in reason
        assert "does not exist" in reason
        assert console.get("/health")[0] == 503
        dashboard = console.get("/fragments/dashboard")[2]
        assert 'class="state-unreachable"' in dashboard
    finally:
        if away.exists():
            shutil.move(str(away), str(console.inbox))
    console.wait_for(lambda: console.health()["status"] == "ok", "healthy again")


def test_a_folder_whose_converter_is_missing_is_shown_not_watched_and_degrades_health(
    cli: Any, fake_wats: Any, station_home: Path, tmp_path: Path
) -> None:
    register(cli, fake_wats, station_home)
    line2 = tmp_path / "line2"
    line2.mkdir()
    with (station_home / "station.toml").open("a") as config:
        config.write(f'\n[[folders]]\npath = "{line2}"\nconverter = "no-such-converter"\n')
    running = ConsoleStation(station_home)
    try:
        health = running.wait_for(
            lambda: (h := running.health())["status"] == "degraded" and h, "degraded"
        )
        reason = next(r for r in health["reasons"] if r.startswith(f"folder {line2}"))
        assert "not watched" in reason
        assert "no-such-converter" in reason
        assert "not installed" in reason
        dashboard = running.get("/fragments/dashboard")[2]
        assert f'class="state-not-watched" data-folder="{line2}"' in dashboard
        assert 'class="state-ok" data-folder="' in dashboard  # the inbox is watched
    finally:
        running.stop()


@pytest.mark.anyio
async def test_a_file_still_settling_is_shown_in_progress(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    folder = FolderSection(path=inbox, converter="wsjf", settle=3600.0, rescan=0.2)
    queue = await AsyncQueue.open(f"sqlite:{tmp_path / 'queue.db'}")
    runner = Runner(workers=1)
    file_log = FileLog(tmp_path / "files.db")
    intake = Intake(
        queue=queue,
        runner=runner,
        context=ContextInfo(station=StationInfo("ST-1")),
        file_log=file_log,
        archive_dir=tmp_path / "archive",
    )
    watcher = FolderWatcher(folder, lambda path: intake.take(folder, path))
    service = IntakeService(intake=intake, file_log=file_log, runner=runner, watchers=[watcher])
    files = StationFiles(service, queue=queue, archive_dir=tmp_path / "archive")
    task = asyncio.create_task(watcher.run())
    try:
        (inbox / "uut.json").write_text("{}")
        deadline = time.monotonic() + 60
        # The watcher publishes no event for this: look until it has seen the file.
        while not files.pending() and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        page = await files.page(folder="", outcome="", offset=0, limit=10)
        assert [(p.name, p.state) for p in page.pending] == [("uut.json", "waiting")]
        assert page.rows == []
        (view,) = files.folder_views()
        assert view.state == "ok"
        assert view.waiting == 1
        assert view.oldest_waiting is not None
        assert view.last_record is None
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await asyncio.to_thread(runner.close)
        file_log.close()
        await queue.close()
