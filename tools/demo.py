"""The main job on an embedded default: a station and the client against a local fake WATS.

Starts the fake WATS server on a free loopback port. First the sync client: reads the
server version and processes, builds and uploads test reports, rides out an injected 503
and a connection reset after the server committed (the same report id makes the retry
harmless), shows a validation error in the server's words, and queries the reports back
with an OData filter. Then the station: registers with the fake, watches a folder, and
`pywats-station run` converts, queues and delivers the report files dropped into it while
the fake drops one answer in five; a garbled file goes to ``Error/`` with its reason. The
console's URL is printed. Run it with ``python3 tools/run_nox.py -s demo`` (files keep
arriving until Ctrl-C) or ``-- --once`` (40 files, then it stops).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pywats
from pywats.report import Report, UUTBuilder, dumps_wsjf
from pywats_testing import FakeWatsServer

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = Path(os.environ.get("PYWATS_REFERENCE_DIR", ROOT.parent / "shared" / "reference"))
EXPORT = REFERENCE / "olreppe-pyWATS" / "server-exports" / "uut-wsjf-export.json"


def make_report(serial: str, rng: random.Random) -> Report:
    """A small functional-test report, as a converter would produce it."""
    builder = UUTBuilder(
        pn="DEMO-BOARD",
        sn=serial,
        rev="B",
        process_code=10,
        machine_name="demo-station",
        location="Lab 1",
        purpose="Demo",
        operator="demo",
    )
    power = builder.root.sequence("Power")
    power.numeric("3V3 rail", round(rng.gauss(3.30, 0.04), 3), "GELE", low=3.2, high=3.4, unit="V")
    power.numeric("Idle current", round(rng.uniform(80, 125), 1), "LE", limit=120, unit="mA")
    comms = builder.root.sequence("Comms")
    comms.pass_fail("UART loopback", rng.random() > 0.1)
    comms.string("Firmware", "1.4.2", "EQ", limit="1.4.2")
    return builder.build()


def say(text: str) -> None:
    print(text, flush=True)


def _relay(station: subprocess.Popen[str], console_shown: threading.Event) -> None:
    """Print what the station prints; set ``console_shown`` once its console's URL is out."""
    assert station.stdout is not None
    for line in station.stdout:
        say(line.rstrip())
        if "console" in line.lower():
            console_shown.set()


def main() -> int:
    rng = random.Random(7)
    with FakeWatsServer(seed=7) as fake, pywats.WATS(fake.url, fake.token) as wats:
        say(f"fake WATS server at {fake.url}")
        say(f"server version: {wats.app.version()}")
        processes = ", ".join(f"{p.code} {p.name}" for p in wats.app.processes())
        say(f"processes: {processes}")

        reports = [make_report(f"SN-{n:04d}", rng) for n in range(1, 6)]
        for report in reports:
            result = wats.report.submit_wsjf(report)
            say(f"uploaded {report.sn}: {report.result.value} -> stored as {result.uuid}")

        retry = make_report("SN-0006", rng)
        fake.fail("POST /api/Report/WSJF", status=503, retry_after=1)
        try:
            wats.report.submit_wsjf(retry)
        except pywats.ServerError as error:
            say(
                f"upload refused: {error.message} (retryable={error.retryable}, "
                f"retry after {error.retry_after}s)"
            )
        wats.report.submit_wsjf(retry)
        say(f"retried {retry.sn} with the same id: stored, commits={fake.commits(retry.id)}")

        lost_answer = make_report("SN-0007", rng)
        fake.reset_after_commit("POST /api/Report/WSJF")
        try:
            wats.report.submit_wsjf(lost_answer)
        except pywats.ConnectionError:
            say(f"connection reset after the server committed {lost_answer.sn}")
        wats.report.submit_wsjf(lost_answer)
        say(
            f"resent with the same Idempotency-Key: commits={fake.commits(lost_answer.id)}, "
            f"replays={fake.replays(lost_answer.id)} (one report, not two)"
        )

        if EXPORT.is_file():
            try:
                wats.report.submit_wsjf(EXPORT.read_bytes())
            except pywats.ValidationError as error:
                lines = (error.server_message or "").splitlines()
                say(f"a raw server export is refused with {len(lines)} validation lines, e.g.:")
                for line in lines[:2]:
                    say(f"  {line}")

        failed = wats.report.query_headers(
            pywats.Filter.eq("partNumber", "DEMO-BOARD") & pywats.Filter.eq("result", "Failed"),
            order_by="serialNumber asc",
        )
        names = [h.serial_number for h in failed]
        say(f"failed DEMO-BOARD units on the server: {names or 'none'}")
        say(f"reports on the server: {len(fake.reports())}")
        run_station(fake, rng, once="--once" in sys.argv[1:])
    return 0


def run_station(
    fake: FakeWatsServer, rng: random.Random, count: int = 40, once: bool = True
) -> None:
    """Register a station watching a folder, drop report files into it over time, and let
    `pywats-station run` convert, queue and deliver them; the console URL is printed."""
    with tempfile.TemporaryDirectory(prefix="pywats-demo-") as tmp:
        home = Path(tmp) / "station"
        inbox = Path(tmp) / "inbox"
        inbox.mkdir()
        station = [sys.executable, "-m", "pywats_station", "--home", str(home)]
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYWATS_")}

        def cli(*args: str, **extra_env: str) -> str:
            done = subprocess.run(
                [*station, *args], env={**env, **extra_env}, capture_output=True, text=True
            )
            if done.returncode != 0:
                raise SystemExit(f"pywats-station {args[0]} failed:\n{done.stderr}")
            return done.stdout

        home.mkdir()
        (home / "station.toml").write_text(
            f'[station]\nlocation = "Lab 1"\npurpose = "Demo"\n\n'
            f"[console]\nport = 0\n\n"
            f'[[folders]]\npath = "{inbox.as_posix()}"\nconverter = "wsjf"\nsettle = 0.5\n'
            f"rescan = 2.0\n"
        )
        cli(
            "register",
            "--url",
            fake.url,
            "--identifier",
            "DEMO-STATION",
            "--key-store",
            "file",
            PYWATS_REGISTRATION_TOKEN=fake.registration_token,
        )
        say("\nstation registered as DEMO-STATION (passcode stored encrypted)")
        say(f"watching {inbox} for WSJF files")

        fake.reset_after_commit("POST /api/Report/WSJF", times=None, probability=0.2)
        # Ctrl-C sets a flag the loops look at, instead of raising KeyboardInterrupt
        # wherever the demo happens to be (inside a report's serialisation, say).
        stopping = threading.Event()
        previous = signal.signal(signal.SIGINT, lambda *_: stopping.set())
        # The station's warnings go straight to the terminal (stderr inherited, so no pipe
        # can fill up); what it prints (its banner, the console's URL, its last word when
        # it stops) is relayed line by line.
        runner = subprocess.Popen([*station, "run"], env=env, stdout=subprocess.PIPE, text=True)
        console_shown = threading.Event()
        relay = threading.Thread(target=_relay, args=(runner, console_shown), daemon=True)
        relay.start()
        ids: list[str] = []
        try:
            while not console_shown.wait(0.2) and not stopping.is_set():
                if runner.poll() is not None:
                    raise SystemExit(f"pywats-station run ended with exit code {runner.returncode}")
            if not once:
                say("dropping a report file every second; Ctrl-C stops the station and the demo")
            n = 0
            while ((once and n < count) or not once) and not stopping.is_set():
                report = make_report(f"ST-{n:04d}", rng)
                part = inbox / f".ST-{n:04d}.part"
                part.write_bytes(dumps_wsjf(report))
                part.rename(inbox / f"ST-{n:04d}.json")  # a tester writing its result
                ids.append(report.id)
                n += 1
                if n == count // 2:
                    (inbox / "garbled.json").write_text('{"type": "T", "id": ')
                if not once and n % 10 == 0:
                    delivered = sum(1 for i in ids if fake.commits(i))
                    say(f"{n} report files dropped, {delivered} delivered so far")
                stopping.wait(0.05 if once else 1.0)
            if not stopping.is_set():
                say(f"dropped {count} report files and one garbled file into the folder")
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and runner.poll() is None and not stopping.is_set():
                if all(fake.commits(i) for i in ids) and not list(inbox.glob("*.json")):
                    depth = json.loads(cli("status", "--json")).get("queue") or {}
                    if not depth.get("ready") and not depth.get("leased"):
                        break
                stopping.wait(0.2)
            if stopping.is_set():
                # Ctrl-C in a terminal reaches the station too (same process group); SIGTERM
                # below covers a SIGINT sent to the demo alone.
                say("\nCtrl-C: stopping the station (reports not yet delivered stay queued)")
        finally:
            signal.signal(signal.SIGINT, previous)
            runner.send_signal(signal.SIGTERM)
            runner.wait(timeout=60)
            relay.join(timeout=10)
        fake.clear_faults()
        delivered = sum(1 for i in ids if fake.commits(i) == 1)
        replays = sum(fake.replays(i) for i in ids)
        errors = sorted(p.name for p in (inbox / "Error").glob("*.error.txt"))
        say(
            f"station delivered {delivered}/{len(ids)} reports, each stored once; "
            f"{replays} lost answers were resent and replayed; stopped with exit code "
            f"{runner.returncode}"
        )
        say(f"set aside in Error/ with a reason: {', '.join(errors) or 'none'}")
        say(cli("status").rstrip())


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # Ctrl-C before the station runs: nothing to stop
        print("\ndemo interrupted", file=sys.stderr)
        sys.exit(130)
