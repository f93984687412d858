"""The console in a real browser: Playwright driving Debian's chromium (never a
downloaded browser). Few and focused: each test is a whole operator story."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # --import-mode=importlib: no implicit path
from console_support import ConsoleStation, register, running_console, write_report
from converters_support import converter_station, drop

pytestmark = pytest.mark.browser

sync_api = pytest.importorskip("playwright.sync_api")
import pywats_testing  # noqa: E402

CHROMIUM = os.environ.get("PYWATS_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
WAIT_MS = 120_000  # a busy machine: generous


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    if not (os.path.isfile(CHROMIUM) or shutil.which(CHROMIUM)):
        pytest.skip(f"no chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def console(cli: Any, fake_wats: Any, station_home: Path) -> Iterator[ConsoleStation]:
    with running_console(cli, fake_wats, station_home) as running:
        yield running


@pytest.fixture
def line_console(
    cli: Any, fake_wats: Any, station_home: Path, tmp_path: Path
) -> Iterator[tuple[ConsoleStation, Path]]:
    """A station watching one folder whose converter has settings (converters_support)."""
    register(cli, fake_wats, station_home)
    folder = converter_station(station_home, tmp_path)
    running = ConsoleStation(station_home)
    try:
        yield running, folder
    finally:
        running.stop()


def _vendor_present() -> bool:
    from pywats_station.web._app import vendor_assets

    return all(vendor_assets().values())


def test_a_dropped_file_shows_up_live_and_becomes_uploaded(
    chromium: Any, console: ConsoleStation, fake_wats: Any, tmp_path: Path
) -> None:
    if not _vendor_present():
        pytest.skip("htmx was not built into the package (npm unreachable at build time)")
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    dashboard = context.new_page()
    dashboard.goto(console.url + "/")
    queue = context.new_page()
    queue.goto(console.url + "/queue?state=ready")
    files = context.new_page()
    files.goto(console.url + "/files")
    pages = (dashboard, queue, files)
    for page in pages:
        page.evaluate("window.__notReloaded = true")
    fake_wats.outage()  # held in the queue while the server is away
    path, report_id = write_report(tmp_path, "SN-LIVE")
    console.drop(path.name, path.read_bytes())  # into the watched folder
    expect = sync_api.expect
    expect(dashboard.locator("#depth-ready")).to_have_text("1", timeout=WAIT_MS)
    folder_row = dashboard.locator("tr[data-folder]")
    expect(folder_row).to_contain_text("SN-LIVE.json", timeout=WAIT_MS)  # last file taken
    expect(folder_row).to_contain_text("archived", timeout=WAIT_MS)
    expect(queue.locator("#queue")).to_contain_text("SN-LIVE", timeout=WAIT_MS)
    expect(files.locator("#files")).to_contain_text("SN-LIVE.json", timeout=WAIT_MS)
    fake_wats.end_outage()
    expect(dashboard.locator("#uploaded")).to_have_text("1", timeout=WAIT_MS)
    expect(dashboard.locator("#depth-ready")).to_have_text("0", timeout=WAIT_MS)
    expect(queue.locator("#queue")).not_to_contain_text("SN-LIVE", timeout=WAIT_MS)
    for page in pages:
        assert page.evaluate("window.__notReloaded") is True  # updated in place
    assert fake_wats.commits(report_id) == 1
    context.close()


def _error_file_fixed(console: ConsoleStation, tmp_path: Path, sn: str) -> tuple[Any, str]:
    """A file that failed (in Error/), then repaired there by the operator."""
    console.drop(f"{sn}.json", b"{ not a report")
    record = console.wait_for(
        lambda: next(
            (r for r in console.records() if r.source.endswith(f"{sn}.json") and r.location),
            None,
        ),
        "the file handled",
    )
    assert record.outcome == "failed"
    good, report_id = write_report(tmp_path, sn)
    Path(record.location).write_bytes(good.read_bytes())
    return record, report_id


def test_a_fixed_error_file_is_reconverted_from_the_files_page_and_delivered_once(
    chromium: Any, console: ConsoleStation, fake_wats: Any, tmp_path: Path
) -> None:
    if not _vendor_present():
        pytest.skip("htmx was not built into the package (npm unreachable at build time)")
    record, report_id = _error_file_fixed(console, tmp_path, "SN-RECONVERT")
    context = chromium.new_context()
    page = context.new_page()
    page.goto(console.url + "/files?outcome=failed")
    row = page.locator(f"#file-{record.id}")
    sync_api.expect(row).to_contain_text("Error")
    row.get_by_role("link", name="SN-RECONVERT.json").click()
    sync_api.expect(page.locator("#file-reason")).to_contain_text("cause:")
    page.evaluate("window.__notReloaded = true")
    page.get_by_role("button", name="Reconvert").click()
    message = page.locator("#file-message")
    sync_api.expect(message).to_contain_text("1 report(s) queued", timeout=WAIT_MS)
    sync_api.expect(page.locator("#file-outcome")).to_have_text("archived")
    assert page.evaluate("window.__notReloaded") is True  # swapped in place by htmx
    console.wait_for(lambda: fake_wats.commits(report_id) == 1, "the report stored")
    page.get_by_role("button", name="Reconvert").click()  # the archived file, again
    sync_api.expect(message).to_contain_text(f"as record {record.id + 2}", timeout=WAIT_MS)
    sync_api.expect(page.locator(".report-state")).to_have_text("delivered", timeout=WAIT_MS)
    assert fake_wats.commits(report_id) == 1  # the queue knew the report: nothing resent
    context.close()


def _dead_letter(console: ConsoleStation, cli: Any, tmp_path: Path) -> str:
    path, report_id = write_report(tmp_path, "SN-DEAD", process_code=4242)
    assert cli("submit", str(path)).returncode == 0
    console.wait_for(
        lambda: 'id="depth-dead">1<' in console.get("/fragments/dashboard")[2], "a dead letter"
    )
    return report_id


def test_a_dead_letter_is_retried_from_the_queue_page_and_delivered(
    chromium: Any, console: ConsoleStation, cli: Any, fake_wats: Any, tmp_path: Path
) -> None:
    report_id = _dead_letter(console, cli, tmp_path)
    fake_wats.state.processes.append(pywats_testing.Process(code=4242, name="New line"))
    context = chromium.new_context()
    page = context.new_page()
    page.goto(console.url + "/queue?state=dead")
    row = page.locator("tr", has_text="SN-DEAD")
    sync_api.expect(row).to_contain_text("4242", timeout=WAIT_MS)  # the server's words
    row.locator("input[name=ids]").check()
    page.get_by_role("button", name="Retry selected").click()
    sync_api.expect(page.locator("#queue")).to_contain_text("retry: 1 done", timeout=WAIT_MS)
    console.wait_for(lambda: fake_wats.commits(report_id) == 1, "the retried report stored")
    context.close()


def test_the_pages_work_without_javascript(
    chromium: Any, console: ConsoleStation, cli: Any, fake_wats: Any, tmp_path: Path
) -> None:
    report_id = _dead_letter(console, cli, tmp_path)
    fake_wats.state.processes.append(pywats_testing.Process(code=4242, name="New line"))
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(console.url + "/")
    sync_api.expect(page.locator("#depth-dead")).to_have_text("1")
    page.goto(console.url + "/log?level=WARNING")
    sync_api.expect(page.locator("h1")).to_have_text("Station log")
    page.goto(console.url + "/queue?state=dead")
    page.get_by_role("link", name="dead (1)").click()  # plain links
    page.fill("input[name=q]", "SN-DEAD")
    page.get_by_role("button", name="Filter").click()  # a plain GET form
    assert "q=SN-DEAD" in page.url
    page.locator("tr", has_text="SN-DEAD").locator("a").first.click()
    sync_api.expect(page.locator("#item-state")).to_have_text("dead")
    page.get_by_role("button", name="Retry").click()  # a plain POST form with its token
    assert page.url.endswith("/queue?state=dead")
    console.wait_for(lambda: fake_wats.commits(report_id) == 1, "the retried report stored")
    # The Files page: a GET filter form, a file's detail, reconvert as a plain POST form.
    record, fixed_id = _error_file_fixed(console, tmp_path, "SN-NOJS")
    page.goto(console.url + "/files")
    page.select_option("select[name=folder]", str(console.inbox))
    page.select_option("select[name=outcome]", "failed")
    page.get_by_role("button", name="Show").click()
    assert "outcome=failed" in page.url
    page.locator(f"#file-{record.id}").get_by_role("link", name="SN-NOJS.json").click()
    sync_api.expect(page.locator("#file-reason")).to_contain_text("cause:")
    page.get_by_role("button", name="Reconvert").click()
    assert "?done=reconverted" in page.url  # the new record's page
    sync_api.expect(page.locator("#file-outcome")).to_have_text("archived")
    console.wait_for(lambda: fake_wats.commits(fixed_id) == 1, "the reconverted report stored")
    # The Converters page: the inbox folder's converter settings, a plain POST form.
    page.get_by_role("link", name="Converters").click()
    sync_api.expect(page.locator("#converter-wsjf")).to_contain_text("ok")
    page.locator("#f0-normalize").select_option("true")
    page.locator("#folder-0").get_by_role("button", name="Save settings").click()
    sync_api.expect(page.get_by_role("status")).to_contain_text("saved")
    assert "normalize = true" in (console.home / "station.toml").read_text()
    context.close()


def test_a_converter_setting_is_changed_through_the_form_and_a_bad_value_is_refused(
    chromium: Any, line_console: tuple[ConsoleStation, Path], fake_wats: Any, station_home: Path
) -> None:
    console, folder = line_console
    config = station_home / "station.toml"
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(console.url + "/converters")
    expect = sync_api.expect
    form = page.locator("#folder-0")
    expect(form.locator("#f0-part_number")).to_have_value("PN-OLD")
    # A bad value: refused by the converter's own model, naming the key; nothing written.
    before = config.read_bytes()
    form.locator("#f0-process_code").fill("0")
    form.locator("#f0-part_number").fill("PN-REFUSED")
    form.get_by_role("button", name="Save settings").click()
    alert = page.locator("#folder-0 [role=alert]")
    expect(alert).to_contain_text("process_code", timeout=WAIT_MS)
    expect(alert.locator("li")).to_have_count(1)
    expect(page.locator("#f0-part_number")).to_have_value("PN-REFUSED")  # kept for fixing
    assert config.read_bytes() == before
    # Fixed and saved: written, shown, and used by the running station for the next file.
    page.locator("#f0-process_code").fill("10")
    page.locator("#f0-part_number").fill("PN-BROWSER")
    page.locator("#f0-speed").select_option("careful")
    page.locator("#folder-0").get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("status")).to_contain_text("next file", timeout=WAIT_MS)
    expect(page.locator("#f0-part_number")).to_have_value("PN-BROWSER")
    expect(page.locator("#f0-speed")).to_have_value("careful")
    saved = config.read_text()
    assert 'part_number = "PN-BROWSER"' in saved
    assert 'speed = "careful"' in saved
    assert (station_home / "station.toml.bak").read_bytes() == before
    report_id = drop(folder, "SN-BROWSER")
    console.wait_for(lambda: fake_wats.report(report_id) is not None, "the report stored")
    assert fake_wats.report(report_id)["pn"] == "PN-BROWSER"
    context.close()
