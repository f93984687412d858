"""What the equipment converters share: the comparison a measurement's limits stand for,
and the root check of their XML files."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from pywats_converters import CompOp, ConversionError, Converter, SourceFile
from pywats_converters_equipment import XJTAG, SakiAOI, SigmaQuestUnitReport, StepWize
from pywats_converters_equipment._common import comparison, xml_root


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (1.0, 2.0, (CompOp.GELE, 1.0, 2.0)),
        (1.0, None, (CompOp.GE, 1.0, None)),
        (0.0, None, (CompOp.GE, 0.0, None)),
        (None, None, (CompOp.LOG, None, None)),
    ],
)
def test_limits_stand_for_their_comparison(
    low: float | None, high: float | None, expected: tuple[CompOp, float | None, float | None]
) -> None:
    assert comparison(low, high) == expected


def test_a_single_high_limit_goes_first_as_wats_keeps_it() -> None:
    assert comparison(None, 5.0) == (CompOp.LE, 5.0, None)


@pytest.mark.parametrize(
    ("converter", "expected"),
    [
        (SakiAOI, "the root is <Board>, not a Saki <Panel>"),
        (StepWize, "the root is <Board>, not <ConfigAndResultsDataFile>"),
        (SigmaQuestUnitReport, "the root is <Board>, not a SigmaSure <UnitReport>"),
        (XJTAG, "the root is <Board>, not an XJTAG <testrun>"),
    ],
)
def test_an_xml_file_of_another_kind_is_refused_naming_its_root(
    converter: type[Converter[Any]], expected: str, tmp_path: Path, convert
) -> None:
    path = tmp_path / "other.xml"
    path.write_bytes(b"<Board><Panel/></Board>")
    with pytest.raises(ConversionError, match=f"^other.xml: {re.escape(expected)}$"):
        convert(converter, path)


def test_the_root_check_matches_the_namespace_unless_told_any(tmp_path: Path) -> None:
    path = tmp_path / "panel.xml"
    path.write_bytes(b'<Panel xmlns="urn:saki"/>')
    source = SourceFile.from_path(path)
    assert xml_root(source, tag="{*}Panel").tag == "{urn:saki}Panel"
    assert xml_root(source, tag="{urn:saki}Panel").tag == "{urn:saki}Panel"
    with pytest.raises(ConversionError, match=r"the root is <\{urn:saki\}Panel>, not <Panel>$"):
        xml_root(source, tag="Panel")


def test_the_root_check_names_the_archive_member(tmp_path: Path) -> None:
    path = tmp_path / "log.xjlog"
    path.write_bytes(b"")
    source = SourceFile.from_path(path)
    with pytest.raises(
        ConversionError,
        match=r"^log\.xjlog: Run 1\.xml: the root is <run>, not an XJTAG <testrun>$",
    ):
        xml_root(source, b"<run/>", "Run 1.xml", tag="testrun", kind="an XJTAG")
