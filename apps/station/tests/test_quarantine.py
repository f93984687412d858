"""A report damaged on disk in the queue is set aside visibly; the others are delivered."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
import tomli_w

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


def _flip_byte_inside(path: Path, marker: bytes) -> bool:
    data = bytearray(path.read_bytes())
    at = data.find(marker)
    if at < 0:
        return False
    data[at + len(marker) // 2] ^= 0x20
    path.write_bytes(bytes(data))
    return True


@pytest.mark.parametrize("backend", ["sqlite", "file"])
def test_a_payload_damaged_on_disk_is_quarantined_and_shown(
    backend: str,
    registered: Any,
    station: Any,
    fake_wats: Any,
    station_home: Path,
    tmp_path: Path,
    write_report: Any,
) -> None:
    if backend == "file":
        config = station_home / "station.toml"
        data = tomllib.loads(config.read_text())
        data.setdefault("queue", {})["url"] = f"file://{tmp_path / 'q'}"
        config.write_text(tomli_w.dumps(data))
    files = [write_report(tmp_path, f"SN-Q{i}") for i in range(4)]
    assert registered("submit", *(str(p) for p, _ in files)).returncode == 0
    stored = (
        [station_home / "queue.db"]
        if backend == "sqlite"
        else [p for p in (tmp_path / "q").rglob("*") if p.is_file()]
    )
    assert sum(_flip_byte_inside(p, b'"SN-Q2"') for p in stored) == 1
    damaged_id = files[2][1]

    running = station()
    status = running.wait_for(
        lambda s: (
            s["metrics"]["uploads"]["succeeded"] == 3 and s.get("quarantine", {}).get("count") == 1
        ),
        "3 uploads and 1 quarantined",
    )
    assert "checksum" in status["quarantine"]["latest_reason"]
    assert running.terminate()[0] == 0
    assert fake_wats.commits(damaged_id) == 0
    assert all(fake_wats.commits(rid) == 1 for _, rid in files if rid != damaged_id)

    listed = json.loads(registered("queue", "list", "--json").stdout)
    assert [i["state"] for i in listed] == ["quarantined"]
    assert "checksum" in listed[0]["last_error"]
    if backend == "sqlite":  # the file backend cannot trust a damaged file's key
        assert listed[0]["report_id"] == damaged_id
    shown = json.loads(registered("status", "--json").stdout)["queue"]
    assert shown["quarantined"] == 1
    assert "checksum" in shown["quarantine_reason"]
    assert "quarantined 1" in registered("status").stdout
    log = (station_home / "logs" / "station.log").read_text(encoding="utf-8")
    assert "1 queue item(s) quarantined" in log
