"""SigmaQuest / SigmaSure unit reports: the reference files, hand-read values, broken variants."""

from __future__ import annotations

from pathlib import Path

import pytest

from pywats_converters import ConversionError
from pywats_converters_equipment import SigmaQuestUnitReport

DIR = "Virinco-WATS-Client-Converter-SigmaQuest-XML"
FAILED = "testdata_SN651658.xml"
PASSED = "testdata_SN654164896.xml"


@pytest.mark.reference_files(f"{DIR}/testdata_*.xml")
def test_every_sample_converts_to_valid_reports(reference_file: Path, convert) -> None:
    assert len(convert(SigmaQuestUnitReport, reference_file)) == 1


def test_failed_unit(reference_dir: Path, convert, leaves, step_named) -> None:
    (unit,) = convert(SigmaQuestUnitReport, reference_dir / DIR / FAILED)
    # <Product part-no="1564678564" serial-no="SN651658" …/>, <Operator name="OP2"/>
    assert (unit.sn, unit.pn, unit.uut.user) == ("SN651658", "1564678564", "OP2")
    assert unit.result.value == "F"  # the root TestRun's grade="FAIL"
    # root TestRun 2024-12-10T15:34:53+00:00 to 2024-12-11T14:47:47+00:00
    assert unit.start == "2024-12-10T15:34:53.0000000Z"
    assert unit.uut.exec_time == 83574.0
    assert unit.root.name == "OP2"
    assert len(unit.root.steps) == 5  # five TestRuns directly under the root one
    assert len(leaves(unit)) == 49  # TestRuns without TestRun children
    # <ValueDouble name="Collision Pressure" lsl="0.0035000" usl="0.0040000">0.0039323
    gas = step_named(unit, "Gas Inlet Manifold").numeric_meas[0]
    assert (gas.value, gas.comp_op.value, gas.low_limit, gas.high_limit) == (
        0.0039323,
        "GELE",
        0.0035,
        0.004,
    )
    assert gas.unit is None  # no uom attribute in the file
    # <ValueDouble name="MS1 value" lsl="0" usl="-2.4000">-3.4359: lsl 0 is "no limit"
    align = step_named(unit, "Align RF Generator").numeric_meas
    assert [(m.name, m.value, m.comp_op.value, m.low_limit) for m in align] == [
        ("MS1 value", -3.4359, "LE", -2.4),
        ("MS2 value", -3.2405, "LE", -2.4),
    ]
    # <ValueDouble name="pos DCpos Beam TIC" lsl="2.19e+11" usl="0">5.4601e+13
    beam = step_named(unit, "Basic Beam - Positive").numeric_meas[0]
    assert (beam.value, beam.comp_op.value, beam.low_limit) == (5.4601e13, "GE", 2.19e11)
    # grade="FAIL" on Low Mass Resolution under MS2 POSITIVE MODE QUAD TUNING AND TESTING
    failing = step_named(unit, "MS2 POSITIVE MODE QUAD TUNING AND TESTING")
    assert failing.status.value == "F"
    assert [s.status.value for s in failing.steps if s.name == "Low Mass Resolution"] == ["F"]
    # grade="PENDING": the run has no verdict, its values are skipped
    pending = next(s for s in failing.steps if s.name == "High Mass Resolution")
    assert pending.status.value == "S"
    assert pending.report_text.startswith("no value: pos DCneg Valley Percent")


def test_passed_unit(reference_dir: Path, convert, leaves) -> None:
    (unit,) = convert(SigmaQuestUnitReport, reference_dir / DIR / PASSED)
    assert (unit.sn, unit.pn, unit.result.value) == ("SN654164896", "98756468", "P")
    assert len(leaves(unit)) == 89


def _variant(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / FAILED
    path.write_bytes(data)
    return path


def test_truncated_file_is_refused(reference_dir: Path, tmp_path: Path, convert) -> None:
    data = (reference_dir / DIR / FAILED).read_bytes()
    with pytest.raises(ConversionError, match=rf"{FAILED}: not well-formed XML at line \d+"):
        convert(SigmaQuestUnitReport, _variant(tmp_path, data[: len(data) // 3]))


def test_ansi_text_in_utf8_xml_is_refused(reference_dir: Path, tmp_path: Path, convert) -> None:
    text = (
        (reference_dir / DIR / FAILED).read_text("utf-8").replace('name="OP2"/>', 'name="Bjørn"/>')
    )
    with pytest.raises(ConversionError, match=rf"{FAILED}: not well-formed XML at line 4"):
        convert(SigmaQuestUnitReport, _variant(tmp_path, text.encode("cp1252")))


def test_missing_serial_number_is_named(reference_dir: Path, tmp_path: Path, convert) -> None:
    data = (reference_dir / DIR / FAILED).read_bytes().replace(b' serial-no="SN651658"', b"")
    with pytest.raises(ConversionError, match="<Product> has no serial-no attribute"):
        convert(SigmaQuestUnitReport, _variant(tmp_path, data))


def test_unknown_grade_is_named(reference_dir: Path, tmp_path: Path, convert) -> None:
    data = (reference_dir / DIR / FAILED).read_bytes().replace(b'grade="FAIL"', b'grade="MAYBE"', 1)
    with pytest.raises(ConversionError, match="test run 'OP2' has grade 'MAYBE', unknown"):
        convert(SigmaQuestUnitReport, _variant(tmp_path, data))
