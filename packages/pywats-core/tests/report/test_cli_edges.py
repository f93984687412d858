"""``pywats report`` at the edges: deep step trees, unwritable output, WRML, hostile XML.

Each case runs the real command in a subprocess: exit 0 or 2 with one clear line, never an
internal error or a traceback.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pywats.report import Report, ReportFormatError, Step, dumps_wsjf, dumps_wsxf, parse_wsjf

NS = "http://wats.virinco.com/schemas/WATS/Report/wsxf"
WRML_LINE = (
    "this is WRML (the WATS Client's XML format, namespace "
    "http://wats.virinco.com/schemas/WATS/Report), not WSJF or WSXF. WRML is not read by "
    "pywats-core; use the pywats-converters WRML converter"
)


def _run(*args: str | Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "pywats._cli", *map(str, args)],
        capture_output=True,
        timeout=300,
        check=False,
    )


def _nested_wsxf(depth: int) -> bytes:
    """A valid UUT report whose root sequence holds ``depth - 1`` nested sequence calls."""
    opening = "".join(
        f'<Step Id="{level}" Group="Main" Name="Seq {level}" StepType="SequenceCall" '
        f'Status="Passed"><SequenceCall Name="Seq {level}" Version="1"/>'
        for level in range(depth)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><Reports xmlns="{NS}">'
        '<Report type="UUT" ID="0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0" '
        'Start="2026-02-01T10:00:00.0000000+01:00" Start_utc="2026-02-01T09:00:00.0000000Z" '
        'Result="Passed" SN="SN-1" PN="PN-1" Rev="A" MachineName="ST-1" Location="Lab" '
        'Purpose="Test"><UUT UserLoginName="op"/><Process Code="10" Name="SW Debug"/>'
        f"{opening}{'</Step>' * depth}</Report></Reports>"
    ).encode()


def _depth(step: Step | None) -> int:
    levels = 0
    while step is not None:
        levels += 1
        step = step.steps[0] if step.steps else None
    return levels


def _assert_one_clear_line(result: subprocess.CompletedProcess[bytes]) -> str:
    errors = result.stderr.decode()
    assert b"Traceback" not in result.stderr
    assert "internal error" not in errors
    assert errors.count("\n") == 1, errors
    return errors.strip()


def test_convert_of_250_nested_sequences_works_both_ways(tmp_path: Path) -> None:
    source = tmp_path / "deep.xml"
    source.write_bytes(_nested_wsxf(250))
    to_json = _run("report", "convert", source, "--to", "wsjf")
    assert to_json.returncode == 0, to_json.stderr
    report = parse_wsjf(to_json.stdout)
    assert _depth(report.root) == 250
    to_xml = _run("report", "convert", source, "--to", "wsxf")
    assert to_xml.returncode == 0, to_xml.stderr
    assert to_xml.stdout.count(b"<Step ") == 250
    valid = _run("report", "validate", source, "--process", "10=SW Debug")
    assert valid.returncode == 0, valid.stdout + valid.stderr
    assert valid.stdout.decode() == f"{source}: valid\n"


@pytest.mark.parametrize("depth", [251, 400, 3000])
def test_convert_of_deeper_trees_is_exit_two_naming_the_limit(tmp_path: Path, depth: int) -> None:
    source = tmp_path / "deeper.xml"
    source.write_bytes(_nested_wsxf(depth))
    for target in ("wsjf", "wsxf"):
        result = _run("report", "convert", source, "--to", target)
        assert result.returncode == 2
        assert result.stdout == b""
        line = _assert_one_clear_line(result)
        assert line.startswith(f"pywats: error: {source}: not a valid WSXF report: Report -> ")
        assert line.endswith(": steps nested more than 250 levels deep")
        assert "levels) ..." in line  # the path is shortened, not 250 segments long


def test_convert_of_a_deep_wsjf_is_exit_two(tmp_path: Path) -> None:
    source = tmp_path / "deep.json"
    body = '{"steps":[' * 400 + "{}" + "]}" * 400
    source.write_text(
        '{"type":"T","id":"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0","root":' + body + "}"
    )
    result = _run("report", "convert", source, "--to", "wsxf")
    assert result.returncode == 2
    line = _assert_one_clear_line(result)
    assert line.endswith("nested too deeply (pywats reads steps nested up to 250 levels)")


def test_a_tree_built_too_deep_is_refused_when_written() -> None:
    root = step = Step(name="level 1")
    for level in range(2, 260):
        child = Step(name=f"level {level}")
        step.steps = [child]
        step = child
    report = Report(type="T", id="0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", root=root)
    with pytest.raises(ReportFormatError, match="cannot write WSXF: steps nested more than 250"):
        dumps_wsxf(report)
    with pytest.raises(ReportFormatError, match="cannot write WSJF: steps nested too deeply"):
        dumps_wsjf(report)


@pytest.fixture
def small_report(tmp_path: Path) -> Path:
    source = tmp_path / "report.xml"
    source.write_bytes(_nested_wsxf(3))
    return source


def test_output_into_a_missing_directory_is_exit_two_naming_the_path(
    tmp_path: Path, small_report: Path
) -> None:
    target = tmp_path / "no-such-dir" / "out.json"
    result = _run("report", "convert", small_report, "--to", "wsjf", "-o", target)
    assert result.returncode == 2
    assert result.stdout == b""
    line = _assert_one_clear_line(result)
    assert line == f"pywats: error: cannot write {target}: No such file or directory"
    assert not target.parent.exists()


def test_output_onto_a_directory_is_exit_two_naming_the_path(
    tmp_path: Path, small_report: Path
) -> None:
    result = _run("report", "convert", small_report, "--to", "wsxf", "-o", tmp_path)
    assert result.returncode == 2
    line = _assert_one_clear_line(result)
    assert line == f"pywats: error: cannot write {tmp_path}: Is a directory"


def test_output_under_a_file_is_exit_two_naming_the_path(
    tmp_path: Path, small_report: Path
) -> None:
    target = small_report / "out.json"  # a path "inside" a regular file
    result = _run("report", "convert", small_report, "--to", "wsjf", "-o", target)
    assert result.returncode == 2
    line = _assert_one_clear_line(result)
    assert line == f"pywats: error: cannot write {target}: Not a directory"
    assert small_report.read_bytes() == _nested_wsxf(3)  # the input is untouched


def test_written_output_is_the_converted_report(tmp_path: Path, small_report: Path) -> None:
    target = tmp_path / "out.json"
    result = _run("report", "convert", small_report, "--to", "wsjf", "-o", target)
    assert result.returncode == 0, result.stderr
    assert result.stdout == b""
    assert json.loads(target.read_bytes())["root"]["name"] == "Seq 0"


@pytest.mark.parametrize("name", ["uut-wrml.xml", "uur-wrml.xml"])
def test_wrml_is_named_as_wrml(reference_dir: Path, name: str) -> None:
    wrml = reference_dir / "olreppe-pyWATS/virinco-examples" / name
    for command in (("convert", wrml, "--to", "wsjf"), ("validate", wrml)):
        result = _run("report", *command)
        assert result.returncode == 2
        assert result.stdout == b""
        assert _assert_one_clear_line(result) == f"pywats: error: {wrml}: {WRML_LINE}"


def test_hostile_xml_is_exit_two(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-7f3a")
    source = tmp_path / "xxe.xml"
    source.write_text(
        f'<?xml version="1.0"?><!DOCTYPE Reports [<!ENTITY x SYSTEM "{secret.as_uri()}">]>'
        f'<Reports xmlns="{NS}"><Report type="UUT" ID="A" SN="&x;"/></Reports>'
    )
    result = _run("report", "convert", source, "--to", "wsjf")
    assert result.returncode == 2
    assert b"TOP-SECRET" not in result.stdout + result.stderr
    line = _assert_one_clear_line(result)
    assert line.startswith(f"pywats: error: {source}: not a WSXF report: the XML declares")
