"""The ATML converter on TestStand's ATML 2.02, 5.00 and 6.01 files (reference set)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pywats_converters import ConversionError, Report, Step
from pywats_converters.standard import AtmlConverter

ATML = "olreppe-pyWATS/atml"
A202 = f"{ATML}/ATML 2.02 [123456789][2 30 27 PM][5 15 2019].XML"
A500 = f"{ATML}/ATML 5.00 [2 31 11 PM][5 15 2019].xml"
BATCH = f"{ATML}/Parallel Testing Strategies_BatchReport.6 45 31 AM..9 13 2022.xml"
LS2621 = f"{ATML}/Report_LS2621-1002[Passed][9190300075][2019-03-11][15 06 37].xml"
FAT = f"{ATML}/TS2017_ATML2.02 - FATv1.XML"
# Files without a part number in them need the setting.
SETTINGS = {"default_part_number": "PN-FROM-SETTINGS"}


def _step(report: Report, name: str) -> Step:
    assert report.root is not None
    found = [s for s in report.root.walk() if s.name == name]
    assert found, f"no step {name!r}"
    return found[0]


def _count(report: Report) -> int:
    assert report.root is not None
    return len(report.root.walk()) - 1  # the root sequence is not a step of the file


@pytest.mark.reference_files(f"{ATML}/*")
def test_every_atml_file_converts_to_valid_reports(
    reference_file: Path, convert, assert_valid
) -> None:
    reports = convert(AtmlConverter, reference_file, SETTINGS)
    assert_valid(reports)


def test_atml_202_header_steps_and_measurements(reference_dir: Path, convert) -> None:
    (report,) = convert(AtmlConverter, reference_dir / A202)
    assert (report.sn, report.pn, report.result.value) == ("123456789", "Ragnar123", "F")
    assert report.id == "33efe64e-770d-11e9-826e-00155d017250"  # TestResults@uuid
    assert report.machine_name == "TS-2016-BETA"
    assert report.uut is not None
    assert report.uut.user == "administrator"
    assert report.start is not None
    assert report.start.startswith("2019-05-15T14:30:27.058")
    assert report.root is not None
    assert report.root.name == "MainSequence"
    assert _count(report) == 23  # 14 Test + 8 SessionAction + 1 TestGroup (CPU Test)
    video = _step(report, "Video Test").numeric_meas
    assert video is not None
    assert len(video) == 1
    assert (video[0].comp_op.value, video[0].value, video[0].low_limit, video[0].high_limit) == (
        "GTLT",
        5.0,
        0.0,
        10.0,
    )
    assert video[0].unit == "microseconds"
    keyboard = _step(report, "Keyboard Test")
    assert keyboard.status is not None
    assert keyboard.status.value == "F"
    assert keyboard.numeric_meas is not None
    assert (keyboard.numeric_meas[0].comp_op.value, keyboard.numeric_meas[0].low_limit) == (
        "GT",
        5.0,
    )
    assert _step(report, "ROM Diagnostics").status.value == "S"  # type: ignore[union-attr]
    assert [c.name for c in _step(report, "CPU Test").children] == [
        "Register Test",
        "Instruction Set Test",
        "Cache Test",
        "FPU Test",
    ]


def _shape(report: Report) -> list[tuple[object, ...]]:
    assert report.root is not None
    return [
        (
            step.name,
            step.step_type,
            step.status,
            step.group,
            [m.model_dump(by_alias=True, exclude_none=True) for m in step.measurements()],
            [child.name for child in step.children],
        )
        for step in report.root.walk()
    ]


def test_atml_202_and_500_of_the_same_run_agree_step_for_step(reference_dir: Path, convert) -> None:
    (old,) = convert(AtmlConverter, reference_dir / A202)
    (new,) = convert(AtmlConverter, reference_dir / A500)
    assert (old.sn, old.pn, old.result) == (new.sn, new.pn, new.result)
    assert len(_shape(old)) == 24
    assert _shape(old) == _shape(new)


def test_atml_601_reads_like_500(reference_dir: Path, tmp_path: Path, convert) -> None:
    # No TestStand ATML 6.01 file is in the reference set; the 6.01 namespaces (from the
    # 6.01 schemas there) applied to the 5.00 file give the document TestStand writes.
    text = (reference_dir / A500).read_bytes()
    for old, new in (
        (
            b"urn:IEEE-1636.1:2011:01:TestResultsCollection",
            b"urn:IEEE-1636.1:2013:TestResultsCollection",
        ),
        (b"urn:IEEE-1636.1:2011:01:TestResults", b"urn:IEEE-1636.1:2013:TestResults"),
        (b"www.ni.com/TestStand/ATMLTestResults/2.0", b"www.ni.com/TestStand/ATMLTestResults/3.0"),
    ):
        assert old in text
        text = text.replace(old, new)
    schema = reference_dir / "olreppe-pyWATS/atml-schema/601/TestResults.xsd"
    assert b'targetNamespace="urn:IEEE-1636.1:2013:TestResults"' in schema.read_bytes()
    path = tmp_path / "atml601.xml"
    path.write_bytes(text)
    (v601,) = convert(AtmlConverter, path)
    (v500,) = convert(AtmlConverter, reference_dir / A500)
    assert _shape(v601) == _shape(v500)


def test_a_teststand_batch_report_yields_one_report_per_uut(
    reference_dir: Path, convert, assert_valid
) -> None:
    reports = convert(AtmlConverter, reference_dir / BATCH, SETTINGS)
    assert len(reports) == 4
    assert_valid(reports)
    assert [r.uut.test_socket_index for r in reports] == [0, 1, 2, 3]  # type: ignore[union-attr]
    assert len({r.id for r in reports}) == 4
    assert reports[0].id == "baaa055f-332f-11ed-8520-6045bd92de90"
    assert {r.sn for r in reports} == {"NONE"}  # what TestStand wrote for each socket
    assert reports[3].uut.batch_sn == "BatchSerialNumber"  # type: ignore[union-attr]
    assert all(r.pn == "PN-FROM-SETTINGS" and r.result.value == "P" for r in reports)  # type: ignore[union-attr]


def test_atml_500_customer_report(reference_dir: Path, convert) -> None:
    (report,) = convert(AtmlConverter, reference_dir / LS2621)
    assert (report.sn, report.pn, report.result.value) == ("9190300075", "LS2621-1002", "P")
    assert _count(report) == 208  # 116 Test + 87 SessionAction + 5 TestGroup
    supply = _step(report, "TEQP_47067: Kontrollera testbänkens 24 Vdc matning")
    meas = supply.numeric_meas
    assert meas is not None
    assert (meas[0].value, meas[0].comp_op.value, meas[0].low_limit, meas[0].high_limit) == (
        24.2271576,
        "GELE",
        22.0,
        25.0,
    )
    assert meas[0].unit == "V"
    text = _step(report, "UUTS_44115: Access, Kontrollerar kortets parametrar").string_meas
    assert text is not None
    assert (text[0].value, text[0].comp_op.value, text[0].limit) == (
        "90300075",
        "IGNORECASE",
        "90300075",
    )
    assert _step(report, "Sätt Nätspänning 400 Vac").seq_call.name == "SetMainPower"  # type: ignore[union-attr]


def test_atml_loops_multi_measurements_and_extension_steps(reference_dir: Path, convert) -> None:
    (report,) = convert(AtmlConverter, reference_dir / FAT, SETTINGS)
    assert report.sn == "19008.8905787"
    assert report.result.value == "F"
    assert _count(report) == 183
    assert report.root is not None
    loop = [s for s in report.root.walk() if s.name == "NLT loop with all results"]
    assert len(loop) == 4  # summary + 3 iterations, iteration names without "(Loop Index:n)"
    assert loop[0].loop is not None
    assert (loop[0].loop.num, loop[0].loop.ending_index, loop[0].loop.passed) == (3, 2, 3)
    assert [s.loop.idx for s in loop[1:]] == [0, 1, 2]  # type: ignore[union-attr]
    strings = _step(report, "Multiple String value test").string_meas
    assert strings is not None
    assert [(m.name, m.status.value) for m in strings] == [  # type: ignore[union-attr]
        ("Measurement 0", "F"),
        ("Measurement 1", "P"),
        ("Measurement 2", "F"),
    ]
    popup = _step(report, "Message Popup").message_popup
    assert popup is not None
    assert (popup.response, popup.button) == ("Response text", 2)


def test_a_truncated_atml_file_is_refused_with_its_name(
    reference_dir: Path, tmp_path: Path, convert
) -> None:
    data = (reference_dir / A202).read_bytes()
    path = tmp_path / "truncated.xml"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ConversionError, match=r"^truncated\.xml: not well-formed XML at line"):
        convert(AtmlConverter, path)


def test_an_atml_file_in_the_wrong_encoding_is_refused(
    reference_dir: Path, tmp_path: Path, convert
) -> None:
    # Claims UTF-8 but holds ISO-8859-1 bytes (the "ä" of "testbänkens").
    data = (reference_dir / LS2621).read_bytes().replace(b"iso-8859-1", b"utf-8", 1)
    path = tmp_path / "mislabelled.xml"
    path.write_bytes(data)
    with pytest.raises(ConversionError, match=r"^mislabelled\.xml: not well-formed XML at line"):
        convert(AtmlConverter, path)


def test_an_atml_file_without_a_serial_number_is_refused(
    reference_dir: Path, tmp_path: Path, convert
) -> None:
    data = (reference_dir / A202).read_bytes()
    data = data.replace(b"<c:SerialNumber>123456789</c:SerialNumber>", b"")
    path = tmp_path / "no-sn.xml"
    path.write_bytes(data)
    with pytest.raises(
        ConversionError, match=r"^no-sn\.xml: TestResults\[0\]: missing UUT/SerialNumber"
    ):
        convert(AtmlConverter, path)


def test_an_atml_file_without_a_part_number_needs_the_setting(reference_dir: Path, convert) -> None:
    with pytest.raises(ConversionError, match=r"no part number.*default_part_number"):
        convert(AtmlConverter, reference_dir / FAT)


def test_xml_that_is_not_atml_is_refused(reference_dir: Path, convert) -> None:
    wsxf = reference_dir / "olreppe-pyWATS/virinco-examples/uut-wsxf.xml"
    with pytest.raises(ConversionError, match=r"uut-wsxf\.xml: not an ATML test results document"):
        convert(AtmlConverter, wsxf)


def test_dropping_skipped_steps(reference_dir: Path, convert, assert_valid) -> None:
    (report,) = convert(AtmlConverter, reference_dir / A202, {"skipped_steps": "drop"})
    assert_valid([report])
    assert report.root is not None
    names = [s.name for s in report.root.walk()]
    assert "ROM Diagnostics" not in names
    assert "CPU Diagnostics" not in names
    assert _count(report) == 23 - 4  # the four Aborted/Skipped steps


def test_the_operation_setting_chooses_the_process(reference_dir: Path, convert) -> None:
    (report,) = convert(AtmlConverter, reference_dir / A202, {"operation": "ICT"})
    assert (report.process_code, report.process_name) == (60, "ICT")


def test_the_part_number_can_come_from_the_model_name(reference_dir: Path, convert) -> None:
    (report,) = convert(AtmlConverter, reference_dir / A202, {"part_number_source": "model_name"})
    assert report.pn == "UNKNOWN"  # what TestStand wrote in c:ModelName


def test_a_start_with_an_offset_of_a_day_or_more_is_a_conversion_error(
    reference_dir: Path, tmp_path: Path, convert
) -> None:
    text = (reference_dir / A202).read_text(encoding="utf-8")
    start = 'startDateTime = "2019-05-15T14:30:27.058"'
    assert start in text
    broken = tmp_path / "offset.xml"
    broken.write_text(text.replace(start, start[:-1] + '+99:00"', 1), encoding="utf-8")
    with pytest.raises(ConversionError, match="startDateTime"):
        convert(AtmlConverter, broken)
