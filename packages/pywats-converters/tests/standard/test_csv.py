"""The generic CSV converter: the DevKit sample, layouts, settings, bad input, properties."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pywats_converters import ConversionError, SettingsError
from pywats_converters.standard import CsvConverter, CsvError, read_table

SAMPLE = "Virinco-WATS-DevKit/sample-enhanced.csv"
# The DevKit sample: header names match the defaults except the date and operation columns.
SAMPLE_SETTINGS = {"columns": {"start": "TestDate", "operation": "OperationType"}}


@pytest.mark.reference_files("Virinco-WATS-DevKit/*.csv")
def test_every_devkit_csv_converts_to_valid_reports(
    reference_file: Path, convert, assert_valid
) -> None:
    # the sample's last row has one field too many: it converts only when told to ignore it
    reports = convert(CsvConverter, reference_file, {**SAMPLE_SETTINGS, "extra_fields": "ignore"})
    assert_valid(reports)


def test_devkit_sample_rows_become_steps(reference_dir: Path, convert) -> None:
    (report,) = convert(
        CsvConverter, reference_dir / SAMPLE, {**SAMPLE_SETTINGS, "extra_fields": "ignore"}
    )
    assert (report.sn, report.pn, report.process_code, report.process_name) == (
        "SN12345",
        "PN-001",
        60,
        "ICT",
    )
    assert report.start is not None
    assert report.start.startswith("2026-02-03T14:30:00")
    assert report.root is not None
    steps = report.root.children
    assert [(s.name, s.step_type) for s in steps] == [
        ("Voltage Measurement", "NumericLimitTest"),
        ("Continuity Test", "PassFailTest"),
        ("Firmware Version", "StringValueTest"),
    ]
    volt = steps[0].numeric_meas
    assert volt is not None
    assert (
        volt[0].value,
        volt[0].low_limit,
        volt[0].high_limit,
        volt[0].unit,
        volt[0].comp_op.value,
    ) == (  # type: ignore[union-attr]
        5.02,
        4.9,
        5.1,
        "V",
        "GELE",
    )
    assert [s.status.value for s in steps] == ["P", "P", "P"]  # type: ignore[union-attr]
    text = steps[2].string_meas
    assert text is not None
    assert text[0].value == "v2.1.5"


def test_a_row_with_too_many_fields_is_refused_by_default(reference_dir: Path, convert) -> None:
    with pytest.raises(
        ConversionError,
        match=r"^sample-enhanced\.csv: line 4: 12 fields, but the header names 11 columns",
    ):
        convert(CsvConverter, reference_dir / SAMPLE, SAMPLE_SETTINGS)


def test_a_missing_column_names_the_setting(reference_dir: Path, convert) -> None:
    with pytest.raises(
        ConversionError,
        match=r"column 'Serial' \(setting columns\.serial_number\) is not in the file",
    ):
        convert(CsvConverter, reference_dir / SAMPLE, {"columns": {"serial_number": "Serial"}})


def test_bad_settings_name_the_key() -> None:
    with pytest.raises(SettingsError) as caught:
        CsvConverter.configure({"delimiter": ";;", "columns": {"serial": "SN"}, "layout": "wide"})
    text = str(caught.value)
    assert "delimiter:" in text
    assert "columns.serial: unknown setting" in text
    assert "layout:" in text


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_step_rows_group_units_by_serial_and_sequences(
    tmp_path: Path, convert, assert_valid
) -> None:
    path = _write(
        tmp_path,
        "log.csv",
        "SN;PN;Seq;Step;Meas;Value;Lo;Hi;Unit;Status\n"
        "A1;P-9;Power;Rails;3V3;3,31;3,2;3,4;V;PASS\n"
        "A1;P-9;Power;Rails;5V;5,2;4,9;5,1;V;FAIL\n"
        "A1;P-9;Comms;Ping;;OK;;;;\n"
        "A2;P-9;Power;Rails;3V3;3,30;3,2;3,4;V;PASS\n",
    )
    settings_ = {
        "delimiter": ";",
        "decimal_separator": ",",
        "columns": {
            "serial_number": "SN",
            "part_number": "PN",
            "sequence": "Seq",
            "step_name": "Step",
            "measure_name": "Meas",
            "value": "Value",
            "low_limit": "Lo",
            "high_limit": "Hi",
            "unit": "Unit",
            "status": "Status",
            "step_type": None,
        },
    }
    reports = convert(CsvConverter, path, settings_)
    assert_valid(reports)
    assert [r.sn for r in reports] == ["A1", "A2"]
    first = reports[0]
    assert first.result is not None
    assert first.result.value == "F"
    assert first.root is not None
    power = first.root.children[0]
    rails = power.children[0]
    assert rails.numeric_meas is not None
    assert [(m.name, m.value, m.status.value) for m in rails.numeric_meas] == [  # type: ignore[union-attr]
        ("3V3", 3.31, "P"),
        ("5V", 5.2, "F"),
    ]
    ping = first.root.children[1].children[0]
    assert ping.boolean_meas is not None  # an "OK" value without a step type is pass/fail


def test_unit_per_row_layout(tmp_path: Path, convert, assert_valid) -> None:
    path = _write(
        tmp_path,
        "wide.csv",
        "Serial,Part,When,Voltage,Current,Firmware\n"
        "U1,PX,2026-01-02 08:00:00,5.01,0.30,1.2.3\n"
        "U2,PX,2026-01-02 08:01:00,5.40,0.31,1.2.3\n",
    )
    reports = convert(
        CsvConverter,
        path,
        {
            "layout": "unit_per_row",
            "columns": {"serial_number": "Serial", "part_number": "Part", "start": "When"},
            "column_limits": {
                "Voltage": {"low": 4.9, "high": 5.1, "unit": "V"},
                "Current": {"high": 0.5, "comp_op": "LE", "unit": "A"},
            },
        },
    )
    assert_valid(reports)
    assert [(r.sn, r.result.value) for r in reports] == [("U1", "P"), ("U2", "F")]  # type: ignore[union-attr]
    assert reports[1].root is not None
    assert [s.name for s in reports[1].root.children] == ["Voltage", "Current", "Firmware"]
    current = reports[1].root.children[1].numeric_meas
    assert current is not None
    assert (current[0].comp_op.value, current[0].low_limit, current[0].unit) == ("LE", 0.5, "A")  # type: ignore[union-attr]


def test_a_csv_in_the_wrong_encoding_is_refused(tmp_path: Path, convert) -> None:
    path = _write(
        tmp_path,
        "enc.csv",
        "SerialNumber,PartNumber,StepName,Value\nSN1,P,Temperatur °C,21\n",
        "latin-1",
    )
    with pytest.raises(ConversionError, match=r"^enc\.csv: not valid text in utf-8"):
        convert(CsvConverter, path, {"encodings": ["utf-8"]})


def test_a_truncated_csv_row_names_its_line(tmp_path: Path, convert) -> None:
    path = _write(tmp_path, "cut.csv", 'SerialNumber,PartNumber,StepName,Value\nSN1,P,"Volt')
    with pytest.raises(ConversionError, match=r"^cut\.csv: line \d+: malformed CSV"):
        convert(CsvConverter, path)


def test_a_row_without_a_serial_number_is_refused(tmp_path: Path, convert) -> None:
    path = _write(tmp_path, "nosn.csv", "SerialNumber,PartNumber,StepName,Value\n,P,Volt,1\n")
    with pytest.raises(ConversionError, match=r"^nosn\.csv: line 2: no serial number"):
        convert(CsvConverter, path)


def test_a_bad_number_names_line_and_field(tmp_path: Path, convert) -> None:
    path = _write(
        tmp_path,
        "num.csv",
        "SerialNumber,PartNumber,StepName,StepType,Value\nSN1,P,Volt,NumericLimit,five\n",
    )
    with pytest.raises(ConversionError, match=r"^num\.csv: line 2: value 'five' is not a number"):
        convert(CsvConverter, path)


# ------------------------------------------------------------------------ properties

_cells = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(st.lists(_cells, min_size=3, max_size=3), min_size=1, max_size=10),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
)
def test_read_table_returns_every_written_row(rows: list[list[str]], delimiter: str) -> None:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)  # "\r\n" rows: cells with CR/LF get quoted
    writer.writerow(["a", "b", "c"])
    writer.writerows(rows)
    kept = [r for r in rows if any(cell.strip() for cell in r)]
    if not kept:
        with pytest.raises(CsvError, match="no data rows"):
            read_table(out.getvalue(), delimiter=delimiter)
        return
    header, parsed = read_table(out.getvalue(), delimiter=delimiter)
    assert header == ["a", "b", "c"]
    assert [cells for _, cells in parsed] == kept
    lines = [line for line, _ in parsed]
    assert lines == sorted(lines)


@settings(max_examples=150, deadline=None)
@given(
    values=st.lists(
        st.floats(allow_nan=False, allow_infinity=False, width=64), min_size=1, max_size=8
    ),
    comma=st.booleans(),
)
def test_numbers_survive_the_decimal_separator(values: list[float], comma: bool) -> None:
    from pywats_converters.standard import CsvParameters
    from pywats_converters.standard._csv import _step_rows  # the row mapper itself

    separator = "," if comma else "."
    delimiter = ";" if comma else ","
    lines = ["SerialNumber;PartNumber;StepName;Value".replace(";", delimiter)]
    for index, value in enumerate(values):
        text = repr(value).replace(".", separator)
        lines.append(delimiter.join(["SN", "P", f"step {index}", text]))
    header, rows = read_table("\n".join(lines), delimiter=delimiter)
    params = CsvParameters(delimiter=delimiter, decimal_separator=separator)
    (unit,) = _step_rows(header, rows, params)
    assert [node.measurements[0].value for node in unit.steps] == values


@settings(max_examples=200, deadline=None)
@given(document=st.text(max_size=200), delimiter=st.sampled_from([",", ";"]))
def test_any_text_reads_or_fails_with_a_csv_error(document: str, delimiter: str) -> None:
    try:
        _, rows = read_table(document, delimiter=delimiter)
    except CsvError as exc:
        assert str(exc)  # noqa: PT017 - the property: a CsvError, never anything else
        return
    assert rows
    assert all(isinstance(cell, str) for _, cells in rows for cell in cells)


@pytest.mark.skipif(not hasattr(time, "tzset"), reason="time.tzset is POSIX only")
@pytest.mark.parametrize("zone", ["America/New_York", "Asia/Tokyo"])
@pytest.mark.parametrize("when", ["9999-12-31 23:59:59", "0001-01-01 00:00:00"])
def test_a_date_at_the_ends_of_the_calendar_names_its_line(
    tmp_path: Path, convert, monkeypatch: pytest.MonkeyPatch, zone: str, when: str
) -> None:
    path = _write(
        tmp_path,
        "edge.csv",
        f"SerialNumber,PartNumber,StepName,Value,When\nSN1,P,Volt,1,{when}\n",
    )
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        with pytest.raises(ConversionError, match=r"^edge\.csv: line 2: date .* out of range"):
            convert(
                CsvConverter,
                path,
                {"columns": {"start": "When"}, "date_format": "%Y-%m-%d %H:%M:%S"},
            )
    finally:
        monkeypatch.undo()
        time.tzset()
