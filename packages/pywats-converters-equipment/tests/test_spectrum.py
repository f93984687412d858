"""Teradyne Spectrum ICT: the reference log, by hand-read values, and broken variants."""

from __future__ import annotations

from pathlib import Path

import pytest

from pywats_converters import ConversionError
from pywats_converters_equipment import TeradyneSpectrum

DIR = "Virinco-WATS-Client-Converter-Terradyne-ICT-Spectrum"
SAMPLE = "sample_ict_data.txt"


@pytest.mark.reference_files(f"{DIR}/*.txt")
def test_every_sample_converts_to_valid_reports(reference_file: Path, convert) -> None:
    assert len(convert(TeradyneSpectrum, reference_file)) == 1


def test_header_and_result(reference_dir: Path, convert, leaves) -> None:
    (board,) = convert(TeradyneSpectrum, reference_dir / DIR / SAMPLE)
    assert (board.sn, board.pn) == ("1111111111", "PB3187900")
    assert board.result.value == "P"  # (USER:  STATUS: BOARD PASSED)
    assert board.uut.user == "1234567"
    assert board.start.startswith("2023-02-09T16:44:11")  # the first step's TIME
    assert board.uut.exec_time == pytest.approx(27.124)  # to EndTime 16:44:38:124
    misc = {m.description: m.text for m in board.misc_infos}
    assert misc["CustomerSerialnumber"] == "AAAAAAAAAAA"
    assert misc["OrderNumber"] == "222222222"
    assert len(leaves(board)) == 519  # one step per (PAGE: list
    sections = [s.name for s in board.root.steps]
    assert sections[:4] == ["Header", "DISCHARGE", "APC", "JUMPERS"]
    assert len(sections) == 11  # eleven (SECTION_NAME: lists


def test_measurements_are_scaled_to_si_units(reference_dir: Path, convert, step_named) -> None:
    (board,) = convert(TeradyneSpectrum, reference_dir / DIR / SAMPLE)
    # CAP[C1]: LOLIM 3.64 n F, MEASVAL 4.6900024 n F, HILIM 5.76 n F
    cap = step_named(board, "CAP[C1]")
    meas = cap.numeric_meas[0]
    assert meas.value == pytest.approx(4.6900024e-9, rel=1e-12)
    assert (meas.low_limit, meas.high_limit) == (pytest.approx(3.64e-9), pytest.approx(5.76e-9))
    assert (meas.comp_op.value, meas.unit, meas.status.value) == ("GELE", "F", "P")
    assert cap.report_text == "CAPACITOR 4n7 TOP 3.326 2.831"
    # JUMPER[L3]: HILIM 5 O, INTC_RESULT MEASVAL 1.4330307 O
    jumper = step_named(board, "JUMPER[L3]").numeric_meas[0]
    assert (jumper.value, jumper.comp_op.value, jumper.low_limit, jumper.unit) == (
        1.4330307,
        "LE",
        5.0,
        "Ω",
    )
    # FU1_IN: MEASVAL 193.4001 m O between 2.24 n O and 250 m O
    track = step_named(board, "FU1_IN").numeric_meas[0]
    assert track.value == pytest.approx(0.1934001)
    assert track.high_limit == pytest.approx(0.25)
    # SMBJ33A[V6]: 38.324821 V between 36.7 V and 40.6 V
    zener = step_named(board, "SMBJ33A[V6]").numeric_meas[0]
    assert (zener.value, zener.low_limit, zener.high_limit, zener.unit) == (
        38.324821,
        36.7,
        40.6,
        "V",
    )


def test_a_step_with_several_pages_is_a_sequence(reference_dir: Path, convert, step_named) -> None:
    (board,) = convert(TeradyneSpectrum, reference_dir / DIR / SAMPLE)
    array = step_named(board, "SMDA05C[V100]")
    assert array.seq_call is not None
    assert len(array.steps) == 6


def _variant(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / SAMPLE
    path.write_bytes(data)
    return path


def test_truncated_log_is_refused(reference_dir: Path, tmp_path: Path, convert) -> None:
    data = (reference_dir / DIR / SAMPLE).read_bytes()
    cut = data[: data.index(b'(SNAME: "CAP[C1]")')]
    with pytest.raises(ConversionError) as caught:
        convert(TeradyneSpectrum, _variant(tmp_path, cut))
    message = str(caught.value)
    assert message.startswith(f"{SAMPLE}: the file ends inside (STEP: opened on line 3380")
    assert "truncated" in message


def test_utf16_without_bom_is_refused(reference_dir: Path, tmp_path: Path, convert) -> None:
    text = (reference_dir / DIR / SAMPLE).read_text("ascii")
    with pytest.raises(ConversionError, match="NUL characters"):
        convert(TeradyneSpectrum, _variant(tmp_path, text.encode("utf-16-le")))


def test_missing_serial_number_is_named(reference_dir: Path, tmp_path: Path, convert) -> None:
    data = (reference_dir / DIR / SAMPLE).read_bytes()
    data = data.replace(b"(USER:  Serialnumber:1111111111)", b"")
    with pytest.raises(ConversionError, match=f"{SAMPLE}: the test has no serial number"):
        convert(TeradyneSpectrum, _variant(tmp_path, data))


def test_missing_board_status_is_named(reference_dir: Path, tmp_path: Path, convert) -> None:
    data = (reference_dir / DIR / SAMPLE).read_bytes()
    data = data.replace(b"(USER:  STATUS: BOARD PASSED)", b"")
    with pytest.raises(ConversionError, match=r"no board result \(USER: STATUS: BOARD"):
        convert(TeradyneSpectrum, _variant(tmp_path, data))
