"""Screenshots of every console page at 1280x800, for reviewers (``nox -s screenshots``).

A fake WATS server, a registered station with some delivered reports, one waiting in the
queue and one dead letter; Playwright drives Debian's chromium (``PYWATS_CHROMIUM``,
default /usr/bin/chromium; never a downloaded browser). Writes ``screenshots/*.png``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

from pywats.report import UUTBuilder, dumps_wsjf
from pywats_testing import FakeWatsServer

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "screenshots"
CHROMIUM = os.environ.get("PYWATS_CHROMIUM", "/usr/bin/chromium")
TOML = """
[connection]
probe_interval = 0.5
[console]
port = 0
[[folders]]
path = {inbox}
converter = "wsjf"
include = ["*.json"]
settle = 0.3
"""


def report_file(directory: Path, sn: str, process_code: int = 10) -> tuple[Path, str]:
    builder = UUTBuilder(
        pn="PN-SHOT",
        sn=sn,
        rev="A",
        process_code=process_code,
        machine_name="ST-1",
        location="Lab",
        purpose="Test",
    )
    builder.root.numeric("Voltage", 5.01, "GELE", low=4.9, high=5.1, unit="V")
    report = builder.build()
    path = directory / f"{sn}.json"
    path.write_bytes(dumps_wsjf(report))
    return path, str(report.id)


def main() -> int:
    if not Path(CHROMIUM).is_file():
        print(f"no chromium at {CHROMIUM}: apt-get install chromium", file=sys.stderr)
        return 1
    OUT.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYWATS_")}
    with FakeWatsServer(seed=3) as fake, tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        inbox = Path(tmp) / "inbox"
        inbox.mkdir()
        (home / "station.toml").write_text(TOML.format(inbox=json.dumps(str(inbox))))
        station = [sys.executable, "-m", "pywats_station", "--home", str(home)]
        subprocess.run(
            [
                *station,
                "register",
                "--url",
                fake.url,
                "--identifier",
                "SHOT-1",
                "--key-store",
                "file",
            ],
            env={**env, "PYWATS_REGISTRATION_TOKEN": fake.registration_token},
            check=True,
            capture_output=True,
        )
        files = [str(report_file(Path(tmp), f"SN-{n:03d}")[0]) for n in range(12)]
        files.append(str(report_file(Path(tmp), "SN-DEAD", process_code=4242)[0]))
        subprocess.run([*station, "submit", *files], env=env, check=True, capture_output=True)
        # The watched folder: files taken at start, one of them in Error/ with its reason.
        for n in range(3):
            dropped = report_file(Path(tmp), f"SN-DROP-{n}")[0]
            dropped.rename(inbox / dropped.name)
        (inbox / "truncated.json").write_bytes(b'{"pn": "PN-SHOT", "sn": ')
        run = subprocess.Popen(
            [*station, "run"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        try:
            assert run.stdout is not None
            url = ""
            while not url:
                line = run.stdout.readline()
                if not line:
                    raise SystemExit("the station stopped before its console started")
                if found := re.search(r"console at (http://\S+)", line):
                    url = found.group(1).rstrip("/")
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                with urllib.request.urlopen(url + "/fragments/dashboard") as answer:
                    dashboard = answer.read().decode()
                with urllib.request.urlopen(url + "/fragments/files") as answer:
                    handled = answer.read().decode().split("<h2>Handled", 1)[-1]
                dropped = ["truncated.json", *(f"SN-DROP-{n}.json" for n in range(3))]
                if 'id="depth-dead">1<' in dashboard and all(d in handled for d in dropped):
                    break
                time.sleep(0.2)
            fake.outage()  # one report waits in the queue, the breaker opens
            subprocess.run(
                [*station, "submit", str(report_file(Path(tmp), "SN-WAITING")[0])],
                env=env,
                check=True,
                capture_output=True,
            )
            deadline = time.monotonic() + 60  # until the dashboard shows the breaker open
            while time.monotonic() < deadline:
                with urllib.request.urlopen(url + "/fragments/dashboard") as answer:
                    if 'id="breaker">closed<' not in answer.read().decode():
                        break
                time.sleep(0.2)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM,
                    args=[
                        "--headless",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-background-networking",
                    ],
                )
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                pages = {
                    "dashboard": "/",
                    "queue-ready": "/queue?state=ready",
                    "queue-dead": "/queue?state=dead",
                    "files": "/files",
                    "converters": "/converters",
                    "converters-folder": "/converters#folder-0",
                    "log": "/log?level=INFO",
                }
                for name, path in pages.items():
                    page.goto(url + path)
                    page.screenshot(path=str(OUT / f"{name}.png"))
                page.goto(url + "/queue?state=dead")
                page.locator("table.items a").first.click()
                page.screenshot(path=str(OUT / "queue-item.png"))
                page.goto(url + "/files?outcome=failed")
                page.locator("table.files a").first.click()
                page.screenshot(path=str(OUT / "file-error.png"))
                browser.close()
        finally:
            fake.end_outage()
            run.terminate()
            run.communicate(timeout=60)
    for png in sorted(OUT.glob("*.png")):
        print(png.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
