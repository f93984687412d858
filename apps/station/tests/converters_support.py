"""A station for the Converters page: one watched folder whose converter has settings,
and converters that do not load (an incompatible API, a failing import)."""

from __future__ import annotations

import sys
import textwrap
import uuid
from pathlib import Path
from typing import Any

import tomli_w

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

# Reads "<serial>" files; every report gets the folder's part number and process code.
PLUGIN = textwrap.dedent(
    '''
    from typing import Literal

    from pywats_converters import (
        ConversionContext, Converter, ConverterParameters, Field, Report, SourceFile, UUTBuilder,
    )

    class LineSettings(ConverterParameters):
        part_number: str = Field("PN-LINE", min_length=1, max_length=40)
        """Part number of every report."""
        process_code: int = Field(10, ge=1)
        """Process code of every report."""
        speed: Literal["fast", "careful"] = "fast"
        strict: bool = False

    class LineConverter(Converter[LineSettings]):
        """One report per file: the file holds the serial number and the report id."""
        name = "line"
        patterns = ("*.line",)
        description = "test line files"

        def convert(self, source: SourceFile, context: ConversionContext) -> list[Report]:
            serial, report_id = source.read_text().split()
            builder = UUTBuilder(
                pn=self.parameters.part_number, sn=serial, rev="A",
                process_code=self.parameters.process_code, report_id=report_id,
                machine_name=context.station.machine_name,
                location="Lab", purpose="Test",
            )
            builder.root.numeric("Voltage", 5.01, "GELE", low=4.9, high=5.1, unit="V")
            return [builder.build()]

    class FutureConverter(LineConverter):
        name = "future"
        api_version = 99
    '''
)

BROKEN = "import pywats_no_such_module  # noqa\n"


def converter_station(home: Path, tmp_path: Path) -> Path:
    """Add the plugins, ``[intake.converters]`` and folders to station.toml: folder 0 is
    watched (returned), folder 1 has bad settings, folder 2 a converter that does not load."""
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "line_plugin.py").write_text(PLUGIN)
    (plugins / "broken_plugin.py").write_text(BROKEN)
    folder = tmp_path / "line"
    folder.mkdir()
    config = home / "station.toml"
    data: dict[str, Any] = tomllib.loads(config.read_text())
    data["station"] = {**data.get("station", {}), "location": "Lab", "purpose": "Test"}
    data["intake"] = {
        "python_path": [str(plugins)],
        "converters": {
            "line": "line_plugin:LineConverter",
            "future": "line_plugin:FutureConverter",
            "broken": "broken_plugin:Broken",
        },
    }
    # First, so that their indexes are known; the console stations' inbox comes after.
    data["folders"] = [
        {
            "path": str(folder),
            "converter": "line",
            "include": ["*.line"],
            "settle": 0.2,
            "rescan": 1.0,
            "settings": {"part_number": "PN-OLD"},
        },
        {  # refused at start: its settings do not validate
            "path": str(tmp_path / "misconfigured"),
            "converter": "line",
            "settings": {"process_code": 0},
        },
        {  # refused at start: its converter does not load
            "path": str(tmp_path / "future"),
            "converter": "future",
        },
        *data.get("folders", []),
    ]
    config.write_text(tomli_w.dumps(data))
    return folder


def drop(folder: Path, serial: str) -> str:
    """Write a line file (via a hidden name, then renamed); returns its report id."""
    report_id = str(uuid.uuid4())
    hidden = folder / f".{serial}.line"
    hidden.write_text(f"{serial} {report_id}\n")
    hidden.rename(folder / f"{serial}.line")
    return report_id
