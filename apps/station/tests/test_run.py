"""``submit``, ``run`` (with SIGTERM) and ``queue`` as real processes against the fake server."""

from __future__ import annotations

import base64
import json
import signal
import time
from pathlib import Path
from typing import Any

import pytest

import pywats_queue
from pywats.report import parse_wsjf
from pywats_station import CredentialStore, load_config, lock_holder, resolve_home
from pywats_station._service import queue_url
from pywats_testing import Process

WSJF_ROUTE = "POST /api/Report/WSJF"


def _queue(station_home: Path) -> Any:
    home = resolve_home(station_home)
    return pywats_queue.open_queue(queue_url(home, load_config(home.config_file)))


def test_submit_converts_validates_and_queues_the_report(
    registered: Any, station_home: Path, tmp_path: Path, write_report: Any
) -> None:
    good, good_id = write_report(tmp_path, "SN-GOOD")
    broken, _ = write_report(tmp_path, "SN-BROKEN", broken=True)
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{not json")
    result = registered("submit", str(good), str(broken), str(garbage))
    assert result.returncode == 1
    assert f"[1/3] queued {good} (wsjf, report {good_id}" in result.stdout
    assert f"[2/3] refused {broken}:" in result.stderr
    assert "root -> step Voltage: Status cannot be different from measurement status." in (
        result.stderr
    )
    assert f"[3/3] refused {garbage}:" in result.stderr
    assert "2 of 3 files refused" in result.stderr
    with _queue(station_home) as queue:
        (item,) = queue.list("ready")
        assert item.key == good_id
        # Queued as the runner's WSJF converter read it: the same report.
        assert parse_wsjf(item.payload) == parse_wsjf(good.read_bytes())
        assert item.meta["format"] == "wsjf"
        assert item.meta["sn"] == "SN-GOOD"


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_run_uploads_then_stops_cleanly_on_a_signal(
    registered: Any,
    station: Any,
    fake_wats: Any,
    station_home: Path,
    tmp_path: Path,
    stop_signal: signal.Signals,
    write_report: Any,
) -> None:
    files = [write_report(tmp_path, f"SN-{i}") for i in range(5)]
    assert registered("submit", *(str(p) for p, _ in files)).returncode == 0

    running = station()
    assert "running as ST-RUN" in running.banner
    status = running.wait_for(lambda s: s["metrics"]["uploads"]["succeeded"] == 5, "5 uploads")
    assert status["connection"]["state"] == "online"
    assert all(fake_wats.commits(report_id) == 1 for _, report_id in files)

    shown = registered("status").stdout
    assert f"running       yes (pid {running.proc.pid}" in shown
    assert "    connection  online (WATS 2026.1.5.324)" in shown
    assert "    uploads     5 ok, 0 retried, 0 failed; last success 20" in shown

    second = registered("run")
    assert second.returncode == 3
    assert f"another `pywats-station run` (pid {running.proc.pid} on " in second.stderr

    running.wait_for(lambda s: s["metrics"]["queue_depth"].get("ready") == 0, "depth 0")
    code, out, err = running.terminate(stop_signal)
    assert code == 0, err
    assert "stopped: 5 uploaded, 0 retried, 0 dead-lettered" in out
    assert "Traceback" not in err
    assert lock_holder(resolve_home(station_home).lock_file) is None
    final = running.status()
    assert final["connection"]["state"] == "disconnected"
    assert final["metrics"]["uploads"]["succeeded"] == 5
    with _queue(station_home) as queue:
        assert queue.stats().depth["leased"] == 0
        assert queue.stats().depth["acked"] == 5

    # Nothing the run produced holds a secret.
    credentials = CredentialStore(resolve_home(station_home)).load()
    assert credentials is not None
    secrets = [
        credentials.passcode.reveal(),
        credentials.token().reveal(),
        fake_wats.registration_token,
    ]
    produced = [out, err, running.banner, *registered.outputs]
    produced += [
        p.read_text(encoding="utf-8", errors="replace")
        for p in station_home.rglob("*")
        if p.is_file() and p.suffix in (".log", ".json", ".toml") and p.name != "credentials.json"
    ]
    assert any("uploaded" in text for text in produced)
    assert not [s for s in secrets for text in produced if s in text]


@pytest.mark.parametrize("server", ["hangs", "answers within the grace period"])
def test_sigterm_during_an_upload_exits_0_within_the_bound_and_leaves_nothing_claimed(
    server: str,
    registered: Any,
    station: Any,
    fake_wats: Any,
    station_home: Path,
    tmp_path: Path,
    write_report: Any,
) -> None:
    # The client would wait 10 minutes for the answer; only the shutdown bound (grace
    # 1 s) can end the run in time for the 60 s `communicate` below.
    config = station_home / "station.toml"
    config.write_text(
        config.read_text()
        .replace("shutdown_grace = 0.5", "shutdown_grace = 1.0")
        .replace("upload_timeout = 100.0", "upload_timeout = 600.0")
        .replace("read_timeout = 30.0", "read_timeout = 600.0")
        .replace("lease = 300.0", "lease = 700.0")  # a lease must outlast an upload
    )
    assert "upload_timeout = 600.0" in config.read_text()
    path, report_id = write_report(tmp_path, "SN-HANG")
    assert registered("submit", str(path)).returncode == 0
    if server == "hangs":
        fake_wats.hang(WSJF_ROUTE)
    else:
        fake_wats.add_latency(WSJF_ROUTE, 0.3)
    running = station()
    for _ in range(3000):
        if fake_wats.request_count(WSJF_ROUTE) == 1:
            break
        time.sleep(0.01)
    assert fake_wats.request_count(WSJF_ROUTE) == 1  # the upload is in flight now
    code, out, err = running.terminate()  # communicate(timeout=60) inside
    assert code == 0, err
    with _queue(station_home) as queue:
        assert queue.stats().depth["leased"] == 0  # never stuck
        if server == "hangs":
            assert "stopped: 0 uploaded" in out
            (item,) = queue.list("ready")  # handed back ...
            assert item.key == report_id
            assert item.attempts == 0  # ... and a stop is not a failed attempt
            assert fake_wats.commits(report_id) == 0
        else:
            assert "stopped: 1 uploaded" in out
            assert queue.list("ready") == []
            (item,) = queue.list("acked")  # the answer came within the grace period
            assert item.key == report_id
            assert fake_wats.commits(report_id) == 1
    assert lock_holder(resolve_home(station_home).lock_file) is None


def test_a_400_is_a_dead_letter_with_the_servers_text_and_retry_sends_it_after_a_fix(
    registered: Any,
    station: Any,
    fake_wats: Any,
    station_home: Path,
    tmp_path: Path,
    write_report: Any,
) -> None:
    path, report_id = write_report(tmp_path, "SN-DEAD", process_code=4242)
    other, other_id = write_report(tmp_path, "SN-DEAD-2", process_code=4242)
    assert registered("submit", str(path), str(other)).returncode == 0
    running = station()
    running.wait_for(lambda s: s["metrics"]["uploads"]["failed"] == 2, "two dead letters")
    assert running.terminate()[0] == 0
    assert fake_wats.request_count(WSJF_ROUTE) == 2  # one try each: a 400 is not retried

    depth = json.loads(registered("status", "--json").stdout)["queue"]
    assert depth == {"ready": 0, "leased": 0, "acked": 0, "dead": 2, "quarantined": 0}
    assert "queue         ready 0, leased 0, acked 0, dead 2" in registered("status").stdout

    listing = json.loads(registered("queue", "list", "--state", "dead", "--json").stdout)
    dead = next(d for d in listing if d["report_id"] == report_id)
    human = registered("queue", "list")
    assert dead["id"] in human.stdout
    assert "dead 2" in human.stdout

    # `queue show`: the server's own text, and the upload that was made is counted.
    shown = json.loads(registered("queue", "show", dead["id"], "--payload").stdout)
    assert shown["state"] == "dead"
    assert "HTTP 400" in shown["last_error"]
    assert "processCode 4242 is not a known process" in shown["last_error"]
    assert shown["attempts"] == 1
    assert json.loads(shown["payload"])["id"] == report_id

    # The fix: the process now exists on the server. `queue retry`, and it arrives.
    fake_wats.state.processes.append(Process(code=4242, name="New line test"))
    retried = registered("queue", "retry", dead["id"])
    assert retried.returncode == 0
    assert "ready again" in retried.stdout
    running = station()
    running.wait_for(lambda s: s["metrics"]["uploads"]["succeeded"] == 1, "the retried upload")
    assert running.terminate()[0] == 0
    assert fake_wats.commits(report_id) == 1
    assert fake_wats.commits(other_id) == 0  # still a dead letter: nobody retried it

    # The other one is thrown away instead.
    (other_dead,) = json.loads(registered("queue", "list", "--json").stdout)
    assert other_dead["report_id"] == other_id
    gone = registered("queue", "discard", other_dead["id"])
    assert gone.returncode == 0
    assert json.loads(registered("queue", "list", "--json").stdout) == []
    missing = registered("queue", "show", other_dead["id"])
    assert missing.returncode == 3  # as `python -m pywats_queue show` of an unknown id
    assert "no item with id" in missing.stderr


def test_run_without_registration_is_refused(cli: Any) -> None:
    result = cli("run")
    assert result.returncode == 1
    assert "not registered; run `pywats-station register --url URL`" in result.stderr


REGISTER_ROUTE = "POST /api/internal/Client/Register"


def test_a_401_re_registers_exactly_once_and_counts_no_attempt(
    registered: Any,
    station: Any,
    fake_wats: Any,
    station_home: Path,
    tmp_path: Path,
    write_report: Any,
) -> None:
    first, first_id = write_report(tmp_path, "SN-BEFORE-401")
    assert registered("submit", str(first)).returncode == 0
    home = resolve_home(station_home)
    old = CredentialStore(home, "file").load()
    assert old is not None
    assert old.registration_token is not None  # kept (encrypted) for this moment
    running = station()
    running.wait_for(lambda s: s["metrics"]["uploads"]["succeeded"] == 1, "first upload")
    assert fake_wats.request_count(REGISTER_ROUTE) == 1  # the `register` command

    fake_wats.expire_credential("ST-RUN")  # the server no longer takes the passcode
    second, second_id = write_report(tmp_path, "SN-AFTER-401")
    submitted = registered("submit", str(second))
    assert submitted.returncode == 0
    item_id = submitted.stdout.rsplit("item ", 1)[1].rstrip(")\n")
    status = running.wait_for(lambda s: s["metrics"]["uploads"]["succeeded"] == 2, "upload")
    assert status["uploader"] == {"paused": None, "reregistrations": 1}
    running.wait_for(lambda s: s["connection"]["state"] == "online", "online")
    assert running.terminate()[0] == 0

    assert fake_wats.request_count(REGISTER_ROUTE) == 2  # exactly one re-registration
    assert fake_wats.commits(first_id) == 1
    assert fake_wats.commits(second_id) == 1
    with _queue(station_home) as queue:
        assert queue.get(item_id).attempts == 0  # the 401 was not an attempt
    new = CredentialStore(home, "file").load()
    assert new is not None
    assert new.identifier == old.identifier  # same identifier ...
    assert new.passcode != old.passcode  # ... new passcode, stored
    assert new.registration_token == old.registration_token
    log = (station_home / "logs" / "station.log").read_text(encoding="utf-8")
    assert "registering again" in log
    # Invariant 7 for the re-registration path: no secret in any file or output.
    secrets = [
        fake_wats.registration_token,
        old.passcode.reveal(),
        new.passcode.reveal(),
        old.token().reveal(),
        new.token().reveal(),
    ]
    texts = [p.read_bytes() for p in station_home.rglob("*") if p.is_file()]
    texts += [o.encode() for o in registered.outputs] + [running.output.encode()]
    for secret in secrets:
        for form in (secret, base64.b64encode(secret.encode()).decode()):
            assert not any(form.encode() in text for text in texts)


def test_a_failed_re_registration_pauses_uploads_until_a_person_registers(
    registered: Any,
    station: Any,
    fake_wats: Any,
    station_home: Path,
    tmp_path: Path,
    write_report: Any,
) -> None:
    path, report_id = write_report(tmp_path, "SN-AUTH")
    submitted = registered("submit", str(path))
    assert submitted.returncode == 0
    item_id = submitted.stdout.rsplit("item ", 1)[1].rstrip(")\n")
    fake_wats.expire_credential("ST-RUN")
    fake_wats.expire_credential(fake_wats.registration_token)  # re-registration fails too
    running = station()
    status = running.wait_for(
        lambda s: s["credentials"]["state"] == "needs_person", "waiting for a person"
    )
    assert "re-registration failed" in status["uploader"]["paused"]
    assert "registration token" in status["uploader"]["paused"]
    # No loop: while the station keeps probing, it neither registers nor uploads again.
    # (The probe or the upload may meet the 401 first; either way there is one try. An
    # upload already on its way when the state changed may land a moment later, so the
    # count is taken after a few more probes.)
    probes = fake_wats.request_count("GET /api/App/Version")
    running.wait_for(
        lambda s: fake_wats.request_count("GET /api/App/Version") >= probes + 3, "more probes"
    )
    uploads = fake_wats.request_count(WSJF_ROUTE)
    assert uploads <= 1
    probes = fake_wats.request_count("GET /api/App/Version")
    running.wait_for(
        lambda s: fake_wats.request_count("GET /api/App/Version") >= probes + 3, "more probes"
    )
    assert fake_wats.request_count(REGISTER_ROUTE) == 2  # `register`, then one try
    assert fake_wats.request_count(WSJF_ROUTE) == uploads
    assert running.status()["connection"]["state"] == "error"
    shown = registered("status").stdout
    assert "uploads     PAUSED: re-registration failed" in shown
    with _queue(station_home) as queue:
        item = queue.get(item_id)
        assert str(item.state) == "ready"
        assert item.attempts == 0  # 401s are not attempts

    # A person registers the station again; the running station takes it and goes on.
    fake_wats.restore_credential(fake_wats.registration_token)
    again = registered(
        "register",
        "--url",
        fake_wats.url,
        "--key-store",
        "file",
        env={"PYWATS_REGISTRATION_TOKEN": fake_wats.registration_token},
    )
    assert again.returncode == 0, again.stderr
    status = running.wait_for(lambda s: s["metrics"]["uploads"]["succeeded"] == 1, "upload")
    assert status["uploader"]["paused"] is None
    running.wait_for(lambda s: s["connection"]["state"] == "online", "online again")
    assert running.terminate()[0] == 0
    assert fake_wats.commits(report_id) == 1


def test_a_running_station_picks_up_new_credentials(
    registered: Any,
    station: Any,
    fake_wats: Any,
    station_home: Path,
    tmp_path: Path,
    write_report: Any,
) -> None:
    first, first_id = write_report(tmp_path, "SN-BEFORE")
    assert registered("submit", str(first)).returncode == 0
    running = station()
    running.wait_for(lambda s: s["metrics"]["uploads"]["succeeded"] == 1, "first upload")

    # Re-registering issues a new passcode; the station's old one stops working.
    again = registered(
        "register",
        "--url",
        fake_wats.url,
        "--key-store",
        "file",
        env={"PYWATS_REGISTRATION_TOKEN": fake_wats.registration_token},
    )
    assert again.returncode == 0, again.stderr
    second, second_id = write_report(tmp_path, "SN-AFTER")
    submitted = registered("submit", str(second))
    assert submitted.returncode == 0
    item_id = submitted.stdout.rsplit("item ", 1)[1].rstrip(")\n")

    running.wait_for(lambda s: s["metrics"]["uploads"]["succeeded"] == 2, "second upload")
    running.wait_for(lambda s: s["connection"]["state"] == "online", "online")
    code, _out, err = running.terminate()
    assert code == 0, err
    assert fake_wats.commits(first_id) == 1
    assert fake_wats.commits(second_id) == 1
    with _queue(station_home) as queue:
        assert queue.get(item_id).attempts == 0  # a 401 on the way is not an attempt
    log = (station_home / "logs" / "station.log").read_text(encoding="utf-8")
    assert "using the newly stored credentials of ST-RUN" in log


def test_a_report_that_kills_the_station_every_time_is_set_aside(
    registered: Any,
    station: Any,
    fake_wats: Any,
    station_home: Path,
    tmp_path: Path,
    write_report: Any,
) -> None:
    # An expired lease is not an attempt, so without the claim count this report would
    # be claimed, lost with the process, and claimed again for ever.
    config = station_home / "station.toml"
    config.write_text(
        config.read_text()
        .replace("lease = 300.0", "lease = 4.0")  # short, so the next life claims it soon
        .replace("max_unfinished_claims = 5", "max_unfinished_claims = 2")
        .replace("concurrency = 2", "concurrency = 1")  # no second worker to re-claim it
        .replace("connect_timeout = 10.0", "connect_timeout = 1.0")
        .replace("upload_timeout = 100.0", "upload_timeout = 2.0")  # each life dies sooner
    )
    assert "max_unfinished_claims = 2" in config.read_text()
    path, report_id = write_report(tmp_path, "SN-CRASHER")
    assert registered("submit", str(path)).returncode == 0
    # Every upload of it (not only the first) is in flight when the station dies.
    fake_wats.hang(WSJF_ROUTE, times=None)
    for life in (1, 2):
        running = station()
        for _ in range(3000):
            if fake_wats.request_count(WSJF_ROUTE) == life:
                break
            time.sleep(0.01)
        assert fake_wats.request_count(WSJF_ROUTE) == life
        running.proc.send_signal(signal.SIGKILL)
        running.proc.communicate(timeout=30)

    running = station()
    running.wait_for(lambda s: s["metrics"]["uploads"]["failed"] == 1, "set aside")
    assert running.terminate()[0] == 0
    assert fake_wats.request_count(WSJF_ROUTE) == 2  # not sent a third time
    assert fake_wats.commits(report_id) == 0  # no upload got through before the kills
    (dead,) = json.loads(registered("queue", "list", "--json").stdout)
    assert dead["report_id"] == report_id
    assert dead["state"] == "dead"
    assert "started 2 times without finishing" in dead["last_error"]
    assert dead["attempts"] == 0  # no answer ever came back

    # A person can still send it, once the server behaves.
    fake_wats.clear_faults()
    assert registered("queue", "retry", dead["id"]).returncode == 0
    running = station()
    running.wait_for(lambda s: s["metrics"]["uploads"]["succeeded"] == 1, "sent after retry")
    assert running.terminate()[0] == 0
    assert fake_wats.commits(report_id) == 1


def test_an_idle_station_registers_again_when_its_probe_is_refused(
    registered: Any,
    station: Any,
    fake_wats: Any,
    station_home: Path,
    tmp_path: Path,
    write_report: Any,
) -> None:
    running = station()
    running.wait_for(lambda s: s["connection"]["state"] == "online", "online")
    assert fake_wats.request_count(REGISTER_ROUTE) == 1  # the `register` command

    fake_wats.expire_credential("ST-RUN")  # nothing is queued: only the probe finds out
    status = running.wait_for(lambda s: s["uploader"]["reregistrations"] == 1, "re-registered")
    status = running.wait_for(lambda s: s["connection"]["state"] == "online", "online again")
    assert status["uploader"]["paused"] is None
    # Once: the probes that follow go through with the new passcode.
    probes = fake_wats.request_count("GET /api/App/Version")
    running.wait_for(
        lambda s: fake_wats.request_count("GET /api/App/Version") >= probes + 3, "more probes"
    )
    assert fake_wats.request_count(REGISTER_ROUTE) == 2
    assert running.status()["connection"]["state"] == "online"

    # It expires again later: the station, still idle, registers again once more.
    fake_wats.expire_credential("ST-RUN")
    running.wait_for(lambda s: s["uploader"]["reregistrations"] == 2, "re-registered again")
    running.wait_for(lambda s: s["connection"]["state"] == "online", "online after that")
    path, report_id = write_report(tmp_path, "SN-AFTER-IDLE")
    assert registered("submit", str(path)).returncode == 0
    running.wait_for(lambda s: s["metrics"]["uploads"]["succeeded"] == 1, "upload")
    assert running.terminate()[0] == 0
    assert fake_wats.request_count(REGISTER_ROUTE) == 3
    assert fake_wats.commits(report_id) == 1
