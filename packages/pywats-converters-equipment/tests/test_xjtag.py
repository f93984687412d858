"""XJTAG: .xjlog archives and run XML, by hand-read values, and broken variants."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from pywats_converters import ConversionError
from pywats_converters_equipment import XJTAG

DIR = "Virinco-WATS-Client-Converter-JTAG"
PAIR = "567567_14_29_24_17_06_2020_Pass"
DEMO = "Demonstration hardware--28_10_2019"


@pytest.mark.reference_files(f"{DIR}/*.xjlog", f"{DIR}/*.xml")
def test_every_sample_converts_to_valid_reports(reference_file: Path, convert) -> None:
    assert convert(XJTAG, reference_file)


def test_single_run_archive(reference_dir: Path, convert, leaves, step_named) -> None:
    (run,) = convert(XJTAG, reference_dir / DIR / f"{PAIR}.xjlog")
    assert (run.sn, run.pn) == ("567567", "Demonstration hardware")  # <serial>, <project-…>
    assert run.result.value == "P"  # <result>Passed</result>
    assert run.uut.user == "ADMINISTRATOR"
    assert run.start == "2020-06-17T13:29:24.2586780Z"  # testrun datetime, UTC
    assert run.uut.exec_time == 47.96  # <time-taken>47960</time-taken>
    assert len(run.root.steps) == 13  # testgroup elements
    steps = leaves(run)
    assert len(steps) == 24  # testfunction elements
    assert [s.name for s in steps if s.status.value == "S"] == [
        "IC3.TestNonDestructive",
        "VerifyIC3",
    ]
    adc = step_named(run, "ADC_Test")
    assert (adc.status.value, adc.tot_time) == ("P", 5.944)  # <time-taken>5944</time-taken>


def test_run_xml_and_its_archive_agree_step_for_step(reference_dir: Path, convert) -> None:
    (packed,) = convert(XJTAG, reference_dir / DIR / f"{PAIR}.xjlog")
    (plain,) = convert(XJTAG, reference_dir / DIR / f"{PAIR}.xml")
    assert [(s.name, s.status) for s in packed.steps()] == [
        (s.name, s.status) for s in plain.steps()
    ]
    assert (packed.sn, packed.start, packed.result) == (plain.sn, plain.start, plain.result)


def test_every_run_of_an_archive_is_a_report(reference_dir: Path, convert, step_named) -> None:
    runs = convert(XJTAG, reference_dir / DIR / f"{DEMO}-2.xjlog")
    assert [r.sn for r in runs] == ["10101", "10101", "10102"]
    assert [r.result.value for r in runs] == ["F", "F", "P"]
    assert runs[0].machine_name == "OriginalXJLink"  # <xjlink-name>
    conntest = step_named(runs[0], "CONNTEST")
    assert conntest.status.value == "F"
    assert conntest.error_message == "Error on net IO0-NetJP1_19: Stuck at 0."
    assert "Error: Unexpected value on logic net D0." in conntest.report_text
    six = convert(XJTAG, reference_dir / DIR / f"{DEMO}.xjlog")
    assert [r.sn for r in six] == ["10001", "1002", "10004", "10003", "10006", "10005"]


def _rezip(source: Path, tmp_path: Path, change) -> Path:
    """A copy of an .xjlog with members changed (or dropped when change returns None)."""
    out = io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(out, "w") as new:
        for info in old.infolist():
            data = change(info.filename, old.read(info))
            if data is not None:
                new.writestr(info.filename, data)
    path = tmp_path / source.name
    path.write_bytes(out.getvalue())
    return path


def test_truncated_archive_is_refused(reference_dir: Path, tmp_path: Path, convert) -> None:
    data = (reference_dir / DIR / f"{PAIR}.xjlog").read_bytes()
    path = tmp_path / f"{PAIR}.xjlog"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ConversionError, match=rf"{PAIR}\.xjlog: not a complete \.xjlog archive"):
        convert(XJTAG, path)


def test_truncated_run_xml_is_refused(reference_dir: Path, tmp_path: Path, convert) -> None:
    data = (reference_dir / DIR / f"{PAIR}.xml").read_bytes()
    path = tmp_path / f"{PAIR}.xml"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ConversionError, match=rf"{PAIR}\.xml: not well-formed XML at line \d+"):
        convert(XJTAG, path)


def test_run_in_the_wrong_encoding_is_refused(reference_dir: Path, tmp_path: Path, convert) -> None:
    def utf16(name: str, data: bytes) -> bytes:
        if name != "Run 1.xml":
            return data
        return data.decode("utf-8-sig").encode("utf-16-le")  # no byte-order mark

    path = _rezip(reference_dir / DIR / f"{PAIR}.xjlog", tmp_path, utf16)
    with pytest.raises(ConversionError, match=r"xjlog: Run 1\.xml: not well-formed XML at line 1"):
        convert(XJTAG, path)


def test_missing_serial_number_is_named(reference_dir: Path, tmp_path: Path, convert) -> None:
    def no_serial(name: str, data: bytes) -> bytes:
        return data.replace(b"<serial>567567</serial>", b"") if name == "Run 1.xml" else data

    path = _rezip(reference_dir / DIR / f"{PAIR}.xjlog", tmp_path, no_serial)
    with pytest.raises(
        ConversionError, match=r"Run 1\.xml: no serial number \(testruninfo/serial\)"
    ):
        convert(XJTAG, path)


def test_missing_run_is_named(reference_dir: Path, tmp_path: Path, convert) -> None:
    path = _rezip(
        reference_dir / DIR / f"{DEMO}-2.xjlog",
        tmp_path,
        lambda name, data: None if name == "Run 2.xml" else data,
    )
    with pytest.raises(
        ConversionError, match=r"Info\.xml announces 3 runs, but Run 2\.xml is missing"
    ):
        convert(XJTAG, path)


def test_damaged_compressed_member_is_named(reference_dir: Path, tmp_path: Path, convert) -> None:
    # found by test_damaged_input: a zero byte inside Info.xml's compressed data
    data = bytearray((reference_dir / DIR / "1234_14_25_32_10.08.2018_Pass.xjlog").read_bytes())
    data[int(len(data) * 0.9375)] = 0
    path = tmp_path / "damaged.xjlog"
    path.write_bytes(bytes(data))
    with pytest.raises(ConversionError, match=r"damaged\.xjlog: Info\.xml cannot be unpacked"):
        convert(XJTAG, path)
