"""Intake end to end: `pywats-station run` watching folders, the fake WATS over loopback.

Mixed files (WSJF, ATML from the reference set with fresh ids and serials, corrupt files,
files a hostile converter hangs on, files written slowly) go into two watched folders and
a subfolder; every good file's reports must be stored exactly once, every source file
must end archived or in ``Error/`` with its reason, and the bad ones must not hold up the
good ones. The crash test SIGKILLs the station during intake and checks the same.
"""

from __future__ import annotations

import random
import re
import signal
import sys
import textwrap
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from pywats_station import resolve_home
from pywats_station._filelog import FileLog

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ATML = "olreppe-pyWATS/atml/ATML 5.00 [2 31 11 PM][5 15 2019].xml"

HOSTILE = textwrap.dedent(
    '''
    import time
    from pywats_converters import ConversionContext, Converter, Report, SourceFile

    class Hang(Converter):
        """Hangs on every file: the runner's time limit must end it."""
        name = "hang"
        patterns = ("*.hang",)

        def convert(self, source: SourceFile, context: ConversionContext) -> list[Report]:
            time.sleep(3600)
            return []
    '''
)


def _config(station_home: Path, extra: str) -> None:
    """Merge the TOML ``extra`` into station.toml, giving the station the location and
    purpose that WATS requires on every report."""
    config = station_home / "station.toml"
    data = tomllib.loads(config.read_text())
    for key, value in tomllib.loads(extra).items():
        if isinstance(value, dict):
            data.setdefault(key, {}).update(value)
        else:
            data[key] = value
    station = data.setdefault("station", {})
    station["location"] = station.get("location") or "Lab"
    station["purpose"] = station.get("purpose") or "Intake test"
    config.write_text(tomli_w.dumps(data))


def _set_folder_settings(station_home: Path, index: int, **settings: object) -> None:
    config = station_home / "station.toml"
    data = tomllib.loads(config.read_text())
    data["folders"][index].setdefault("settings", {}).update(settings)
    config.write_text(tomli_w.dumps(data))


def _one_folder(path: Path, converter: str) -> str:
    """A ``[[folders]]`` entry that settles and rescans quickly."""
    return f'[[folders]]\npath = "{path}"\nconverter = "{converter}"\nsettle = 0.2\nrescan = 0.5\n'


def _folders_config(tmp_path: Path, plugins: Path) -> str:
    return textwrap.dedent(
        f"""
        [server]
        connect_timeout = 2.0
        upload_timeout = 5.0

        [upload]
        lease = 10.0  # a killed station's claims come back soon

        [intake]
        workers = 2
        time_limit = 2.0
        python_path = ["{plugins}"]

        [intake.converters]
        hang = "hostile_plugin:Hang"

        [[folders]]
        path = "{tmp_path / "line1"}"
        converter = "wsjf"
        include = ["*.json"]
        recursive = true
        settle = 0.5
        rescan = 1.0

        [[folders]]
        path = "{tmp_path / "line2"}"
        converter = "atml"
        include = ["*.xml"]
        settle = 0.5
        rescan = 1.0

        [folders.settings]
        default_part_number = "PN-ATML"
        operation = 60

        [[folders]]
        path = "{tmp_path / "hostile"}"
        converter = "hang"
        settle = 0.2
        rescan = 1.0
        """
    )


def _atml_copy(template: str, serial: str) -> tuple[str, str]:
    """The reference ATML file with a fresh report id and serial number."""
    report_id = str(uuid.uuid4())
    text = re.sub(r'uuid="[^"]+"', f'uuid="{report_id}"', template, count=1)
    text = re.sub(r"(<tr:UUT[^>]*>\s*<c:SerialNumber>)[^<]*", rf"\g<1>{serial}", text, count=1)
    return text, report_id


class _Drop:
    """Writes the mixed set of files; remembers which reports must arrive."""

    def __init__(self, tmp_path: Path, reference_dir: Path, write_report: Any, seed: int) -> None:
        self.tmp_path = tmp_path
        self.expected: dict[str, str] = {}  # report id -> source file name
        self.bad: list[Path] = []
        self.atml_template = (reference_dir / ATML).read_text(encoding="latin-1")
        self.write_report = write_report
        self.random = random.Random(seed)
        self.written = 0
        for name in ("line1/sub", "line2", "hostile"):
            (tmp_path / name).mkdir(parents=True, exist_ok=True)

    def wsjf(self, n: int, *, slow: bool = False) -> None:
        folder = self.tmp_path / ("line1/sub" if n % 3 == 0 else "line1")
        path, report_id = self.write_report(self.tmp_path, f"SN-{n:04d}")
        target = folder / f"r{n:04d}.json"
        data = path.read_bytes()
        path.unlink()
        if slow:  # a tester writing its file in pieces over about 2 s
            with target.open("wb") as handle:
                for start in range(0, len(data), max(1, len(data) // 8)):
                    handle.write(data[start : start + max(1, len(data) // 8)])
                    handle.flush()
                    time.sleep(0.25)
        else:
            tmp = folder / f".r{n:04d}.json.part"
            tmp.write_bytes(data)
            tmp.rename(target)
        self.expected[report_id] = target.name

    def atml(self, n: int) -> None:
        text, report_id = _atml_copy(self.atml_template, f"ATML-{n:04d}")
        (self.tmp_path / "line2" / f"a{n:04d}.xml").write_text(text, encoding="latin-1")
        self.expected[report_id] = f"a{n:04d}.xml"

    def corrupt(self, n: int) -> None:
        path = self.tmp_path / "line1" / f"bad{n:04d}.json"
        path.write_text('{"type": "T", "id": ')
        self.bad.append(path)

    def hostile(self, n: int) -> None:
        path = self.tmp_path / "hostile" / f"h{n:04d}.hang"
        path.write_text("hang")
        self.bad.append(path)

    def mixed(self, count: int, *, slow_every: int = 0) -> list[threading.Thread]:
        slow_writers = []
        first, self.written = self.written, self.written + count  # names never repeat
        for n in range(first, first + count):
            kind = self.random.random()
            if slow_every and n % slow_every == 0:
                writer = threading.Thread(target=self.wsjf, args=(n,), kwargs={"slow": True})
                writer.start()
                slow_writers.append(writer)
            elif kind < 0.70:
                self.wsjf(n)
            elif kind < 0.85:
                self.atml(n)
            elif kind < 0.95:
                self.corrupt(n)
            else:
                self.hostile(n)
        return slow_writers


def _is_write_leftover(path: Path) -> bool:
    # A SIGKILL inside atomic_write_bytes leaves its hidden temp file (".<name>.<random>.tmp")
    # beside the archived file: a leftover of the sidecar's write, not an archived source.
    return path.name.startswith(".") and path.name.endswith(".tmp")


def _settled(tmp_path: Path, home: Path) -> tuple[list[Path], list[Path]]:
    archived = [
        p
        for p in (home / "archive").rglob("*")
        if p.is_file() and not p.name.endswith(".reports.json") and not _is_write_leftover(p)
    ]
    errored = [
        p
        for p in tmp_path.rglob("Error/*")
        if p.is_file() and not p.name.endswith(".error.txt") and not _is_write_leftover(p)
    ]
    return archived, errored


def _waiting(tmp_path: Path) -> list[Path]:
    return [
        p
        for folder in ("line1", "line2", "hostile")
        for p in (tmp_path / folder).rglob("*")
        if p.is_file() and "Error" not in p.parts and not p.name.startswith(".")
    ]


def _check_outcome(drop: _Drop, fake_wats: Any, tmp_path: Path, home: Path) -> None:
    stored = {r.id for r in fake_wats.reports()}
    missing = set(drop.expected) - stored
    assert not missing, f"{len(missing)} good reports never arrived"
    twice = [rid for rid in drop.expected if fake_wats.commits(rid) != 1]
    assert not twice, f"stored more than once: {twice[:5]}"
    archived, errored = _settled(tmp_path, home)
    assert sorted(p.name for p in archived) == sorted(drop.expected.values())
    assert sorted(p.name for p in errored) == sorted(p.name for p in drop.bad)
    for path in errored:
        reason = Path(f"{path}.error.txt").read_text()
        assert "cause: " in reason
        assert "converter: " in reason
    print(
        f"intake: {len(drop.expected)} good files stored once each, "
        f"{len(archived)} archived, {len(errored)} in Error/ with a reason "
        f"({sum(p.suffix == '.hang' for p in errored)} from the hostile converter)"
    )


@pytest.fixture
def plugins(tmp_path: Path) -> Path:
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "hostile_plugin.py").write_text(HOSTILE)
    return folder


@pytest.mark.slow
def test_mixed_files_in_watched_folders_are_each_handled_once(
    registered: Any,
    station: Any,
    fake_wats: Any,
    station_home: Path,
    tmp_path: Path,
    reference_dir: Path,
    write_report: Any,
    plugins: Path,
    random_seed: int,
) -> None:
    _config(station_home, _folders_config(tmp_path, plugins))
    drop = _Drop(tmp_path, reference_dir, write_report, random_seed)
    drop.mixed(30)  # some files wait for the station
    running = station()
    writers = drop.mixed(270, slow_every=45)
    for writer in writers:
        writer.join()
    running.wait_for(
        lambda s: (
            s["metrics"]["uploads"]["succeeded"] >= len(drop.expected) and not _waiting(tmp_path)
        ),
        f"{len(drop.expected)} uploads and empty folders",
        timeout=600,
    )
    folders = running.status()["folders"]
    assert [f["reachable"] for f in folders] == [True, True, True]
    assert running.terminate()[0] == 0
    _check_outcome(drop, fake_wats, tmp_path, station_home)


@pytest.mark.slow
def test_intake_survives_ten_kills_without_loss_or_duplicates(
    registered: Any,
    station: Any,
    fake_wats: Any,
    station_home: Path,
    tmp_path: Path,
    reference_dir: Path,
    write_report: Any,
    plugins: Path,
    random_seed: int,
) -> None:
    _config(station_home, _folders_config(tmp_path, plugins))
    drop = _Drop(tmp_path, reference_dir, write_report, random_seed)
    rng = random.Random(random_seed)
    for round_ in range(10):
        drop.mixed(15)
        running = station()
        time.sleep(rng.uniform(0.3, 2.5))  # a random moment during intake: the point of the test
        running.proc.send_signal(signal.SIGKILL)
        running.proc.wait(timeout=60)
        print(f"kill {round_ + 1}: {len(_waiting(tmp_path))} files still waiting")
    running = station()
    running.wait_for(
        lambda s: (
            not _waiting(tmp_path)
            and s["metrics"]["queue_depth"].get("ready", 0) == 0
            and s["metrics"]["queue_depth"].get("leased", 0) == 0
        ),
        "every file handled and every report delivered",
        timeout=600,
    )
    assert running.terminate()[0] == 0
    _check_outcome(drop, fake_wats, tmp_path, station_home)


def test_an_error_file_reconverted_after_a_settings_fix_is_delivered_once(
    registered: Any,
    station: Any,
    fake_wats: Any,
    station_home: Path,
    tmp_path: Path,
    reference_dir: Path,
) -> None:
    inbox = tmp_path / "atml"
    inbox.mkdir()
    _config(station_home, _one_folder(inbox, "atml"))
    # This ATML file names no part number: the atml converter refuses it until the folder
    # supplies one.
    no_part_number = reference_dir / "olreppe-pyWATS/atml/TS2017_ATML2.02 - FATv1.XML"
    text, report_id = _atml_copy(no_part_number.read_text(encoding="latin-1"), "RC-1")
    (inbox / "run.xml").write_text(text, encoding="latin-1")
    running = station()
    running.wait_for(
        lambda s: (inbox / "Error" / "run.xml.error.txt").exists(), "the file in Error/"
    )
    reason = (inbox / "Error" / "run.xml.error.txt").read_text()
    assert "part number" in reason

    # The fix: give the folder the part number the file lacks. A station reads station.toml
    # at start, and `files reconvert` moves the file, so the station is stopped meanwhile.
    assert running.terminate()[0] == 0
    _set_folder_settings(station_home, 0, default_part_number="PN-FIXED", operation=60)
    home = resolve_home(station_home)
    (record,) = FileLog(home.data_dir / "files.db").recent()
    done = registered("files", "reconvert", str(record.id))
    assert done.returncode == 0, done.stderr
    assert report_id in done.stdout
    running = station()
    running.wait_for(lambda s: fake_wats.commits(report_id) == 1, "the reconverted report")
    assert running.terminate()[0] == 0
    assert fake_wats.commits(report_id) == 1
    assert not (inbox / "Error" / "run.xml").exists()
    listed = registered("files", "list", "--json").stdout
    assert '"outcome": "queued"' in listed


def test_a_watched_folder_that_vanishes_and_returns_resumes_without_a_restart(
    registered: Any,
    station: Any,
    fake_wats: Any,
    station_home: Path,
    tmp_path: Path,
    write_report: Any,
) -> None:
    inbox, away = tmp_path / "inbox", tmp_path / "inbox-away"
    inbox.mkdir()
    _config(station_home, _one_folder(inbox, "wsjf"))
    running = station()
    _, before_id = write_report(inbox, "SN-BEFORE")
    running.wait_for(lambda s: fake_wats.commits(before_id) == 1, "the first file delivered")

    inbox.rename(away)  # the share is unmounted, or someone moved the folder
    gone = running.wait_for(
        lambda s: not s["folders"][0]["reachable"], "the folder reported unreachable"
    )
    assert "does not exist" in gone["folders"][0]["reason"]
    shown = registered("status")
    assert shown.returncode == 0, shown.stderr
    assert f"{inbox}: UNREACHABLE: does not exist" in shown.stdout
    assert running.proc.poll() is None

    after, after_id = write_report(away, "SN-AFTER")
    away.rename(inbox)  # it comes back, with a new file in it
    running.wait_for(
        lambda s: s["folders"][0]["reachable"] and fake_wats.commits(after_id) == 1,
        "the folder reachable again and its new file delivered",
    )
    assert running.terminate()[0] == 0
    assert fake_wats.commits(before_id) == 1
    assert not (inbox / after.name).exists()
    assert [p.name for p in (station_home / "archive").rglob(after.name)] == [after.name]
    log = (station_home / "logs" / "station.log").read_text(encoding="utf-8")
    assert f"folder {inbox} is unreachable (does not exist" in log
    assert f"folder {inbox} is reachable again" in log
