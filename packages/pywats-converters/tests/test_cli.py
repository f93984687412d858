"""``pywats-convert`` as a user runs it: a real process, exit codes, one line per problem."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pywats.report import parse_wsjf, parse_wsxf

SCRIPT = Path(sys.executable).parent / "pywats-convert"
WSJF_UUT = "olreppe-pyWATS/virinco-examples/WATS - WSJF UUT Example file.json"
WSXF_UUT = "olreppe-pyWATS/virinco-examples/uut-wsxf.xml"


def _cli(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=cwd,
    )


def test_list_names_the_standard_converters() -> None:
    done = _cli("--list")
    assert done.returncode == 0, done.stderr
    lines = {line.split()[0]: line for line in done.stdout.splitlines()}
    assert "api 1  ok" in lines["wsjf"]
    assert "*.json *.wsjf" in lines["wsjf"]
    assert "api 1  ok" in lines["wsxf"]


def test_list_json_gives_schema_and_defaults() -> None:
    done = _cli("--list", "--json")
    assert done.returncode == 0, done.stderr
    infos = {info["name"]: info for info in json.loads(done.stdout)}
    assert infos["wsxf"]["defaults"] == {"normalize": False}
    assert infos["wsxf"]["parameters_schema"]["properties"]["normalize"]["type"] == "boolean"


def test_a_file_converts_to_wsjf_on_stdout(reference_dir: Path) -> None:
    done = _cli(reference_dir / WSJF_UUT)
    assert done.returncode == 0, done.stderr
    report = parse_wsjf(done.stdout.encode())
    assert report.sn == "FATTest-111"
    assert "1 report(s) converted by 'wsjf'" in done.stderr


def test_reports_are_written_to_a_directory_as_wsxf(reference_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = _cli(reference_dir / WSXF_UUT, "--set", "normalize=true", "--to", "wsxf", "-o", out)
    assert done.returncode == 0, done.stderr
    (written,) = out.iterdir()
    report = parse_wsxf(written.read_bytes())
    assert written.name == f"{report.id}.xml"
    assert done.stdout == ""


def test_validate_writes_nothing(reference_dir: Path) -> None:
    done = _cli(reference_dir / WSJF_UUT, "--validate")
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert "1 report(s) valid by 'wsjf'" in done.stderr


def test_a_bad_file_fails_with_one_line_and_the_others_convert(
    reference_dir: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "cut.json"
    bad.write_text('{"type": "T", ')
    done = _cli(bad, reference_dir / WSJF_UUT)
    assert done.returncode == 1
    errors = [line for line in done.stderr.splitlines() if line.startswith("cut.json")]
    assert errors == [
        "cut.json: converter 'wsjf': conversion error: not a WSJF report: invalid JSON at "
        "line 1 column 15: Expecting property name enclosed in double quotes"
    ]
    assert "Traceback" not in done.stderr
    assert parse_wsjf(done.stdout.encode()).sn == "FATTest-111"


def test_no_converter_for_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "data.bin"
    path.write_bytes(b"\x00\x01")
    done = _cli(path)
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "data.bin: no installed converter accepts this file name; name one with --converter "
        "(see pywats-convert --list)"
    )


def test_settings_are_validated(reference_dir: Path) -> None:
    done = _cli(reference_dir / WSJF_UUT, "--set", "normalize=maybe", "--set", "colour=red")
    assert done.returncode == 1
    assert "settings invalid: normalize: Input should be a valid boolean" in done.stderr
    assert "colour: unknown setting" in done.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--converter", "nope", "x.json"], "no converter named 'nope' (installed: "),
        (["--set", "novalue", "x.json"], "--set 'novalue': expected KEY=VALUE"),
        ([], "no FILE given (or use --list)"),
    ],
)
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    done = _cli(*args)
    assert done.returncode == 2
    assert done.stderr.startswith("pywats-convert: error: ")
    assert message in done.stderr


def test_a_missing_file(tmp_path: Path) -> None:
    done = _cli(tmp_path / "nothere.json")
    assert done.returncode == 1
    assert done.stderr.strip() == f"{tmp_path / 'nothere.json'}: no such file or directory"


@pytest.mark.parametrize("seconds", ["0", "-1", "nan", "inf", "soon"])
def test_a_time_limit_must_be_a_positive_number_of_seconds(seconds: str) -> None:
    done = _cli("--time-limit", seconds, "x.json")
    assert done.returncode == 2
    assert "argument --time-limit: expected a positive number of seconds" in done.stderr
    assert "Traceback" not in done.stderr
