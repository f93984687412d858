"""Klippel QC: DUT folders with their log files, by hand-read values, and broken variants."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pywats_converters import ConversionError
from pywats_converters_equipment import KlippelQC

DIR = "Virinco-WATS-Client-Converter-Klippel/Log"
FAILED = "DUT xyz115 2020-05-14 10-01-37-5 UTC+0200"
PASSED = "DUT xyz116 2020-05-14 10-02-51-3 UTC+0200"
SETTINGS = {"part_number": "LS-100", "revision": "B"}


@pytest.mark.reference_files(f"{DIR}/DUT *.txt")
def test_every_sample_converts_to_valid_reports(reference_file: Path, convert) -> None:
    folder = reference_file.with_suffix("")  # the DUT folder beside its log file
    assert KlippelQC.source_kind == "folder"
    assert len(convert(KlippelQC, folder, SETTINGS)) == 1


def test_failed_dut(reference_dir: Path, convert, leaves, step_named) -> None:
    (dut,) = convert(KlippelQC, reference_dir / DIR / FAILED, SETTINGS)
    assert dut.sn == "xyz115"  # Cfg_SerialNumber=xyz115
    assert (dut.pn, dut.rev) == ("LS-100", "B")  # the settings: Klippel logs name none
    assert dut.result.value == "F"  # Ctrl_OverallVerdict=0
    assert dut.uut.user == "win:m.liebig"  # Cfg_UserName
    # Cfg_DutStartTime=2020-5-20-135-5-14-10-1-37-563-120-…: 14 May 10:01:37.563, UTC+120 min
    assert dut.start == "2020-05-14T10:01:37.5630000+02:00"
    assert dut.start_utc == "2020-05-14T08:01:37.5630000Z"
    assert [s.name for s in dut.root.steps] == ["Impedance", "Sound Pressure", "Verdicts"]
    assert len(leaves(dut)) == 9  # imp, re, qts, rbz, resp, thd, level + pol, fs verdicts
    imp = step_named(dut, "imp")
    assert imp.status.value == "F"  # Results_Fail=imp re fs
    assert imp.numeric_meas[0].value == 20  # rows of Impedance-imp.txt below min or above max
    assert imp.report_text == "20 of 129 points outside the limit curves"
    # re	-	3.5156	2.8764: not measured, and listed as failed
    re_step = step_named(dut, "re")
    assert (re_step.status.value, re_step.report_text) == ("F", "no value measured")
    assert step_named(dut, "qts").status.value == "S"  # qts	-	(no limits, no verdict)
    # level	95.203	97.337	91.337
    level = step_named(dut, "level").numeric_meas[0]
    assert (level.value, level.low_limit, level.high_limit, level.comp_op.value) == (
        95.203,
        91.337,
        97.337,
        "GELE",
    )
    assert step_named(dut, "fs").status.value == "F"  # a verdict without a data file


def test_curves_are_charts(reference_dir: Path, convert, step_named) -> None:
    (dut,) = convert(KlippelQC, reference_dir / DIR / FAILED, SETTINGS)
    chart = step_named(dut, "resp").chart
    assert (chart.chart_type, chart.x_unit) == ("LineLogX", "Hz")
    resp, high, low = chart.series
    assert [s.name for s in chart.series] == ["resp", "max", "min"]
    # 200.00	91.346	97.060	83.701 / 206.00	91.398	96.938	83.541
    assert resp.xdata.startswith("200;206;")
    assert resp.ydata.startswith("91.346;91.398;")
    assert high.ydata.startswith("97.06;96.938;")
    assert low.ydata.startswith("83.701;83.541;")
    assert len(resp.xdata.split(";")) == 161  # 162 lines less the header
    thd = step_named(dut, "thd").chart.series[0]
    assert len(thd.xdata.split(";")) == 131  # "-" points are left out


def test_passed_dut(reference_dir: Path, convert, step_named) -> None:
    (dut,) = convert(KlippelQC, reference_dir / DIR / PASSED, SETTINGS)
    assert (dut.sn, dut.result.value) == ("xyz116", "P")
    # re	3.2088	3.5156	2.8764
    re_meas = step_named(dut, "re").numeric_meas[0]
    assert (re_meas.value, re_meas.low_limit, re_meas.high_limit) == (3.2088, 2.8764, 3.5156)


def _copy(reference_dir: Path, tmp_path: Path, name: str = FAILED) -> Path:
    shutil.copytree(reference_dir / DIR / name, tmp_path / name)
    shutil.copy(reference_dir / DIR / f"{name}.txt", tmp_path / f"{name}.txt")
    return tmp_path / name


def test_truncated_curve_file_is_refused(reference_dir: Path, tmp_path: Path, convert) -> None:
    folder = _copy(reference_dir, tmp_path)
    curve = folder / "Sound Pressure-resp.txt"
    data = curve.read_bytes()
    curve.write_bytes(data[: data.index(b"\n", 200) + 8])  # ends inside a row
    with pytest.raises(
        ConversionError, match=r"Sound Pressure-resp\.txt line \d+: \d of 4 columns"
    ):
        convert(KlippelQC, folder, SETTINGS)


def test_truncated_log_is_refused(reference_dir: Path, tmp_path: Path, convert) -> None:
    folder = _copy(reference_dir, tmp_path)
    log = tmp_path / f"{FAILED}.txt"
    data = log.read_bytes()
    log.write_bytes(data[: data.index(b"Ctrl_OverallVerdict")])
    with pytest.raises(ConversionError, match="Ctrl_OverallVerdict is '', not -1 to 4"):
        convert(KlippelQC, folder, SETTINGS)


def test_utf16_log_without_bom_is_refused(reference_dir: Path, tmp_path: Path, convert) -> None:
    folder = _copy(reference_dir, tmp_path)
    log = tmp_path / f"{FAILED}.txt"
    log.write_bytes(log.read_text("ascii").encode("utf-16-le"))
    with pytest.raises(ConversionError, match=r"UTC\+0200\.txt: .*NUL characters"):
        convert(KlippelQC, folder, SETTINGS)


def test_missing_serial_number_is_named(reference_dir: Path, tmp_path: Path, convert) -> None:
    folder = _copy(reference_dir, tmp_path)
    log = tmp_path / f"{FAILED}.txt"
    log.write_bytes(log.read_bytes().replace(b"Cfg_SerialNumber=xyz115", b"Cfg_SerialNumber="))
    with pytest.raises(ConversionError, match="no Cfg_SerialNumber"):
        convert(KlippelQC, folder, SETTINGS)


def test_missing_log_file_is_named(reference_dir: Path, tmp_path: Path, convert) -> None:
    folder = _copy(reference_dir, tmp_path)
    (tmp_path / f"{FAILED}.txt").unlink()
    with pytest.raises(ConversionError, match=r"no log file .* beside the DUT folder"):
        convert(KlippelQC, folder, SETTINGS)


def test_without_a_part_number_setting_the_dut_is_refused(reference_dir: Path, convert) -> None:
    with pytest.raises(ConversionError, match="names no part number and no part_number is set"):
        convert(KlippelQC, reference_dir / DIR / FAILED)
