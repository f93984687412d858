"""Teradyne ICT GR228X: the reference logs, by hand-read values, and broken variants."""

from __future__ import annotations

from pathlib import Path

import pytest

from pywats_converters import ConversionError, SettingsError
from pywats_converters_equipment import TeradyneGR228X

DIR = "Virinco-WATS-Client-Converter-Teradyne-ICT-GR228X"


@pytest.mark.reference_files(f"{DIR}/*.LOG")
def test_every_sample_converts_to_valid_reports(reference_file: Path, convert) -> None:
    reports = convert(TeradyneGR228X, reference_file)
    assert [r.sn for r in reports] == [
        "65428553938829725787",
        "24422984989544535753",
        "42842937739687688567",
    ]


def test_plain_log_board_two(reference_dir: Path, convert, leaves, step_named) -> None:
    reports = convert(TeradyneGR228X, reference_dir / DIR / "43420_BIO2.LOG")
    board = reports[1]
    assert board.sn == "24422984989544535753"
    assert board.pn == "43420"  # from the program 43420_BIO2.obc, up to the first "_"
    assert board.result.value == "F"  # "/" event line
    assert board.process_code == 10  # the station default
    assert len(leaves(board)) == 27  # IS/VS source settings are not steps
    assert board.root.name == "43420_BIO2.obc"
    assert board.uut.exec_time == 17.0  # 14:19:32 to 14:19:49
    opens = step_named(board, "Opens")
    assert opens.status.value == "F"
    assert opens.report_text == "nodes 397,398"
    # R508=100.20007K(92.919K,105.131K)R
    r508 = step_named(board, "R508 (R)").numeric_meas[0]
    assert (r508.value, r508.low_limit, r508.high_limit) == (100200.07, 92919.0, 105131.0)
    assert (r508.comp_op.value, r508.unit, r508.status.value) == ("GELE", "Ω", "P")
    # R402=45.131532MEG(500K,)R: a low limit only
    r402 = step_named(board, "R402 (R)").numeric_meas[0]
    assert (r402.value, r402.comp_op.value, r402.low_limit) == (45131532.0, "GE", 500000.0)
    # C500=197.461958N(159.999985N,219.99999N)CS
    c500 = step_named(board, "C500 (CS)").numeric_meas[0]
    assert c500.value == pytest.approx(197.461958e-9, rel=1e-12)
    assert c500.low_limit == pytest.approx(159.999985e-9, rel=1e-12)
    assert c500.high_limit == pytest.approx(219.99999e-9, rel=1e-12)
    assert c500.unit == "F"
    # K500_RLY1_NO=62.061187M(-500M,500M)V, the second K500_RLY1_NO measurement
    relay = step_named(board, "K500_RLY1_NO (V)", 1).numeric_meas[0]
    assert (relay.value, relay.low_limit, relay.high_limit) == (0.062061187, -0.5, 0.5)
    # R211#10.636159(,)R: logged, no verdict
    logged = step_named(board, "R211 (R)").numeric_meas[0]
    assert (logged.value, logged.comp_op.value) == (10.636159, "LOG")
    assert step_named(board, "D108").boolean_meas[0].status.value == "P"


def test_aborted_board_keeps_its_fixture_failures(reference_dir: Path, convert) -> None:
    first = convert(TeradyneGR228X, reference_dir / DIR / "43420_BIO2.LOG")[0]
    assert first.result.value == "T"  # "?" event line
    assert [s.name for s in first.root.steps] == ["Fixture contact", "Fixture contact"]
    assert first.root.steps[0].report_text == "nodes 300,301,303"


def test_extended_log_takes_header_from_wats_lines(reference_dir: Path, convert) -> None:
    reports = convert(TeradyneGR228X, reference_dir / DIR / "43420_BIO2_Extended.LOG")
    board = reports[1]
    assert (board.pn, board.rev, board.machine_name) == ("123456", "C", "AREL1001")
    assert board.uut.user == "KB"
    assert (board.root.name, board.root.seq_call.version) == ("CPU02", "1.1")
    last = reports[2]
    assert (last.pn, last.rev, last.machine_name, last.result.value) == (
        "123456",
        "C",
        "AREL1002",
        "P",
    )


def test_process_setting_resolves_by_name(reference_dir: Path, convert) -> None:
    reports = convert(TeradyneGR228X, reference_dir / DIR / "43420_BIO2.LOG", {"process": "ICT"})
    assert {r.process_code for r in reports} == {60}


def test_part_number_from_the_log_file_name(reference_dir: Path, convert) -> None:
    settings = {"part_number_source": "file_name"}
    reports = convert(TeradyneGR228X, reference_dir / DIR / "43420_BIO2.LOG", settings)
    assert {r.pn for r in reports} == {"43420_BIO2"}


def test_bad_setting_is_named() -> None:
    with pytest.raises(SettingsError, match="part_number_source"):
        TeradyneGR228X.configure({"part_number_source": "barcode"})


def _variant(reference_dir: Path, tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "43420_BIO2.LOG"
    path.write_bytes(data)
    return path


def test_truncated_log_is_refused(reference_dir: Path, tmp_path: Path, convert) -> None:
    text = (reference_dir / DIR / "43420_BIO2.LOG").read_bytes()
    cut = text[: text.index(b"C206=")]
    with pytest.raises(ConversionError) as caught:
        convert(TeradyneGR228X, _variant(reference_dir, tmp_path, cut))
    message = str(caught.value)
    assert message.startswith("43420_BIO2.LOG: ")
    assert "board '24422984989544535753' started on line 8 has no end-of-test line" in message


def test_utf16_without_bom_is_refused(reference_dir: Path, tmp_path: Path, convert) -> None:
    text = (reference_dir / DIR / "43420_BIO2.LOG").read_text("ascii")
    path = _variant(reference_dir, tmp_path, text.encode("utf-16-le"))
    with pytest.raises(ConversionError, match=r"43420_BIO2\.LOG: .*NUL characters"):
        convert(TeradyneGR228X, path)


def test_missing_serial_number_is_named(reference_dir: Path, tmp_path: Path, convert) -> None:
    data = (reference_dir / DIR / "43420_BIO2.LOG").read_bytes()
    data = data.replace(b" SN 24422984989544535753", b" SN ")
    with pytest.raises(ConversionError, match=r"line 8: board start has no serial number"):
        convert(TeradyneGR228X, _variant(reference_dir, tmp_path, data))


def test_missing_program_line_means_no_part_number(
    reference_dir: Path, tmp_path: Path, convert
) -> None:
    lines = (reference_dir / DIR / "43420_BIO2.LOG").read_bytes().splitlines(keepends=True)
    data = b"".join(line for line in lines if b".obc[" not in line)
    with pytest.raises(ConversionError, match="names no part number"):
        convert(TeradyneGR228X, _variant(reference_dir, tmp_path, data))


def test_log_without_boards_is_refused(reference_dir: Path, tmp_path: Path, convert) -> None:
    header = (reference_dir / DIR / "43420_BIO2.LOG").read_bytes().splitlines(keepends=True)[:2]
    with pytest.raises(ConversionError, match=r"43420_BIO2\.LOG: no board \(@date SN serial"):
        convert(TeradyneGR228X, _variant(reference_dir, tmp_path, b"".join(header)))
