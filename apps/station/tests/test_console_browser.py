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
from console_support import ConsoleStation, register, write_report

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
    register(cli, fake_wats, station_home)
    running = ConsoleStation(station_home)
    try:
        yield running
    finally:
        running.stop()


def _vendor_present() -> bool:
    from pywats_station.web._app import vendor_assets

    return all(vendor_assets().values())


def test_a_submitted_report_shows_up_live_and_becomes_uploaded(
    chromium: Any, console: ConsoleStation, cli: Any, fake_wats: Any, tmp_path: Path
) -> None:
    if not _vendor_present():
        pytest.skip("htmx was not built into the package (npm unreachable at build time)")
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    dashboard = context.new_page()
    dashboard.goto(console.url + "/")
    queue = context.new_page()
    queue.goto(console.url + "/queue?state=ready")
    for page in (dashboard, queue):
        page.evaluate("window.__notReloaded = true")
    fake_wats.outage()  # held in the queue while the server is away
    path, report_id = write_report(tmp_path, "SN-LIVE")
    assert cli("submit", str(path)).returncode == 0
    expect = sync_api.expect
    expect(dashboard.locator("#depth-ready")).to_have_text("1", timeout=WAIT_MS)
    expect(queue.locator("#queue")).to_contain_text("SN-LIVE", timeout=WAIT_MS)
    fake_wats.end_outage()
    expect(dashboard.locator("#uploaded")).to_have_text("1", timeout=WAIT_MS)
    expect(dashboard.locator("#depth-ready")).to_have_text("0", timeout=WAIT_MS)
    expect(queue.locator("#queue")).not_to_contain_text("SN-LIVE", timeout=WAIT_MS)
    for page in (dashboard, queue):
        assert page.evaluate("window.__notReloaded") is True  # updated in place
    assert fake_wats.commits(report_id) == 1
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
    context.close()
