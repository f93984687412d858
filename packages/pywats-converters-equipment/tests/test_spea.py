"""SPEA ICT 3030: the reference log, by hand-read values, and broken variants."""

from __future__ import annotations

from pathlib import Path

import pytest

from pywats_converters import ConversionError
from pywats_converters_equipment import SpeaICT3030

DIR = "Virinco-WATS-Client-Converter-Spea-ICT-3030"
SAMPLE = "testdata_SN9871234012.csv"


@pytest.mark.reference_files(f"{DIR}/*.csv")
def test_every_sample_converts_to_valid_reports(reference_file: Path, convert) -> None:
    reports = convert(SpeaICT3030, reference_file)
    assert len(reports) == 10  # ten START ... END blocks
    assert len({r.id for r in reports}) == 10


def test_first_board(reference_dir: Path, convert, leaves, step_named) -> None:
    board = convert(SpeaICT3030, reference_dir / DIR / SAMPLE)[0]
    assert (board.sn, board.pn) == ("SN9871234012", "23462-TS")
    assert board.result.value == "F"  # END;FAIL
    assert board.uut.user == "Test Operator op1"
    assert board.start.startswith("2024-10-12T16:15:03")  # FORMAT;mmdd: 10/12/2024
    assert board.uut.exec_time == 19.0  # 16:15:03 to 16:15:22
    assert board.root.seq_call.version == "1.0.2"
    assert len(leaves(board)) == 1198  # ANL rows of lines 4-1201
    # ANL;1;ADA_ICT;2;2;Adapter ist angesaugt, ...;;PASS;9.046875e+00;1.000000e+00;1.200000e+01;V
    adapter = step_named(board, "Adapter ist angesaugt, keine Verschiebung moeglich!")
    meas = adapter.numeric_meas[0]
    assert (meas.value, meas.low_limit, meas.high_limit, meas.unit) == (9.046875, 1.0, 12.0, "V")
    assert (meas.comp_op.value, meas.status.value) == ("GELE", "P")
    # ANL;1;LNK2TP $$SIGNAL1;...;PASS;1.085938e+00;0.000000e+00;1.000000e+01;ohm: low 0 = none
    link = step_named(board, "LNK2TP $$SIGNAL1 387-1106").numeric_meas[0]
    assert (link.value, link.comp_op.value, link.low_limit, link.unit) == (
        1.085938,
        "LE",
        10.0,
        "ohm",
    )
    # ANL;1;C332;763;1;CAPC332 1nF 10% -10%;;FAIL(+/-);-NAN;...: no value, failed
    c332 = step_named(board, "CAPC332 1nF 10% -10%")
    assert c332.status.value == "F"
    assert c332.error_message == "FAIL(+/-)"
    assert c332.report_text.startswith("value -NAN")
    failed = [s.name for s in leaves(board) if s.status.value == "F"]
    assert len(failed) == 4  # the four FAIL rows of the first board


def test_last_board_passes_with_functional_tests(
    reference_dir: Path, convert, leaves, step_named
) -> None:
    board = convert(SpeaICT3030, reference_dir / DIR / SAMPLE)[-1]
    assert board.result.value == "P"  # END;PASS
    assert len(leaves(board)) == 2410  # ANL and FUNC rows of lines 10845-13255
    # FUNC;1;FKT;0;1000;5.11 SPI acceleration sensor;;PASS;1.663400e+04;1.560000e+04;1.800000e+04;;
    spi = step_named(board, "5.11 SPI acceleration sensor").numeric_meas[0]
    assert (spi.value, spi.low_limit, spi.high_limit) == (16634.0, 15600.0, 18000.0)


def _variant(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / SAMPLE
    path.write_bytes(data)
    return path


def test_truncated_log_is_refused(reference_dir: Path, tmp_path: Path, convert) -> None:
    data = (reference_dir / DIR / SAMPLE).read_bytes()
    cut = data[: data.index(b"\n", len(data) // 2) + 1]  # a whole number of lines
    with pytest.raises(ConversionError) as caught:
        convert(SpeaICT3030, _variant(tmp_path, cut))
    assert str(caught.value).startswith(f"{SAMPLE}: ")
    assert "has no END row (the file is truncated" in str(caught.value)


def test_utf16_without_bom_is_refused(reference_dir: Path, tmp_path: Path, convert) -> None:
    text = (reference_dir / DIR / SAMPLE).read_text("ascii")
    with pytest.raises(ConversionError, match="NUL characters"):
        convert(SpeaICT3030, _variant(tmp_path, text.encode("utf-16-le")))


def test_missing_serial_number_is_named(reference_dir: Path, tmp_path: Path, convert) -> None:
    lines = (reference_dir / DIR / SAMPLE).read_bytes().splitlines(keepends=True)
    del lines[1201]  # the first board's "SN;SN9871234012"
    with pytest.raises(ConversionError, match=r"started on line 2 has no serial number \(SN row\)"):
        convert(SpeaICT3030, _variant(tmp_path, b"".join(lines)))


def test_short_start_row_is_named(reference_dir: Path, tmp_path: Path, convert) -> None:
    data = (reference_dir / DIR / SAMPLE).read_bytes()
    data = data.replace(b";Test Operator op1;10/12/2024;16:15:03", b"", 1)
    with pytest.raises(ConversionError, match="line 2: START row has 5 of 8 fields"):
        convert(SpeaICT3030, _variant(tmp_path, data))
