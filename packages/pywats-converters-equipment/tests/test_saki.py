"""Saki AOI: the reference panel, by hand-read values, and broken variants."""

from __future__ import annotations

from pathlib import Path

import pytest

from pywats_converters import ConversionError
from pywats_converters_equipment import SakiAOI

DIR = "Virinco-WATS-Client-Converter-Saki-XML"
SAMPLE = "SAKI-testdata.xml"


@pytest.mark.reference_files(f"{DIR}/*.xml")
def test_every_sample_converts_to_valid_reports(reference_file: Path, convert) -> None:
    assert len(convert(SakiAOI, reference_file)) == 1


def test_panel(reference_dir: Path, convert, leaves) -> None:
    (panel,) = convert(SakiAOI, reference_dir / DIR / SAMPLE)
    # <Panel barcode="SN123456789" result="failed" startDate="01/10/2024"
    #        startTime="08:59:14" side="PN1" operator="Operator">
    assert (panel.sn, panel.pn) == ("SN123456789", "PN1")
    assert panel.result.value == "F"
    assert panel.uut.user == "Operator"
    assert panel.start.startswith("2024-01-10T08:59:14")  # month/day/year
    assert panel.root.name == "Test Sequence"  # <Program name="Test Sequence" ver="" />
    images = panel.root.steps
    assert [(i.name, i.status.value) for i in images] == [
        ("Image 1", "F"),
        ("Image 2", "P"),
        ("Image 3", "P"),
    ]
    steps = leaves(panel)
    assert len(steps) == 34  # 28 false calls and 6 failed references
    failed = [s for s in steps if s.status.value == "F"]
    assert [s.name for s in failed] == ["C1164", "C123", "C1161", "M103", "C1162", "C1165"]
    # <Reference designator="C1164" partNumber="4326543" package="4326543_C0603" …/>
    assert failed[0].report_text == "part 4326543, package 4326543_C0603, Description text"


def test_failed_references_become_repair_failures(reference_dir: Path, convert) -> None:
    uut, uur = convert(SakiAOI, reference_dir / DIR / SAMPLE, {"failures_as_repair": True})
    assert uur.type.value == "R"
    assert (uur.sn, uur.pn, uur.process_code) == ("SN123456789", "PN1", 500)
    assert uur.uur.ref_uut == uut.id
    assert uur.uur.process_code == uut.process_code
    failures = uur.sub_units[0].failures
    assert [(f.com_ref, f.art_number) for f in failures] == [
        ("C1164", "4326543"),
        ("C123", "4326543"),
        ("C1161", "4326566"),
        ("M103", "4326532"),
        ("C1162", "4326588"),
        ("C1165", "4326588"),
    ]
    assert {(f.category, f.code) for f in failures} == {("AOI", "Component defect")}


def _variant(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / SAMPLE
    path.write_bytes(data)
    return path


def test_truncated_file_is_refused(reference_dir: Path, tmp_path: Path, convert) -> None:
    data = (reference_dir / DIR / SAMPLE).read_bytes()
    with pytest.raises(ConversionError, match=rf"{SAMPLE}: not well-formed XML at line \d+"):
        convert(SakiAOI, _variant(tmp_path, data[: len(data) // 2]))


def test_ansi_text_in_utf8_xml_is_refused(reference_dir: Path, tmp_path: Path, convert) -> None:
    # Saved in the Windows code page while the XML (no declaration) must be UTF-8.
    text = (reference_dir / DIR / SAMPLE).read_text("utf-8").replace("Description", "Beløp", 1)
    with pytest.raises(ConversionError, match=rf"{SAMPLE}: not well-formed XML at line 6"):
        convert(SakiAOI, _variant(tmp_path, text.encode("cp1252")))


def test_missing_barcode_is_named(reference_dir: Path, tmp_path: Path, convert) -> None:
    data = (reference_dir / DIR / SAMPLE).read_bytes().replace(b'barcode="SN123456789" ', b"")
    with pytest.raises(ConversionError, match=r"<Panel> has no barcode attribute \(the panel's"):
        convert(SakiAOI, _variant(tmp_path, data))


def test_unknown_declared_encoding_is_named(reference_dir: Path, tmp_path: Path, convert) -> None:
    # found by test_damaged_input: a damaged XML declaration names no real encoding
    data = b'<?xml version="1.0" encoding="UT--8"?>\n' + (reference_dir / DIR / SAMPLE).read_bytes()
    with pytest.raises(ConversionError, match="declares an encoding Python does not know"):
        convert(SakiAOI, _variant(tmp_path, data))
