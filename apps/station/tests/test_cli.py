from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from pywats_station import resolve_home, write_status
from pywats_station._cli import _parser
from pywats_station._config import tomllib

URL_ARGS = ("--key-store", "file", "--identifier", "ST-CLI-1", "--name", "ICT 7")


def _register(cli: Any, fake_wats: Any, *extra: str) -> Any:
    return cli(
        "register",
        "--url",
        fake_wats.url,
        *URL_ARGS,
        *extra,
        env={"PYWATS_REGISTRATION_TOKEN": fake_wats.registration_token},
    )


def _no_traceback(result: Any) -> None:
    assert "Traceback" not in result.stdout + result.stderr


def test_register_then_status(cli: Any, fake_wats: Any, station_home: Path) -> None:
    result = _register(cli, fake_wats, "--location", "Line 3")
    assert result.returncode == 0, result.stderr
    assert "Registered station 'ICT 7' as ST-CLI-1" in result.stdout
    assert "WATS 2026.1.5.324" in result.stdout
    assert "ST-CLI-1" in fake_wats.state.clients

    config = tomllib.loads((station_home / "station.toml").read_text())
    assert config["server"]["url"] == fake_wats.url
    assert config["station"] == {
        "name": "ICT 7",
        "location": "Line 3",
        "purpose": "",
        "identifier": "ST-CLI-1",
    }

    status = cli("status", "--json")
    assert status.returncode == 0, status.stderr
    report = json.loads(status.stdout)
    assert report["server_url"] == fake_wats.url
    assert report["station"] == {"name": "ICT 7", "identifier": "ST-CLI-1"}
    assert report["credentials"] == {
        "registered": True,
        "server_url": fake_wats.url,
        "identifier": "ST-CLI-1",
        "key_store": "file",
        "can_reregister": True,  # registered with a token, which is kept encrypted
    }
    assert report["running"] is False
    assert report["last_status"] is None
    assert report["queue"] is None  # nothing queued yet, and status did not create a queue

    human = cli("status")
    assert human.returncode == 0
    assert "registered    yes (key in file)" in human.stdout
    assert "running       no" in human.stdout


def test_status_probe_asks_the_server(cli: Any, fake_wats: Any) -> None:
    assert _register(cli, fake_wats).returncode == 0
    probes_before = fake_wats.request_count("GET /api/App/Version")
    online = json.loads(cli("status", "--json", "--probe").stdout)
    assert online["connection"]["state"] == "online"
    assert online["connection"]["server_version"] == "2026.1.5.324"
    assert fake_wats.request_count("GET /api/App/Version") == probes_before + 1

    fake_wats.fail(
        "GET /api/App/Version", status=503, body="maintenance", body_shape="message-object"
    )
    offline = cli("status", "--probe")
    assert offline.returncode == 0
    assert "connection    offline: HTTP 503" in offline.stdout
    assert "maintenance" in offline.stdout


def test_probe_refuses_credentials_of_another_server(
    cli: Any, fake_wats: Any, station_home: Path
) -> None:
    assert _register(cli, fake_wats).returncode == 0
    config = station_home / "station.toml"
    config.write_text(config.read_text().replace(fake_wats.url, "http://127.0.0.1:9"))
    requests = fake_wats.answer_count()
    conn = json.loads(cli("status", "--json", "--probe").stdout)["connection"]
    assert conn["state"] == "error"
    assert (
        f"registered with {fake_wats.url}, but the config names http://127.0.0.1:9"
        in conn["reason"]
    )
    assert fake_wats.answer_count() == requests  # the passcode went nowhere


def test_status_shows_the_last_status_file(cli: Any, station_home: Path) -> None:
    write_status(
        station_home / "status.json",
        {
            "metrics": {
                "uploads": {"succeeded": 5, "failed": 1, "retried": 2},
                "queue_depth": {"ready": 3},
                "breaker_state": "closed",
            }
        },
    )
    result = cli("status")
    assert result.returncode == 0
    assert "    uploads     5 ok, 2 retried, 1 failed; last success never" in result.stdout
    assert "    queue       ready 3" in result.stdout
    assert "    breaker     closed" in result.stdout
    as_json = json.loads(cli("status", "--json").stdout)
    assert as_json["last_status"]["metrics"]["uploads"]["succeeded"] == 5


def test_register_with_a_token_file_and_with_a_password(
    cli: Any, fake_wats: Any, installer: tuple[str, str], tmp_path: Path
) -> None:
    token_file = tmp_path / "token.txt"
    token_file.write_text(fake_wats.registration_token + "\n")
    result = cli("register", "--url", fake_wats.url, *URL_ARGS, "--token-file", str(token_file))
    assert result.returncode == 0, result.stderr

    result = cli(
        "register",
        "--url",
        fake_wats.url,
        *URL_ARGS,
        "--user",
        installer[0],
        env={"PYWATS_REGISTRATION_PASSWORD": installer[1]},
    )
    assert result.returncode == 0, result.stderr
    assert fake_wats.answer_count("POST /api/internal/Client/Register", 200) == 2


def test_a_refused_token_fails_cleanly(cli: Any, fake_wats: Any, station_home: Path) -> None:
    result = cli(
        "register",
        "--url",
        fake_wats.url,
        *URL_ARGS,
        env={"PYWATS_REGISTRATION_TOKEN": "RegTok-wrong-000"},
    )
    assert result.returncode == 1
    assert result.stderr.startswith("pywats-station: error: registration failed:")
    assert "Authorization has been denied" in result.stderr
    _no_traceback(result)
    assert not (station_home / "credentials.json").exists()
    assert not (station_home / "station.toml").exists()


def test_missing_token_without_a_terminal(cli: Any, fake_wats: Any) -> None:
    result = cli("register", "--url", fake_wats.url, *URL_ARGS)
    assert result.returncode == 2
    assert "Registration token is required (no terminal to ask on)" in result.stderr
    assert fake_wats.answer_count() == 0


def test_unreadable_token_file(cli: Any, fake_wats: Any, tmp_path: Path) -> None:
    result = cli("register", "--url", fake_wats.url, "--token-file", str(tmp_path / "nope"))
    assert result.returncode == 2
    assert "cannot read the token file" in result.stderr
    _no_traceback(result)


def test_bad_url_is_refused(cli: Any) -> None:
    result = cli(
        "register", "--url", "ftp://x", *URL_ARGS, env={"PYWATS_REGISTRATION_TOKEN": "tok-1234"}
    )
    assert result.returncode == 2
    assert "http:// or https://" in result.stderr
    _no_traceback(result)


def test_a_too_long_name_is_refused_before_registering(cli: Any, fake_wats: Any) -> None:
    result = cli(
        "register",
        "--url",
        fake_wats.url,
        "--name",
        "x" * 101,
        env={"PYWATS_REGISTRATION_TOKEN": fake_wats.registration_token},
    )
    assert result.returncode == 2
    assert "station.name: String should have at most 100 characters" in result.stderr
    assert fake_wats.answer_count() == 0
    _no_traceback(result)


def test_a_bad_config_names_the_key(cli: Any, station_home: Path) -> None:
    (station_home / "station.toml").write_text("[breaker]\nfailure_threshold = 0\n")
    result = cli("status")
    assert result.returncode == 2
    assert "breaker.failure_threshold: Input should be greater than or equal to 1" in result.stderr
    _no_traceback(result)


def test_register_works_while_a_station_runs_but_not_twice_at_once(
    cli: Any, fake_wats: Any, station_home: Path
) -> None:
    home = resolve_home(station_home)

    def hold(path: Path) -> subprocess.Popen[str]:
        holder = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import sys; from pathlib import Path; from pywats_station import InstanceLock; "
                "l = InstanceLock(Path(sys.argv[1])); l.acquire(); print('locked', flush=True); "
                "sys.stdin.read()",
                str(path),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        return holder

    station = hold(home.lock_file)  # a running station
    try:
        assert _register(cli, fake_wats).returncode == 0
        status = json.loads(cli("status", "--json").stdout)
        assert status["running"] is True
        assert status["process"]["pid"] == station.pid

        other = hold(home.data_dir / "register.lock")  # a registration in progress
        try:
            before = fake_wats.answer_count()
            result = _register(cli, fake_wats)
            assert result.returncode == 3
            assert f"another `pywats-station register` (pid {other.pid})" in result.stderr
            assert fake_wats.answer_count() == before  # refused before any network traffic
        finally:
            other.kill()
            other.wait(30)
    finally:
        station.kill()
        station.wait(30)


def test_home_from_the_environment(fake_wats: Any, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYWATS_")}
    env["PYWATS_STATION_HOME"] = str(tmp_path / "env-home")
    env["PYWATS_REGISTRATION_TOKEN"] = fake_wats.registration_token
    result = subprocess.run(
        [sys.executable, "-m", "pywats_station", "register", "--url", fake_wats.url, *URL_ARGS],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "env-home" / "station.toml").exists()
    assert (tmp_path / "env-home" / "credentials.json").exists()
    assert (tmp_path / "env-home" / "logs" / "station.log").exists()


def test_no_command_shows_usage(cli: Any) -> None:
    result = cli()
    assert result.returncode == 2
    assert "usage: pywats-station" in result.stderr


def test_a_bad_url_is_refused_before_a_token_is_asked_for(cli: Any) -> None:
    result = cli("register", "--url", "notaurl", *URL_ARGS)  # no token anywhere
    assert result.returncode == 2
    assert "http:// or https://" in result.stderr
    assert "token" not in result.stderr.lower()
    _no_traceback(result)


def test_a_limit_below_one_is_a_usage_error(cli: Any) -> None:
    result = cli("files", "list", "--limit", "0")
    assert result.returncode == 2
    assert "--limit: must be at least 1, got 0" in result.stderr
    _no_traceback(result)


def _subparsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    found = [parser]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found += _subparsers(sub)
    return found


def test_every_command_option_and_argument_is_explained_in_its_help() -> None:
    unexplained = [
        f"{parser.prog}: {action.dest}"
        for parser in _subparsers(_parser())
        for action in parser._actions
        if action.help is None and not isinstance(action, argparse._SubParsersAction)
    ]
    assert unexplained == []
    described = [p.prog for p in _subparsers(_parser()) if p.description]
    assert "pywats-station run" in described
    assert "pywats-station status" in described


def test_a_home_that_is_a_file_is_named_without_a_traceback(cli: Any, tmp_path: Path) -> None:
    not_a_folder = tmp_path / "station-home"
    not_a_folder.write_text("")
    result = cli("--home", str(not_a_folder), "status")
    assert result.returncode == 2
    expected = f"pywats-station: error: cannot set up the station home at {not_a_folder}: "
    assert result.stderr.startswith(expected)
    assert "File exists" in result.stderr
    _no_traceback(result)


def test_status_says_damaged_credentials_are_damaged(cli: Any, station_home: Path) -> None:
    station_home.mkdir(parents=True, exist_ok=True)
    (station_home / "credentials.json").write_bytes(b"\x00\xff not json")
    result = cli("status")
    assert result.returncode == 0, result.stderr
    assert "credentials.json is damaged; register the station again" in result.stdout
    _no_traceback(result)


def test_status_says_unreadable_credentials_cannot_be_read(cli: Any, station_home: Path) -> None:
    station_home.mkdir(parents=True, exist_ok=True)
    (station_home / "credentials.json").mkdir()  # there, but no file to read
    result = cli("status")
    assert result.returncode == 0, result.stderr
    assert "cannot read " in result.stdout
    assert "credentials.json: Is a directory" in result.stdout
    assert "register the station again" not in result.stdout
    _no_traceback(result)
