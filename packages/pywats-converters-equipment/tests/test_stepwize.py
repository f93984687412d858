"""StepWize .XSPC: the reference file, by hand-read values, and broken variants."""

from __future__ import annotations

from pathlib import Path

import pytest

from pywats_converters import ConversionContext, ConversionError, SourceFile, StationInfo
from pywats_converters_equipment import StepWize

DIR = "Virinco-WATS-Client-Converter-StepWize"
SAMPLE = "20250316_133653_CONFIG_AND_RESULTS.XSPC"


@pytest.mark.reference_files(f"{DIR}/*.XSPC")
def test_every_sample_converts_to_valid_reports(reference_file: Path, convert) -> None:
    assert len(convert(StepWize, reference_file)) == 1


def test_header_and_measurements(reference_dir: Path, convert, leaves, step_named) -> None:
    (unit,) = convert(StepWize, reference_dir / DIR / SAMPLE)
    # <partNumber>PN1</partNumber> <revision>A</revision> <serialNumber>SN65632341</…>
    assert (unit.sn, unit.pn, unit.rev) == ("SN65632341", "PN1", "A")
    assert unit.result.value == "P"  # <sequencePF>Pass</sequencePF>
    assert unit.uut.user == "e"  # <operator>e</operator>
    assert unit.start.startswith("2025-03-16T13:36:53.277")  # first row's startDateTime
    assert unit.uut.exec_time == pytest.approx(13814.647)  # to the last row's 17:27:07.924
    assert unit.root.name == "sequenceFileName.xml"  # <sourceFile>
    assert [a.asset_sn for a in unit.assets] == ["SN_PCB-001", "VSI_PCB-001"]  # <assetID>
    assert len(unit.root.steps) == 52  # distinct consecutive stepName values
    assert len(leaves(unit)) == 233  # <Config_and_Data_Result> rows
    # LL <= Value <= UL 2.3899999999999999E+1 2.4100000000000001E+1, 2.3953554153442379E+1
    supply = step_named(unit, "Verify 24 VDC PS Voltage", 1).numeric_meas[0]
    assert (supply.value, supply.low_limit, supply.high_limit) == (23.953554153442379, 23.9, 24.1)
    assert (supply.comp_op.value, supply.unit) == ("GELE", None)
    # Value <= UL 0 / 2.5E-1, 7.3432393372058868E-2 ADC
    current = step_named(unit, "Measure Current Draw", 1).numeric_meas[0]
    assert (current.value, current.comp_op.value, current.low_limit, current.unit) == (
        0.073432393372058868,
        "LE",
        0.25,
        "ADC",
    )
    # Offfset Max (sic): -1.6366580243759320E-5 V between -0.5 and 0.5
    offset = step_named(unit, "Offfset Max").numeric_meas[0]
    assert (offset.value, offset.low_limit, offset.high_limit, offset.unit) == (
        -1.636658024375932e-5,
        -0.5,
        0.5,
        "V",
    )
    # "Performed- Record Only" rows are logged values without limits
    assert step_named(unit, "iteration").numeric_meas[0].comp_op.value == "LOG"
    assert {m.description: m.text for m in unit.misc_infos}["operation"] == "SW Debug"


def test_operation_name_selects_the_process(reference_dir: Path) -> None:
    path = reference_dir / DIR / SAMPLE
    context = ConversionContext(
        station=StationInfo("ST", location="L", purpose="P"),
        source=SourceFile.from_path(path),
        default_process_code=10,
        processes={"SW Debug": 7},
    )
    (unit,) = StepWize().convert(context.source, context)
    assert unit.process_code == 7


def _variant(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / SAMPLE
    path.write_bytes(data)
    return path


def test_truncated_file_is_refused(reference_dir: Path, tmp_path: Path, convert) -> None:
    data = (reference_dir / DIR / SAMPLE).read_bytes()
    with pytest.raises(ConversionError, match=rf"{SAMPLE}: not well-formed XML at line \d+"):
        convert(StepWize, _variant(tmp_path, data[: len(data) // 2]))


def test_ansi_text_in_utf8_xml_is_refused(reference_dir: Path, tmp_path: Path, convert) -> None:
    text = (reference_dir / DIR / SAMPLE).read_text("utf-8")
    text = text.replace("Part description", "Beskrivelse på norsk")
    with pytest.raises(ConversionError, match=rf"{SAMPLE}: not well-formed XML at line 11"):
        convert(StepWize, _variant(tmp_path, text.encode("cp1252")))


def test_missing_serial_number_is_named(reference_dir: Path, tmp_path: Path, convert) -> None:
    data = (reference_dir / DIR / SAMPLE).read_bytes()
    data = data.replace(b"<serialNumber>SN65632341</serialNumber>", b"")
    with pytest.raises(ConversionError, match=r"no serial number \(<serialNumber> is missing"):
        convert(StepWize, _variant(tmp_path, data))
