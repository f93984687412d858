"""The Converters page of a real ``pywats-station run`` answers while its one converter
worker is busy with a long conversion (describing converters uses a spare worker)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))  # --import-mode=importlib: no implicit path
from console_support import ConsoleStation, register
from hold_support import configure, install_hold


def test_the_converters_page_answers_while_the_converter_worker_is_busy(
    cli: Any, fake_wats: Any, station_home: Path, tmp_path: Path
) -> None:
    register(cli, fake_wats, station_home)
    install_hold(station_home, tmp_path, time_limit=900.0)  # and one worker, the default
    held = tmp_path / "held"
    held.mkdir()
    configure(
        station_home,
        folders=[{"path": str(held), "converter": "hold", "settle": 0.2, "rescan": 1.0}],
    )
    console = ConsoleStation(station_home)
    try:
        (held / "long.run").write_text("hold")
        console.wait_for(lambda: (tmp_path / "converting").exists(), "the conversion started")

        status, _, body = console.get("/converters")  # the first load: describes every one

        assert status == 200, body
        assert 'id="converter-hold"' in body
        assert 'id="converter-atml"' in body
        assert console.records() == []  # the conversion is still running
    finally:
        (tmp_path / "release").touch()
        console.stop()
