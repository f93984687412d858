"""The Converters page of a real ``pywats-station run``: installed converters with their
status and last results, and a watched folder's settings edited through its form."""

from __future__ import annotations

import html
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # --import-mode=importlib: no implicit path
from console_support import ConsoleStation, post_form, raw, register
from converters_support import converter_station, drop


@pytest.fixture
def line_folder(cli: Any, fake_wats: Any, station_home: Path, tmp_path: Path) -> Path:
    register(cli, fake_wats, station_home)
    return converter_station(station_home, tmp_path)


@pytest.fixture
def console(line_folder: Path, station_home: Path) -> Iterator[ConsoleStation]:
    running = ConsoleStation(station_home)
    try:
        yield running
    finally:
        running.stop()


def _row(body: str, name: str) -> str:
    found = re.search(rf'<tr id="converter-{re.escape(name)}">(.*?)</tr>', body, re.DOTALL)
    assert found, f"no row for {name}"
    return html.unescape(found.group(1))


def test_every_installed_converter_is_listed_with_version_api_and_status(
    console: ConsoleStation, line_folder: Path
) -> None:
    from pywats_converters import __version__

    status, _, body = console.get("/converters")
    assert status == 200
    atml = _row(body, "atml")
    assert __version__ in atml
    assert "pywats-converters" in atml
    assert "<td>1</td>" in atml
    assert ">ok<" in atml
    line = _row(body, "line")
    assert "[intake.converters]" in line
    assert ">ok<" in line
    assert str(line_folder) in line  # which folders use it
    future = _row(body, "future")
    assert "incompatible" in future
    assert "converter API 99" in future
    broken = _row(body, "broken")
    assert "import failed" in broken
    assert "pywats_no_such_module" in broken


def test_last_results_count_what_each_converter_did(
    console: ConsoleStation, line_folder: Path
) -> None:
    drop(line_folder, "SN-GOOD")
    (line_folder / "bad.line").write_text("only-one-field\n")  # the converter raises
    console.wait_for(
        lambda: "1 queued, 1 failed" in _row(console.get("/converters")[2], "line"),
        "one file queued and one failed, counted",
    )
    row = _row(console.get("/converters")[2], "line")
    assert "bad.line" in row  # the last failure, in the runner's words


def test_the_form_shows_the_converters_own_settings_and_the_folders_values(
    console: ConsoleStation,
) -> None:
    body = console.get("/converters")[2]
    form = body[body.index('id="folder-0"') :]
    assert 'name="s.part_number" value="PN-OLD"' in form
    assert "Part number of every report." in form  # the model's own description
    assert 'placeholder="default: 10"' in form  # process_code, unset: its default
    assert '<option value="careful"' in form  # a Literal: its choices
    assert '<option value="true"' in form
    assert '<option value="false"' in form


def test_a_setting_saved_through_the_form_is_written_logged_and_used_for_the_next_file(
    console: ConsoleStation, fake_wats: Any, line_folder: Path, station_home: Path
) -> None:
    config = station_home / "station.toml"
    before = config.read_text()
    status, headers, body = post_form(
        console,
        "/converters/folders/0",
        {"path": str(line_folder), "s.part_number": "PN-NEW", "s.process_code": "10"},
    )
    assert status == 303, body
    assert "outcome=saved" in dict(headers)["location"]
    assert (station_home / "station.toml.bak").read_text() == before
    saved = config.read_text()
    assert 'part_number = "PN-NEW"' in saved
    assert "process_code = 10" in saved  # typed as the model wants: an integer
    shown = console.get(dict(headers)["location"])[2]
    assert 'name="s.part_number" value="PN-NEW"' in shown
    assert "uses the new settings from its next file" in shown
    log = (station_home / "logs" / "station.log").read_text()
    assert "settings.part_number: 'PN-OLD' -> 'PN-NEW'" in log
    report_id = drop(line_folder, "SN-AFTER")  # no restart: the running folder uses them
    console.wait_for(lambda: fake_wats.report(report_id) is not None, "the report stored")
    assert fake_wats.report(report_id)["pn"] == "PN-NEW"


def test_bad_values_are_refused_one_message_per_key_and_nothing_is_written(
    console: ConsoleStation, line_folder: Path, station_home: Path
) -> None:
    config = station_home / "station.toml"
    before = config.read_bytes()
    status, _, body = post_form(
        console,
        "/converters/folders/0",
        {
            "path": str(line_folder),
            "s.part_number": "PN-NEVER",
            "s.process_code": "0",
            "s.speed": "slow",
        },
    )
    assert status == 422
    problems = re.findall(r'<li class="error">([^<]*)</li>', body)
    assert sorted(p.split(":")[0] for p in problems) == ["process_code", "speed"], problems
    assert 'value="PN-NEVER"' in body  # what was typed is shown again
    assert config.read_bytes() == before
    assert not (station_home / "station.toml.bak").exists()


def test_a_folder_form_posted_for_a_changed_folder_list_is_refused(
    console: ConsoleStation, line_folder: Path, station_home: Path
) -> None:
    before = (station_home / "station.toml").read_bytes()
    status, _, body = post_form(
        console, "/converters/folders/0", {"path": "/elsewhere", "s.part_number": "PN-X"}
    )
    assert status == 422
    assert "reload the page" in body
    status, _, body = post_form(
        console, "/converters/folders/7", {"path": str(line_folder), "s.part_number": "PN-X"}
    )
    assert status == 422
    assert "reload the page" in body  # said even though there is no folder 7 to say it at
    assert (station_home / "station.toml").read_bytes() == before


def test_a_folder_refused_at_start_is_fixed_through_its_form_and_a_restart_is_asked_for(
    console: ConsoleStation, station_home: Path, tmp_path: Path
) -> None:
    body = html.unescape(console.get("/converters")[2])
    misconfigured = body[body.index('id="folder-1"') : body.index('id="folder-2"')]
    assert "not watched: converter 'line': process_code:" in misconfigured
    future = body[body.index('id="folder-2"') :]
    assert "cannot be edited" in future
    assert "<form" not in future.split("</section>")[0]
    status, headers, _ = post_form(
        console,
        "/converters/folders/1",
        {"path": str(tmp_path / "misconfigured"), "s.process_code": ""},  # back to the default
    )
    assert status == 303
    assert "process_code" not in (station_home / "station.toml").read_text()
    shown = console.get(dict(headers)["location"])[2]
    assert "restart the station to use them" in shown


def test_a_config_file_broken_by_hand_is_reported_and_not_overwritten(
    console: ConsoleStation, line_folder: Path, station_home: Path
) -> None:
    config = station_home / "station.toml"
    broken = config.read_text() + "\n[[folders]]\npath = \n"  # not TOML any more
    config.write_text(broken)
    body = console.get("/converters")[2]
    assert "station.toml:" in body
    assert "Folder settings" in body
    status, _, body = post_form(
        console, "/converters/folders/0", {"path": str(line_folder), "s.part_number": "PN-X"}
    )
    assert status == 422
    assert "station.toml:" in body
    assert config.read_text() == broken


@pytest.mark.parametrize("token", [None, "wrong"])
def test_saving_settings_without_the_csrf_token_is_403(
    console: ConsoleStation, line_folder: Path, station_home: Path, token: str | None
) -> None:
    before = (station_home / "station.toml").read_bytes()
    form = f"path={line_folder}&s.part_number=PN-CSRF" + (f"&_csrf_token={token}" if token else "")
    status, _, _ = raw(
        console.url,
        "POST",
        "/converters/folders/0",
        {"Host": "localhost", "Content-Type": "application/x-www-form-urlencoded"},
        form,
    )
    assert status == 403
    assert (station_home / "station.toml").read_bytes() == before
