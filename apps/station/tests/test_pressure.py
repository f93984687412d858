"""Delivery under pressure, as real processes: ``pywats-station run`` against the fake.

Every number is the fake's own count of what reached it and how it answered.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

WSJF = "POST /api/Report/WSJF"
REGISTER = "POST /api/internal/Client/Register"


def _configure(station_home: Path, **sections: dict[str, object]) -> None:
    """Rewrite keys in the registered station's ``station.toml``."""
    from pywats_station._config import dump_config, load_config, parse_config

    path = station_home / "station.toml"
    data = load_config(path).model_dump()
    for section, values in sections.items():
        data[section].update(values)
    path.write_text(dump_config(parse_config(data, path)))


def _backlog(registered: Any, write_report: Any, directory: Path, count: int) -> list[str]:
    directory.mkdir()
    files, ids = [], []
    for i in range(count):
        path, report_id = write_report(directory, f"SN-P-{i:04d}")
        files.append(str(path))
        ids.append(report_id)
    submitted = registered("submit", *files, timeout=600)
    assert submitted.returncode == 0, submitted.stderr[-2000:]
    return ids


def _wait_for_server(fake: Any, condition: Any, what: str, timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"the fake never saw: {what}; counts {fake.request_counts()}")


@pytest.mark.parametrize("fault", ["503", "answer lost after commit"])
def test_a_failed_re_registration_is_retried_and_everything_arrives_without_a_person(
    fault: str,
    registered: Any,
    station: Any,
    fake_wats: Any,
    station_home: Path,
    tmp_path: Path,
    write_report: Any,
) -> None:
    ids = _backlog(registered, write_report, tmp_path / "reports", 20)
    fake_wats.expire_credential("ST-RUN")  # the passcode is refused from now on
    if fault == "503":
        fake_wats.fail(REGISTER, status=503)
    else:
        fake_wats.reset_after_commit(REGISTER)  # registered on the server, answer lost
    running = station()
    status = running.wait_for(
        lambda s: s["metrics"]["uploads"]["succeeded"] == len(ids), "every report delivered"
    )
    assert status["credentials"]["state"] == "valid"
    assert status["credentials"]["renewals"] == 1
    assert running.terminate()[0] == 0

    assert all(fake_wats.commits(report_id) == 1 for report_id in ids)
    # `register` once, the failed try, the retry that worked: no person in between.
    assert fake_wats.request_count(REGISTER) == 3
    failed = fake_wats.answer_count(REGISTER, 503 if fault == "503" else None)
    assert failed == 1
    log = (station_home / "logs" / "station.log").read_text(encoding="utf-8")
    assert "needs_person" not in log
    assert "trying again in" in log  # the failure was retried with a backoff


def test_while_credentials_are_renewed_each_worker_sends_at_most_one_refused_upload(
    registered: Any,
    station: Any,
    fake_wats: Any,
    station_home: Path,
    tmp_path: Path,
    write_report: Any,
) -> None:
    workers = 3
    _configure(
        station_home,
        upload={"concurrency": workers, "requests_per_minute": 100_000},
        connection={"probe_interval": 0.5},
    )
    ids = _backlog(registered, write_report, tmp_path / "reports", 300)
    running = station()
    _wait_for_server(fake_wats, lambda: fake_wats.answer_count(WSJF, 200) >= 30, "30 uploads")

    fake_wats.add_latency(REGISTER, 3.0)  # the renewal takes 3 s
    fake_wats.expire_credential("ST-RUN")
    status = running.wait_for(
        lambda s: s["metrics"]["uploads"]["succeeded"] == len(ids), "every report delivered"
    )
    assert status["credentials"]["renewals"] == 1
    assert running.terminate()[0] == 0

    refused = fake_wats.answer_count(WSJF, 401)
    print(f"refused uploads during a 3 s renewal with {workers} workers: {refused}")
    assert 1 <= refused <= workers
    assert fake_wats.request_count(REGISTER) == 2  # `register`, then one renewal
    assert all(fake_wats.commits(report_id) == 1 for report_id in ids)


@pytest.mark.slow
def test_a_server_rate_limit_is_met_by_the_whole_station_without_a_herd(
    registered: Any,
    station: Any,
    fake_wats: Any,
    station_home: Path,
    tmp_path: Path,
    write_report: Any,
) -> None:
    # The server allows 60 per minute in fixed 10 s windows; the station is set a tenth
    # under it, as docs/station.md advises, so network jitter cannot push an eleventh
    # request into a window.
    workers, per_minute = 3, 54
    _configure(
        station_home,
        upload={"concurrency": workers, "requests_per_minute": per_minute},
        connection={"probe_interval": 30.0},
    )
    _backlog(registered, write_report, tmp_path / "reports", 300)
    fake_wats.set_rate_limit(10, per_seconds=10)  # per credential, as WATS limits a token
    started = time.monotonic()
    running = station()
    _wait_for_server(
        fake_wats, lambda: fake_wats.answer_count(WSJF, 200) >= 30, "30 stored", timeout=600
    )
    assert running.terminate()[0] == 0
    seconds = time.monotonic() - started

    stored = fake_wats.answer_count(WSJF, 200)
    refused = fake_wats.answer_count(WSJF, 429)
    # Everything the station sent: uploads and probes (registration is another credential).
    sent = [
        a.at
        for a in fake_wats.answers()
        if a.at >= started and a.path != "/api/internal/client/register"
    ]
    busiest = fake_wats.traffic.busiest(sent)
    print(
        f"rate limit 10/10 s, client {per_minute}/min, {workers} workers: {stored} stored, "
        f"{refused} refused in {seconds:.0f} s; busiest second {busiest} requests"
    )
    assert refused < 0.1 * stored
    assert busiest <= per_minute / 60 + workers
