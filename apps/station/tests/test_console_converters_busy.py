"""The Converters page of a real ``pywats-station run`` answers while its one converter
worker is busy with a long conversion (describing converters uses a spare worker)."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path
from typing import Any

import tomli_w

sys.path.insert(0, str(Path(__file__).parent))  # --import-mode=importlib: no implicit path
from console_support import ConsoleStation, register

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

# Holds every file in conversion until `release` appears beside its folder, then fails it.
HOLD = textwrap.dedent(
    """
    import time
    from pywats_converters import ConversionContext, ConversionError, Converter, Report, SourceFile

    class Hold(Converter):
        name = "hold"

        def convert(self, source: SourceFile, context: ConversionContext) -> list[Report]:
            signals = source.path.parent.parent
            (signals / "converting").touch()
            deadline = time.monotonic() + 600
            while not (signals / "release").exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            raise ConversionError("held, then failed", source=source.path)
    """
)


def test_the_converters_page_answers_while_the_converter_worker_is_busy(
    cli: Any, fake_wats: Any, station_home: Path, tmp_path: Path
) -> None:
    register(cli, fake_wats, station_home)
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "hold_plugin.py").write_text(HOLD)
    held = tmp_path / "held"
    held.mkdir()
    config = station_home / "station.toml"
    data = tomllib.loads(config.read_text())
    data["intake"] = {  # one worker (the default), and no time limit in this test's way
        "python_path": [str(plugins)],
        "converters": {"hold": "hold_plugin:Hold"},
        "time_limit": 900.0,
    }
    data["folders"] = [
        *data.get("folders", []),
        {"path": str(held), "converter": "hold", "settle": 0.2, "rescan": 1.0},
    ]
    config.write_text(tomli_w.dumps(data))
    console = ConsoleStation(station_home)
    try:
        (held / "long.run").write_text("a file its converter takes long over")
        console.wait_for(lambda: (tmp_path / "converting").exists(), "the conversion started")

        status, _, body = console.get("/converters")  # the first load: describes every one

        assert status == 200, body
        assert 'id="converter-hold"' in body
        assert 'id="converter-atml"' in body
        assert console.records() == []  # the conversion is still running
    finally:
        (tmp_path / "release").touch()
        console.stop()
