from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import platformdirs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pywats_station import ConfigError, StationConfig, load_config, resolve_home, save_config
from pywats_station._config import dump_config, parse_config, tomllib
from pywats_station._home import StationHome


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    config = load_config(tmp_path / "station.toml")
    assert config == StationConfig()
    assert config.retry.max_attempts == 20
    assert config.server.url is None


def test_full_file_is_read(tmp_path: Path) -> None:
    ca = _write(tmp_path / "ca.pem", "-----BEGIN CERTIFICATE-----\n")
    path = _write(
        tmp_path / "station.toml",
        """
[server]
url = "https://tenant.wats.com/api/"
verify_tls = "CA_PATH"

[station]
name = "ICT-07"
location = "Line 3"
purpose = "Production"

[retry]
base_delay = 0.5
max_delay = 60
max_attempts = 5

[breaker]
failure_threshold = 3
reset_timeout = 10

[upload]
concurrency = 4

[credentials]
key_store = "file"
""".replace("CA_PATH", str(ca)),
    )
    config = load_config(path)
    assert config.server.url == "https://tenant.wats.com"  # normalised: no /api/
    assert config.server.verify_tls == str(ca)
    assert config.station.name == "ICT-07"
    assert config.retry.max_delay == 60.0
    assert config.breaker.failure_threshold == 3
    assert config.upload.concurrency == 4
    assert config.credentials.key_store == "file"


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        ("[retry]\nmax_delay = -1\n", "retry.max_delay", "greater than 0"),
        ("[retry]\nmax_attempts = 'many'\n", "retry.max_attempts", "integer"),
        ("[upload]\nconcurrency = 0\n", "upload.concurrency", "greater than or equal to 1"),
        ("[breaker]\nreset_timeout = 0\n", "breaker.reset_timeout", "greater than 0"),
        ("[credentials]\nkey_store = 'vault'\n", "credentials.key_store", "'auto'"),
        ("[server]\nurl = 'ftp://x'\n", "server.url", "http"),
        ("[server]\nverify_tls = '/no/such/ca.pem'\n", "server.verify_tls", "is not a file"),
        ("[station]\nname = ''\n", "station.name", "at least 1"),
        ("retry = 5\n", "retry", "must be a table"),
        ("[server]\nverify_tls = 5\n", "server.verify_tls", "true, false or the path"),
    ],
)
def test_bad_value_names_the_key(tmp_path: Path, text: str, key: str, words: str) -> None:
    path = _write(tmp_path / "station.toml", text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert len(info.value.problems) == 1
    problem = info.value.problems[0]
    assert problem.startswith(f"{key}:"), problem
    assert words in problem
    assert str(path) in str(info.value)


def test_unknown_key_is_refused_with_a_suggestion(tmp_path: Path) -> None:
    path = _write(tmp_path / "station.toml", "[retry]\nmax_dely = 5\n\n[uplod]\nx = 1\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    problems = info.value.problems
    assert "retry.max_dely: unknown key; did you mean 'retry.max_delay'?" in problems
    assert any(p.startswith("uplod: unknown key") for p in problems)


def test_every_bad_key_is_reported_at_once(tmp_path: Path) -> None:
    path = _write(tmp_path / "station.toml", "[retry]\nmax_delay = -1\nmax_attempts = 0\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    keys = sorted(p.split(":")[0] for p in info.value.problems)
    assert keys == ["retry.max_attempts", "retry.max_delay"]


def test_invalid_toml_says_where(tmp_path: Path) -> None:
    path = _write(tmp_path / "station.toml", "[server]\nurl = https://x\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert "not valid TOML" in info.value.problems[0]
    assert "line 2" in info.value.problems[0]


def test_non_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "station.toml"
    path.write_bytes(b"[station]\nname = '\xff'\n")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(path)


@pytest.mark.parametrize("key", ["passcode", "token", "registration_token", "password"])
def test_secrets_are_refused_without_echoing_them(tmp_path: Path, key: str) -> None:
    path = _write(tmp_path / "station.toml", f"[server]\n{key} = 'hunter2-secret-value'\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.problems == [
        f"server.{key}: secrets do not belong in the config file; "
        "run `pywats-station register`, which stores them encrypted"
    ]
    assert "hunter2" not in str(info.value)


def test_save_then_load_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "station.toml"
    config = parse_config(
        {
            "server": {"url": "http://127.0.0.1:8080/wats", "verify_tls": False},
            "station": {"name": 'Tester "A" \\ ü', "identifier": "4C5F70D62FF4"},
            "retry": {"max_delay": 12.5},
        },
        path,
    )
    save_config(config, path)
    assert load_config(path) == config
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert not [p for p in path.parent.iterdir() if p.name != "station.toml"]


_text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40
)


@settings(max_examples=150, deadline=None)
@given(name=_text.filter(lambda s: s != ""), location=_text, purpose=_text)
def test_any_station_text_survives_dump_and_load(name: str, location: str, purpose: str) -> None:
    config = parse_config(
        {"station": {"name": name, "location": location, "purpose": purpose}}, Path("x")
    )
    again = parse_config(tomllib.loads(dump_config(config)), Path("x"))
    assert again == config


def test_home_resolution_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYWATS_STATION_HOME", raising=False)
    default = resolve_home()
    assert default.config_file == (
        platformdirs.user_config_path("pywats-station", appauthor=False) / "station.toml"
    )
    assert default.status_file.parent == platformdirs.user_data_path(
        "pywats-station", appauthor=False
    )

    monkeypatch.setenv("PYWATS_STATION_HOME", str(tmp_path / "from-env"))
    from_env = resolve_home()
    assert from_env.config_file == tmp_path / "from-env" / "station.toml"
    assert from_env.queue_file == tmp_path / "from-env" / "queue.db"
    assert from_env.status_file == tmp_path / "from-env" / "status.json"

    explicit = resolve_home(tmp_path / "explicit")
    assert explicit.config_file == tmp_path / "explicit" / "station.toml"
    assert explicit.lock_file == tmp_path / "explicit" / "station.lock"


def test_home_keeps_the_config_apart_from_the_data(tmp_path: Path) -> None:
    home = StationHome(config_dir=tmp_path / "config", data_dir=tmp_path / "data")
    assert home.config_file == tmp_path / "config" / "station.toml"
    data = {
        "queue_file": "queue.db",
        "file_log_file": "files.db",
        "processes_file": "processes.json",
        "archive_dir": "archive",
        "log_dir": "logs",
        "status_file": "status.json",
        "credentials_file": "credentials.json",
        "key_file": "credentials.key",
        "lock_file": "station.lock",
        "console_secret_file": "console.secret",
        "register_lock_file": "register.lock",
    }
    assert {name: getattr(home, name) for name in data} == {
        name: tmp_path / "data" / file for name, file in data.items()
    }
    with pytest.raises(dataclasses.FrozenInstanceError):
        home.queue_file = tmp_path / "elsewhere"  # type: ignore[misc]
