"""Takaya flying probe: the three ATD layouts, by hand-read values, and broken variants."""

from __future__ import annotations

from pathlib import Path

import pytest

from pywats_converters import ConversionError
from pywats_converters_equipment import TakayaFlyingProbe

DIR = "Virinco-WATS-Client-Converter-TAKAYA-Flying-Probe"
OLD = f"{DIR}/ATVG02_43393848.1023824957283_20141227_152724.ATD"
NEW = f"{DIR}/ATD/V682780_B_BOT-20230301082027.ATD"
APT = f"{DIR}/APT94xx_ATD/12345 - SN0001 (FP1 - OP01).ATD"


@pytest.mark.reference_files(f"{DIR}/*.ATD", f"{DIR}/*/*.ATD")
def test_every_sample_converts_to_valid_reports(reference_file: Path, convert) -> None:
    reports = convert(TakayaFlyingProbe, reference_file)
    assert reports
    assert all(r.sn for r in reports)


def test_oldest_tab_layout(reference_dir: Path, convert, leaves, step_named) -> None:
    (board,) = convert(TakayaFlyingProbe, reference_dir / OLD)
    assert (board.sn, board.pn) == ("43393848.1023824957283", "ATVG02")  # Model:ATVG02.SWX
    assert board.result.value == "F"  # * FAIL *
    assert (board.uut.user, board.machine_name) == ("Operator", "Test Station")
    assert board.start.startswith("2014-12-27T15:26:30")  # DATE 14/12/27: year/month/day
    assert board.uut.exec_time == 55.0  # Test time:55 s
    assert len(leaves(board)) == 13
    # 000001 PASS R113 1 KO 1.000 KO 1.000 KO ... +10% -10%
    r113 = step_named(board, "R113 1KO").numeric_meas[0]
    assert (r113.value, r113.low_limit, r113.high_limit, r113.unit) == (1000.0, 900.0, 1100.0, "Ω")
    # 000007 UP-NG R29 22.1 O 22.10 O 26.93 O 28.76 O ... +10% -10%: the retest decides
    r29 = step_named(board, "R29 22.1O")
    meas = r29.numeric_meas[0]
    assert (meas.value, meas.low_limit, meas.high_limit) == (28.76, 19.89, 24.31)
    assert (meas.status.value, r29.error_message) == ("F", "UP-NG")
    assert "first attempt 26.93 O" in r29.report_text
    # 000006 ...... TR1-2 (not tested): skipped
    assert step_named(board, "TR1-2 1000nH").status.value == "S"


def test_tab_layout_with_groups(reference_dir: Path, convert, leaves, step_named) -> None:
    first, second = convert(TakayaFlyingProbe, reference_dir / NEW)
    assert (first.sn, second.sn) == ("0601994566", "0601994567")
    assert (first.pn, first.rev) == ("V682780", "B")  # Model:V682780_B_BOT.SWX
    assert first.result.value == "P"
    assert first.machine_name == "TAK4"  # Test ID :TAK4
    assert first.start.startswith("2023-03-01T08:20:27")  # DATE 1/3/2023: day/month/year
    assert {m.description: m.text for m in first.misc_infos}["Side"] == "Bottom"
    assert len(leaves(first)) == 55
    # 01 000006 R7 10 KO ... PASS R 10000 10.00 KO R 9970 9.97 KO ... +1% -1%
    r7 = step_named(first, "R7 10KO").numeric_meas[0]
    assert (r7.value, r7.low_limit, r7.high_limit, r7.comp_op.value) == (
        9970.0,
        9900.0,
        10100.0,
        "GELE",
    )
    # 01 000004 P1P3 P-Auto ... 0.83 O / 0.43 O +50% -50% SH: a short must stay low
    short = step_named(first, "P1P3 P-Auto").numeric_meas[0]
    assert (short.value, short.comp_op.value, short.low_limit) == (0.43, "LE", 1.245)
    # 01 000003 L2 10 uH ... 5.52 UH / 5.30 UH +30% -30%
    coil = step_named(first, "L2 10uH").numeric_meas[0]
    assert coil.value == pytest.approx(5.3e-6)
    assert (coil.low_limit, coil.high_limit) == (pytest.approx(3.864e-6), pytest.approx(7.176e-6))
    assert coil.unit == "H"


def test_apt94xx_quoted_layout(reference_dir: Path, convert, leaves, step_named) -> None:
    (board,) = convert(TakayaFlyingProbe, reference_dir / APT)
    # Serial No.:12345 - SN0001 (FP1 - OP01)
    assert (board.sn, board.uut.batch_sn, board.uut.user) == ("SN0001", "12345", "FP1")
    assert {m.description: m.text for m in board.misc_infos}["Operator 2"] == "OP01"
    assert (board.pn, board.rev) == ("DEMO-PCB-A", "V1")  # Model:DEMO-PCB-A_V1.SW01
    assert board.start.startswith("2024-01-01T08:00:00")
    steps = leaves(board)
    assert len(steps) == 875
    assert sum(s.status.value == "S" for s in steps) == 10  # the "......" rows


def test_skipped_tests_can_be_omitted(reference_dir: Path, convert, leaves) -> None:
    (board,) = convert(TakayaFlyingProbe, reference_dir / APT, {"skipped_tests": "omit"})
    steps = leaves(board)
    assert len(steps) == 865  # 875 rows less the 10 "......" rows
    assert all(s.status.value != "S" for s in steps)


def _variant(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_truncated_file_is_refused(reference_dir: Path, tmp_path: Path, convert) -> None:
    data = (reference_dir / NEW).read_bytes()
    cut = data[: data.index(b"* GROUP No.2")]
    with pytest.raises(ConversionError) as caught:
        convert(TakayaFlyingProbe, _variant(tmp_path, "V682780.ATD", cut))
    assert str(caught.value).startswith("V682780.ATD: no '@' line after the last GROUP block")


def test_utf16_without_bom_is_refused(reference_dir: Path, tmp_path: Path, convert) -> None:
    text = (reference_dir / NEW).read_text("latin-1")
    with pytest.raises(ConversionError, match="NUL characters"):
        convert(TakayaFlyingProbe, _variant(tmp_path, "V682780.ATD", text.encode("utf-16-le")))


def test_missing_serial_number_is_named(reference_dir: Path, tmp_path: Path, convert) -> None:
    data = (reference_dir / NEW).read_bytes().replace(b"Serial No.:0601994567", b"")
    with pytest.raises(ConversionError, match=r"the board on line 73 has no Serial No\.: line"):
        convert(TakayaFlyingProbe, _variant(tmp_path, "V682780.ATD", data))


def test_missing_model_is_named(reference_dir: Path, tmp_path: Path, convert) -> None:
    data = (reference_dir / NEW).read_bytes().replace(b"Model:V682780_B_BOT.SWX", b"")
    with pytest.raises(ConversionError, match="no Model: line"):
        convert(TakayaFlyingProbe, _variant(tmp_path, "V682780.ATD", data))
