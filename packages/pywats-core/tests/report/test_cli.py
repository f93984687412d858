"""``pywats report validate|convert`` as real subprocesses on the reference files."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from pywats.report import dump_wsjf, parse_wsjf, parse_wsxf


def _parse_xml(data: bytes) -> ET.Element:
    return ET.fromstring(data)  # noqa: S314 - reference files and our own output


def _run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "pywats._cli", *map(str, args)],
        capture_output=True,
        timeout=120,
        cwd=cwd,
        check=False,
    )


@pytest.fixture
def examples(reference_dir: Path) -> Path:
    return reference_dir / "olreppe-pyWATS"


def test_validate_valid_files_exits_zero(examples: Path) -> None:
    files = [
        examples / "virinco-examples/WATS - WSJF UUT Example file.json",
        examples / "virinco-examples/WATS - WSJF UUR Example file.json",
        examples / "server-exports/uur_example.json",
    ]
    result = _run(
        "report",
        "validate",
        *files,
        "--process",
        "10=SW Debug",
        "--process",
        "90=Burn In test",
        "--process",
        "500=Repair",
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.decode().splitlines()
    assert lines == [f"{path}: valid" for path in files]
    assert result.stderr == b""


def test_validate_export_prints_the_servers_lines_and_exits_one(examples: Path) -> None:
    export = examples / "server-exports/uut-wsjf-export.json"
    result = _run("report", "validate", export)
    assert result.returncode == 1
    lines = result.stdout.decode().splitlines()
    assert lines[0] == f"{export}: 50 problems"
    assert lines[1] == (
        "root -> step Pass/Fail tests -> step SinglePassDone: "
        "Status cannot be different from measurement status."
    )
    assert (
        "root -> step Loops -> step StringValueStepLoopSequence -> loop StringValueStepLoop "
        "-> Index 1 -> stringMeas : compOp is required to match Summary step."
    ) in lines
    assert len(lines) == 51


def test_validate_reads_wsxf_too(examples: Path) -> None:
    result = _run("report", "validate", "-q", examples / "server-exports/uut-wsxf-export.xml")
    assert result.returncode == 1
    assert result.stdout.decode().splitlines()[0].endswith("uut-wsxf-export.xml: 50 problems")


def test_validate_process_check(examples: Path) -> None:
    path = examples / "virinco-examples/WATS - WSJF UUT Example file.json"
    result = _run("report", "validate", path, "--process", "10=sw debug")
    assert result.returncode == 1
    assert (
        "report: processName 'SW Debug' does not match process 10 'sw debug' (case-sensitive)."
        in result.stdout.decode()
    )


def test_unreadable_input_is_one_clear_line_and_exit_two(tmp_path: Path, examples: Path) -> None:
    garbled = tmp_path / "garbled.json"
    garbled.write_bytes(b'{"type": "T", "id": ')
    wrml = examples / "virinco-examples/uut-wrml.xml"
    missing = tmp_path / "missing.json"
    valid = examples / "server-exports/uur_example.json"
    result = _run("report", "validate", garbled, wrml, missing, valid)
    assert result.returncode == 2
    errors = result.stderr.decode().splitlines()
    assert errors == [
        f"pywats: error: {garbled}: not a WSJF report: invalid JSON at line 1 column 21: "
        "Expecting value",
        f"pywats: error: {wrml}: this is WRML (the WATS Client's XML format, namespace "
        "http://wats.virinco.com/schemas/WATS/Report), not WSJF or WSXF. WRML is not read by "
        "pywats-core; use the pywats-converters WRML converter",
        f"pywats: error: {missing}: no such file",
    ]
    assert b"Traceback" not in result.stderr
    # the readable file was still checked
    assert result.stdout.decode().splitlines() == [f"{valid}: valid"]


def test_bad_process_option_is_a_usage_error(examples: Path) -> None:
    result = _run(
        "report", "validate", examples / "server-exports/uur_example.json", "--process", "ten"
    )
    assert result.returncode == 2
    assert result.stderr.decode().startswith("pywats: error: --process expects CODE=NAME")


def test_convert_wsjf_to_wsxf_and_back(examples: Path, tmp_path: Path) -> None:
    source = examples / "server-exports/uut-wsjf-export.json"
    to_xml = _run("report", "convert", source, "--to", "wsxf")
    assert to_xml.returncode == 0, to_xml.stderr
    root = _parse_xml(to_xml.stdout)
    assert root.tag == "{http://wats.virinco.com/schemas/WATS/Report/wsxf}Reports"
    xml_file = tmp_path / "report.xml"
    xml_file.write_bytes(to_xml.stdout)
    back = _run("report", "convert", xml_file, "--to", "wsjf")
    assert back.returncode == 0, back.stderr
    document = json.loads(back.stdout)
    assert document["id"] == "33a2d408-3fc8-480b-b554-6866c77fd91c"
    assert parse_wsjf(back.stdout) == parse_wsxf(to_xml.stdout)


def test_convert_wsjf_to_wsjf_is_lossless(examples: Path) -> None:
    source = examples / "server-exports/uut-wsjf-export.json"
    result = _run("report", "convert", source, "--to", "wsjf")
    assert result.returncode == 0
    assert json.loads(result.stdout) == json.loads(source.read_bytes())
    assert dump_wsjf(parse_wsjf(result.stdout)) == json.loads(source.read_bytes())


def test_convert_garbage_exits_two(tmp_path: Path) -> None:
    path = tmp_path / "x.bin"
    path.write_bytes(b"\x00\x01binary")
    result = _run("report", "convert", path, "--to", "wsxf")
    assert result.returncode == 2
    assert result.stdout == b""
    assert result.stderr.decode().startswith(f"pywats: error: {path}: neither WSJF")


def test_usage_errors_come_from_argparse() -> None:
    result = _run("report", "convert", "x.json", "--to", "csv")
    assert result.returncode == 2
    assert b"invalid choice: 'csv'" in result.stderr
    assert _run().returncode == 2


def test_convert_reports_what_xml_cannot_carry(tmp_path: Path, examples: Path) -> None:
    doc = json.loads((examples / "server-exports/uur_example.json").read_bytes())
    doc["sn"] = "bell\u0007"
    path = tmp_path / "bell.json"
    path.write_text(json.dumps(doc))
    result = _run("report", "convert", path, "--to", "wsxf")
    assert result.returncode == 2
    assert result.stdout == b""
    assert result.stderr.decode() == (
        f"pywats: error: {path}: cannot write WSXF: <Report SN> contains U+0007, "
        "which XML 1.0 cannot carry\n"
    )


def test_stdin_as_input(examples: Path, format_neutral: Any) -> None:
    data = (examples / "server-exports/uur_example.json").read_bytes()
    result = subprocess.run(
        [sys.executable, "-m", "pywats._cli", "report", "convert", "-", "--to", "wsxf"],
        input=data,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    through_xml = dump_wsjf(parse_wsxf(result.stdout))
    assert format_neutral(through_xml) == format_neutral(json.loads(data))
