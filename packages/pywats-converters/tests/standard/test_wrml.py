"""The WRML converter on the WATS Client's UUT and UUR examples."""

from __future__ import annotations

from pathlib import Path

import pytest

from pywats_converters import ConversionError, Report, Step
from pywats_converters.standard import WrmlConverter

UUT = "olreppe-pyWATS/virinco-examples/uut-wrml.xml"
UUR = "olreppe-pyWATS/virinco-examples/uur-wrml.xml"


def _steps(report: Report) -> list[Step]:
    assert report.root is not None
    return report.root.walk()


def _step(report: Report, name: str) -> Step:
    return next(s for s in _steps(report) if s.name == name)


@pytest.mark.reference_files("olreppe-pyWATS/virinco-examples/*wrml.xml")
def test_every_wrml_file_converts_to_valid_reports(
    reference_file: Path, convert, assert_valid
) -> None:
    assert_valid(convert(WrmlConverter, reference_file))


def test_wrml_uut_header(reference_dir: Path, convert) -> None:
    (report,) = convert(WrmlConverter, reference_dir / UUT)
    assert report.id == "967ddc18-033c-48d0-92e0-58f0f55fd27b"
    assert (report.sn, report.pn, report.rev) == ("FATTest-292", "FATPartNo", "Rev1")
    assert report.result is not None
    assert report.result.value == "T"  # Result="Terminated"
    assert (report.process_code, report.process_name) == (10, "SW Debug")
    assert (report.machine_name, report.location, report.purpose) == (
        "VIC-WS-RE-LT",
        "FAT Station Location",
        "FAT Station Purpose",
    )
    assert report.start_utc is not None
    assert report.start_utc.startswith("1900-01-01T00:00:00")
    uut = report.uut
    assert uut is not None
    assert (uut.user, uut.batch_sn, uut.test_socket_index, uut.exec_time) == (
        "FAToper",
        "BatchSN",
        999,
        123.67,
    )
    assert (uut.fixture_id, uut.error_code, uut.error_message, uut.comment) == (
        "FAT FixtureId",
        999,
        "Error code 999",
        "FAT Comment - can be 500 long",
    )
    assert [(m.description, m.text, m.numeric) for m in report.misc_infos or []] == [
        ("MiscInfoNumeric", None, 100),
        ("MiscInfoString", "Hello", None),
        ("InvalidXML", "This is a test with < and >", None),
    ]
    assert [(s.part_type, s.pn, s.sn, s.rev) for s in report.sub_units or []] == [
        ("PCBA", "SubPartNo1", "SubPartSN1", "Rev2"),
        ("MODULE", "SubPartNo2", "SubPartSN2", "Rev3"),
    ]


def test_wrml_uut_flat_steps_become_a_tree(reference_dir: Path, convert) -> None:
    (report,) = convert(WrmlConverter, reference_dir / UUT)
    steps = _steps(report)
    assert len(steps) == 53  # 53 <Step>, StepID 1 is the root sequence
    assert sum(len(s.numeric_meas or []) for s in steps) == 67
    assert sum(len(s.boolean_meas or []) for s in steps) == 6
    assert sum(len(s.string_meas or []) for s in steps) == 9
    assert report.root is not None
    assert [c.name for c in report.root.children] == [
        "Numeric tests",
        "Pass/Fail tests",
        "StringValue tests",
        "Termination",
        "Graphs",
        "Misc Features",
    ]
    le = _step(report, "SingleLEPass").numeric_meas
    assert le is not None
    # WRML keeps LT/LE limits in HighLimit; WSJF wants them in lowLimit
    assert (le[0].comp_op.value, le[0].value, le[0].low_limit, le[0].high_limit, le[0].unit) == (
        "LE",
        500.0,
        500.0,
        None,
        "V",
    )
    gele = _step(report, "SingleGELEFail")
    assert gele.status is not None
    assert gele.status.value == "F"
    assert gele.numeric_meas is not None
    assert (gele.numeric_meas[0].low_limit, gele.numeric_meas[0].high_limit) == (501.0, 502.0)
    # "Done" over a passed measurement breaks the server's rule; the measurement wins
    done = _step(report, "SingleLogDone")
    assert done.status is not None
    assert done.status.value == "P"


def test_wrml_charts_and_attachments(reference_dir: Path, convert) -> None:
    (report,) = convert(WrmlConverter, reference_dir / UUT)
    chart = _step(report, "Fibionacci").chart
    assert chart is not None
    assert chart.label == "Fibonacci numbers"
    series = chart.series or []
    assert [s.name for s in series] == ["Fibionacci", "Mean"]
    assert series[0].ydata is not None
    assert series[0].ydata.startswith("0;1;1;2;3;5;8;13;21;34;55;89;144")
    assert series[1].ydata == "28.923076923076923;28.923076923076923"
    attached = _step(report, "Attach file").attachment
    assert attached is not None
    assert (attached.name, attached.content_type) == ("winhlp32.exe", "application/x-msdownload")
    assert attached.data is not None
    assert attached.data.startswith("TVqQ")  # "MZ", an executable


def test_wrml_uur(reference_dir: Path, convert) -> None:
    (report,) = convert(WrmlConverter, reference_dir / UUR)
    assert report.id == "46e9f4c5-a04f-4580-a66e-d822db7fd593"
    assert report.type is not None
    assert report.type.value == "R"
    assert (report.sn, report.pn, report.process_code, report.process_name) == (
        "FATTest-810",
        "FATPartNo",
        500,
        "Repair",
    )
    assert report.uur is not None
    assert (report.uur.process_code, report.uur.user) == (10, "FAToper")
    units = report.sub_units or []
    assert [(u.idx, u.parent_idx, u.pn, u.sn, u.rev) for u in units] == [
        (0, None, "FATPartNo", "FATTest-810", "Rev1"),
        (1, 0, "SubPartNo1", "SubPartSN1", "Rev2"),
        (2, 0, "SubPartNo2", "SubPartSN2", "Rev3"),
    ]
    failures = units[0].failures or []
    assert [(f.category, f.code, f.com_ref, f.ref_step_id, f.comment) for f in failures] == [
        ("Assembly Process", "Missing component", "U16", 32, "Failure on subunit"),
        ("Solder Process", "Appearance", "R55", 16, "Failure on main unit"),
    ]


def test_a_truncated_wrml_file_is_refused(reference_dir: Path, tmp_path: Path, convert) -> None:
    data = (reference_dir / UUT).read_bytes()
    path = tmp_path / "cut.xml"
    path.write_bytes(data[:20000])
    with pytest.raises(ConversionError, match=r"^cut\.xml: not well-formed XML at line"):
        convert(WrmlConverter, path)


def test_a_wrml_file_in_the_wrong_encoding_is_refused(
    reference_dir: Path, tmp_path: Path, convert
) -> None:
    text = (reference_dir / UUR).read_text(encoding="utf-8-sig")
    path = tmp_path / "latin1.xml"
    path.write_bytes(text.replace("Drammen", "Drøbak").encode("latin-1"))  # declares utf-8
    with pytest.raises(ConversionError, match=r"^latin1\.xml: not well-formed XML at line 3"):
        convert(WrmlConverter, path)


def test_a_wrml_report_without_a_serial_number_is_refused(
    reference_dir: Path, tmp_path: Path, convert
) -> None:
    text = (reference_dir / UUT).read_text(encoding="utf-8-sig")
    path = tmp_path / "nosn.xml"
    path.write_text(text.replace('SN="FATTest-292" ', ""), encoding="utf-8")
    with pytest.raises(ConversionError, match=r"^nosn\.xml: Report 0: missing the SN attribute"):
        convert(WrmlConverter, path)


def test_a_wrml_payload_for_a_missing_step_is_refused(
    reference_dir: Path, tmp_path: Path, convert
) -> None:
    text = (reference_dir / UUT).read_text(encoding="utf-8-sig")
    text = text.replace('<NumericLimit StepID="3" ', '<NumericLimit StepID="999" ', 1)
    path = tmp_path / "orphan.xml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConversionError, match=r"<NumericLimit StepID=999> has no <Step>"):
        convert(WrmlConverter, path)


def test_wsxf_is_not_wrml(reference_dir: Path, convert) -> None:
    with pytest.raises(ConversionError, match=r"not a WRML document"):
        convert(WrmlConverter, reference_dir / "olreppe-pyWATS/virinco-examples/uut-wsxf.xml")
