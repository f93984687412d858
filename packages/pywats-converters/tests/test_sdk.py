"""The SDK's own behaviour: settings validation, source reading, stable ids, safe XML."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pywats_converters import (
    ConversionContext,
    ConversionError,
    Converter,
    ConverterParameters,
    Report,
    SettingsError,
    SourceFile,
    StationInfo,
    parse_xml,
)


class _Settings(ConverterParameters):
    operation_code: int = 10
    part_number_column: str = "PN"


class _Example(Converter[_Settings]):
    name = "example"
    patterns = ("*.txt",)

    def convert(self, source: SourceFile, context: ConversionContext) -> list[Report]:
        return []


def _context(path: Path) -> ConversionContext:
    return ConversionContext(
        station=StationInfo("ST1"),
        source=SourceFile.from_path(path),
        processes={"ICT": 60, "End of line test": 100},
        default_process_code=10,
    )


def test_settings_merge_over_defaults() -> None:
    converter = _Example.configure({"operation_code": "60"})
    assert converter.parameters.operation_code == 60
    assert converter.parameters.part_number_column == "PN"


def test_settings_errors_name_each_bad_key() -> None:
    with pytest.raises(SettingsError) as caught:
        _Example.configure({"operation_code": "ten", "colour": "red"})
    text = str(caught.value)
    assert "'example'" in text
    assert "operation_code: Input should be a valid integer" in text
    assert "colour: unknown setting" in text


def test_parameters_model_comes_from_the_generic_base() -> None:
    assert _Example.parameters_model is _Settings
    assert _Example().parameters == _Settings()


def test_read_bytes_refuses_a_file_over_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 2048)
    source = SourceFile.from_path(path, max_bytes=1024)
    with pytest.raises(ConversionError, match=r"big.txt: the file is 2,048 bytes, over the limit"):
        source.read_bytes()


def test_a_fifo_is_not_a_source(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    with pytest.raises(ConversionError, match="not a regular file"):
        SourceFile.from_path(fifo)


def test_a_vanished_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "gone.txt"
    path.write_text("x")
    source = SourceFile.from_path(path)
    path.unlink()
    with pytest.raises(ConversionError, match=r"gone\.txt: the file disappeared"):
        source.read_bytes()


def test_read_text_names_the_encoding_and_offset(tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes("Sn: ø".encode("latin-1"))
    with pytest.raises(ConversionError, match=r"not valid text in utf-8-sig \(byte 4"):
        SourceFile.from_path(path).read_text()
    assert SourceFile.from_path(path).read_text(("utf-8", "cp1252")) == "Sn: ø"


def test_report_ids_are_stable_per_file_and_key(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("same content")
    first = _context(path)
    assert first.report_id(0) == _context(path).report_id(0)
    assert first.report_id(0) != first.report_id(1)
    path.write_text("other content")
    assert _context(path).report_id(0) != first.report_id(0)


def test_process_codes_resolve_offline(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("x")
    context = _context(path)
    assert context.process_code("ict") == 60
    assert context.process_code("100") == 100
    assert context.process_code(None) == 10
    with pytest.raises(ConversionError, match="unknown process 'Burn'"):
        context.process_code("Burn")


def test_parse_xml_refuses_an_entity_bomb() -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><r>&b;</r>'
    with pytest.raises(ConversionError, match="refused unsafe XML"):
        parse_xml(bomb, name="bomb.xml")


def test_parse_xml_refuses_an_external_entity(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("do not read")
    xxe = f'<!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]><r>&x;</r>'.encode()
    with pytest.raises(ConversionError, match="refused unsafe XML"):
        parse_xml(xxe)


def test_parse_xml_names_line_and_column_of_truncation(tmp_path: Path) -> None:
    path = tmp_path / "cut.xml"
    path.write_bytes(b"<a>\n  <b>text</b>\n  <c")
    with pytest.raises(ConversionError, match=r"cut.xml: not well-formed XML at line 3"):
        parse_xml(SourceFile.from_path(path))


def test_parse_xml_names_an_unknown_declared_encoding() -> None:
    with pytest.raises(ConversionError, match="declares an encoding Python does not know"):
        parse_xml(b'<?xml version="1.0" encoding="x-no-such-codec"?><r/>', name="odd.xml")
