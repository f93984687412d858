"""Listen SoundCheck: EU and US logs, by hand-read values, and broken variants."""

from __future__ import annotations

from pathlib import Path

import pytest

from pywats_converters import ConversionError
from pywats_converters_equipment import ListenSoundCheck

DIR = "Virinco-WATS-Client-Converter-Listen"
EU = f"{DIR}/EU/Data logging example 12-01-2021.txt"
US_TABLE = f"{DIR}/US/Complete test 7-22-2020 (002).txt"
US_CURVES = f"{DIR}/US/WATS18 11-2-2020.txt"


@pytest.mark.reference_files(f"{DIR}/*/*.txt")
def test_every_sample_converts_to_valid_reports(reference_file: Path, convert) -> None:
    assert convert(ListenSoundCheck, reference_file)


def test_eu_log_with_limit_curves(reference_dir: Path, convert, leaves) -> None:
    (unit,) = convert(ListenSoundCheck, reference_dir / EU)
    # 2.58.21	12-01-2021 09:08:35	BLR-SC-WATS
    assert (unit.sn, unit.pn) == ("2.58.21", "BLR-SC-WATS")
    assert unit.start.startswith("2021-01-12T09:08:35")  # day-month-year
    assert unit.result.value == "P"
    (chart_step,) = leaves(unit)
    chart = chart_step.chart
    assert chart_step.name == "Fundamental"
    assert (chart.chart_type, chart.x_unit, chart.y_unit) == (
        "LineLogX",
        "Hz",
        "dB re 1 V/sqrt(Hz)",
    )
    upper, lower, measured = chart.series
    # x 100,00 400,00 2000,00 6000,00 7000,00 10000,00 / y 4,00 6,00 6,00 2,00 0,00 0,00
    assert (upper.name, upper.xdata, upper.ydata) == (
        "Upper limit",
        "100;400;2000;6000;7000;10000",
        "4;6;6;2;0;0",
    )
    assert (lower.xdata, lower.ydata) == ("100;1000;6000;10000", "-4;-2;-5;-5")
    assert measured.name == "Measured"
    assert measured.ydata.startswith("-87.32;-106.54;-106.84")  # -87,32 -106,54 -106,84
    assert len(measured.xdata.split(";")) == 2205


def test_us_results_table_with_operator_column(reference_dir: Path, convert, step_named) -> None:
    units = convert(ListenSoundCheck, reference_dir / US_TABLE)
    # "S/N 13" ... "S/N 20" with lot "P/N #12345": the typed labels are dropped
    assert [u.sn for u in units] == [str(n) for n in range(13, 21)]
    first = units[0]
    assert (first.pn, first.uut.user, first.result.value) == ("12345", "Rick", "P")
    assert first.start.startswith("2020-07-22T10:22:14")  # 7/22/2020 10:22:14 AM
    assert len(first.root.steps) == 5
    # Ave Sensitivity	95.50	dB	PASS	Max/Min	100.0/90.0
    sensitivity = step_named(first, "Ave Sensitivity").numeric_meas[0]
    assert (sensitivity.value, sensitivity.low_limit, sensitivity.high_limit) == (95.5, 90.0, 100.0)
    assert (sensitivity.comp_op.value, sensitivity.unit) == ("GELE", "dB")
    # THD margin	2.00	%	PASS	Tolerance curves	Absolute Limits
    thd = step_named(first, "THD margin")
    assert (thd.numeric_meas[0].value, thd.numeric_meas[0].unit) == (2.0, "%")
    assert thd.report_text == "Tolerance curves: Absolute Limits"


def test_us_log_with_curves_and_failures(reference_dir: Path, convert, leaves, step_named) -> None:
    units = convert(ListenSoundCheck, reference_dir / US_CURVES)
    assert [u.sn for u in units] == [f"WATS{n}" for n in range(2, 13)]
    first = units[0]
    assert (first.pn, first.result.value) == ("WATS_PN_12345", "F")
    assert first.start.startswith("2020-11-02T16:36:07")  # 11/2/2020 4:36:07 PM
    assert len(leaves(first)) == 7  # 4 results and 3 curves
    # Ave Sensitivity	31.90	dB	FAIL	Max/Min	33.0/32.0
    sensitivity = step_named(first, "Ave Sensitivity")
    meas = sensitivity.numeric_meas[0]
    assert (meas.value, meas.low_limit, meas.high_limit, meas.status.value) == (
        31.9,
        32.0,
        33.0,
        "F",
    )
    thd = step_named(first, "THD").chart
    assert (thd.x_unit, thd.y_unit) == ("Hz", "%")
    assert thd.series[0].xdata.startswith("50;63;80;100")  # 50.00 63.00 80.00 100.00


def _variant(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "soundcheck.txt"
    path.write_bytes(data)
    return path


def test_truncated_curve_is_refused(reference_dir: Path, tmp_path: Path, convert) -> None:
    lines = (reference_dir / EU).read_bytes().splitlines(keepends=True)
    with pytest.raises(ConversionError) as caught:
        convert(ListenSoundCheck, _variant(tmp_path, b"".join(lines[:7])))
    assert str(caught.value) == (
        "soundcheck.txt: line 7: curve x values without their y row"
        " (the file is truncated or still being written)"
    )


def test_utf16_without_bom_is_refused(reference_dir: Path, tmp_path: Path, convert) -> None:
    text = (reference_dir / US_TABLE).read_text("ascii")
    with pytest.raises(ConversionError, match=r"soundcheck\.txt: .*NUL characters"):
        convert(ListenSoundCheck, _variant(tmp_path, text.encode("utf-16-le")))


def test_missing_serial_number_is_named(reference_dir: Path, tmp_path: Path, convert) -> None:
    data = (reference_dir / US_CURVES).read_bytes().replace(b"\nWATS2\t", b"\n\t", 1)
    with pytest.raises(ConversionError, match="line 2: 9 columns, no serial number"):
        convert(ListenSoundCheck, _variant(tmp_path, data))


def test_eu_numbers_are_not_misread_as_us(reference_dir: Path, tmp_path: Path, convert) -> None:
    with pytest.raises(ConversionError, match=r"'100,00' is not a number in US \(1,234.5\) format"):
        convert(ListenSoundCheck, reference_dir / EU, {"number_format": "us"})
