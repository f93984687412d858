"""The TestStand XML converter: NI XML reports, WATS TSReport, and the simple TestReport."""

from __future__ import annotations

from pathlib import Path

import pytest

from pywats_converters import ConversionError, Report, Step
from pywats_converters.standard import TestStandXmlConverter

TSWATS = "Virinco-TestStand-XML-Converter/TSWithWats.xml"
TSNI = "Virinco-TestStand-XML-Converter/TSWithWats2.xml"
SIMPLE = "Virinco-WATS-Client-Converter-Example/XMLReport.xml"
PROCESS_50 = {"Process 50": 50}


def _step(report: Report, *names: str) -> Step:
    assert report.root is not None
    step = report.root
    for name in names:
        step = next(c for c in step.children if c.name == name)
    return step


@pytest.mark.reference_files("Virinco-TestStand-XML-Converter/*.xml", SIMPLE)
def test_every_teststand_xml_file_converts_to_valid_reports(
    reference_file: Path, convert, assert_valid
) -> None:
    reports = convert(TestStandXmlConverter, reference_file, {"operation": 10})
    assert_valid(reports)


def test_tsreport_with_wats_extensions(reference_dir: Path, convert, assert_valid) -> None:
    (report,) = convert(TestStandXmlConverter, reference_dir / TSWATS)
    assert_valid([report])
    # ReportInfo: ID, Start, SN, PN, Rev, PCode
    assert report.id == "f4fb0a29-93b1-4f7f-ada7-672b382774ab"
    assert (report.sn, report.pn, report.rev) == ("12345", "PN1", "1.0")
    assert (report.process_code, report.process_name) == (60, "ICT")
    assert report.start == "2022-06-23T10:55:04.3700000+02:00"
    assert report.machine_name == "VIC-PCBA-003"
    assert report.uut is not None
    assert report.uut.user == "administrator"
    assert report.result is not None
    assert report.result.value == "P"
    assert report.root is not None
    (only,) = report.root.children
    assert (only.name, only.step_type, only.status.value) == ("Pass/Fail Test", "ET_PFT", "P")  # type: ignore[union-attr]
    assert only.boolean_meas is not None
    assert only.boolean_meas[0].status.value == "P"  # type: ignore[union-attr]


def test_ni_xml_report_without_wats_extensions(reference_dir: Path, convert) -> None:
    (report,) = convert(TestStandXmlConverter, reference_dir / TSNI)
    assert (report.sn, report.pn, report.rev) == ("5465466", "11", "1")
    assert report.result is not None
    assert report.result.value == "P"  # Report@UUTResult
    assert report.process_code == 10  # UUT.UUTOperationType
    assert report.machine_name == "DESKTOP-N9BCJU1"
    assert report.start is not None
    assert report.start.startswith("2022-07-01T16:52:21.036")
    assert report.root is not None
    assert len(report.root.walk()) - 1 == 17  # Report@StepCount
    video = _step(report, "Video Test").numeric_meas
    assert video is not None
    assert (video[0].comp_op.value, video[0].value, video[0].low_limit, video[0].high_limit) == (  # type: ignore[union-attr]
        "GTLT",
        5.0,
        0.0,
        10.0,
    )
    assert video[0].unit == "microseconds"
    keyboard = _step(report, "Keyboard Test").numeric_meas
    assert keyboard is not None
    assert (keyboard[0].comp_op.value, keyboard[0].value, keyboard[0].low_limit) == ("GT", 6.0, 5.0)  # type: ignore[union-attr]
    cpu = _step(report, "CPU Test")
    assert [c.name for c in cpu.children] == [
        "Register Test",
        "Instruction Set Test",
        "Cache Test",
        "FPU Test",
    ]


def test_a_batch_of_ni_reports_gives_one_report_per_uut(
    reference_dir: Path, tmp_path: Path, convert, assert_valid
) -> None:
    text = (reference_dir / TSNI).read_text(encoding="iso-8859-1")
    start, end = text.index("<Report "), text.index("</Report>") + len("</Report>")
    second = text[start:end].replace("<Value>5465466</Value>", "<Value>5465467</Value>", 1)
    path = tmp_path / "batch.xml"
    path.write_text(text[:end] + "\n" + second + text[end:], encoding="iso-8859-1")
    reports = convert(TestStandXmlConverter, path)
    assert_valid(reports)
    assert [r.sn for r in reports] == ["5465466", "5465467"]
    assert reports[0].id != reports[1].id


def test_simple_testreport_xml(reference_dir: Path, convert, assert_valid) -> None:
    (report,) = convert(TestStandXmlConverter, reference_dir / SIMPLE, processes=PROCESS_50)
    assert (report.sn, report.pn, report.rev, report.process_code) == ("12345", "Part1", "1.0", 50)
    assert report.uut is not None
    assert (report.uut.user, report.uut.exec_time) == ("Ragnar", 20.5)
    assert report.result is not None
    assert report.result.value == "F"  # Main/Test2: 300.88 A is not in 310-400
    failed = _step(report, "Main", "Test2")
    assert failed.status is not None
    assert failed.status.value == "F"
    assert failed.numeric_meas is not None
    meas = failed.numeric_meas[0]
    assert (meas.value, meas.low_limit, meas.high_limit, meas.unit) == (300.88, 310.0, 400.0, "A")
    assert [s.name for s in _step(report, "Main").children] == [
        "Test1",
        "Test2",
        "Software version",
        "LED ok",
    ]
    version = _step(report, "Main", "Software version").string_meas
    assert version is not None
    assert (version[0].value, version[0].limit, version[0].status.value) == ("3.4", "3.4", "P")  # type: ignore[union-attr]


def test_a_truncated_teststand_report_is_refused(
    reference_dir: Path, tmp_path: Path, convert
) -> None:
    data = (reference_dir / TSNI).read_bytes()
    path = tmp_path / "cut.xml"
    path.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(ConversionError, match=r"^cut\.xml: not well-formed XML at line"):
        convert(TestStandXmlConverter, path)


def test_a_report_in_the_wrong_encoding_is_refused(
    reference_dir: Path, tmp_path: Path, convert
) -> None:
    text = (reference_dir / SIMPLE).read_text(encoding="utf-8-sig")
    path = tmp_path / "latin1.xml"
    path.write_bytes(
        text.replace("Ragnar", "Bjørn").encode("latin-1")
    )  # declares utf-8; "ø" on line 10
    with pytest.raises(
        ConversionError, match=r"^latin1\.xml: not well-formed XML at line 10, column 17"
    ):
        convert(TestStandXmlConverter, path)


def test_a_report_without_a_serial_number_is_refused(
    reference_dir: Path, tmp_path: Path, convert
) -> None:
    text = (reference_dir / TSWATS).read_text(encoding="utf-8-sig")
    text = text.replace('value="12345"', 'value=""').replace(
        "<Value>12345</Value>", "<Value></Value>"
    )
    path = tmp_path / "nosn.xml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConversionError, match=r"^nosn\.xml: no serial number"):
        convert(TestStandXmlConverter, path)


def test_a_simple_report_with_a_bad_number_names_the_test(
    reference_dir: Path, tmp_path: Path, convert
) -> None:
    text = (reference_dir / SIMPLE).read_text(encoding="utf-8-sig")
    path = tmp_path / "bad.xml"
    path.write_text(text.replace('Measure="555.7"', 'Measure="5x5"'), encoding="utf-8")
    with pytest.raises(
        ConversionError, match=r"bad\.xml: sequence 'Main': <NumericTest Name='Test1'>"
    ):
        convert(TestStandXmlConverter, path, processes=PROCESS_50)


def test_other_xml_is_refused(reference_dir: Path, convert) -> None:
    atml = reference_dir / "olreppe-pyWATS/atml/ATML 2.02 [123456789][2 30 27 PM][5 15 2019].XML"
    with pytest.raises(
        ConversionError, match=r"not a TestStand XML report \(root element <TestResults>"
    ):
        convert(TestStandXmlConverter, atml)
