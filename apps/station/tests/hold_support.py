"""For tests that act while a conversion is in progress: the ``hold`` converter and a
station.toml merge.

``hold`` fails every file; a file reading ``hold`` is first held in conversion: the
converter touches ``converting`` two folders up (``tmp_path`` for ``tmp_path/inbox/x``)
and waits there until the test touches ``release``.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path
from typing import Any

import tomli_w

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

HOLD = textwrap.dedent(
    """
    import time
    from pywats_converters import ConversionContext, ConversionError, Converter, Report, SourceFile

    class Hold(Converter):
        name = "hold"

        def convert(self, source: SourceFile, context: ConversionContext) -> list[Report]:
            if source.read_bytes().strip() == b"hold":
                signals = source.path.parent.parent
                (signals / "converting").touch()
                deadline = time.monotonic() + 600
                while not (signals / "release").exists() and time.monotonic() < deadline:
                    time.sleep(0.05)
            raise ConversionError("not a report", source=source.path)
    """
)


def configure(home: Path, **sections: Any) -> None:
    """Merge ``sections`` into ``home/station.toml``: tables are updated, arrays of tables
    (``folders=[...]``) extended."""
    config = home / "station.toml"
    data = tomllib.loads(config.read_text())
    for name, values in sections.items():
        if isinstance(values, list):
            data[name] = [*data.get(name, []), *values]
        else:
            data.setdefault(name, {}).update(values)
    config.write_text(tomli_w.dumps(data))


def install_hold(home: Path, tmp_path: Path, **intake: Any) -> None:
    """``hold`` in ``tmp_path/plugins``, registered in ``[intake]`` with ``intake`` besides."""
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "hold_plugin.py").write_text(HOLD)
    configure(
        home,
        intake={
            "python_path": [str(plugins)],
            "converters": {"hold": "hold_plugin:Hold"},
            **intake,
        },
    )
