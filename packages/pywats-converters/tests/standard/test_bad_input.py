"""Whatever the file holds, a standard converter answers with reports or a ConversionError."""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any

import pytest

from pywats_converters import ConversionError, Converter
from pywats_converters.standard import (
    AtmlConverter,
    CsvConverter,
    TestStandXmlConverter,
    WrmlConverter,
    WstfConverter,
)

ALL: list[type[Converter[Any]]] = [
    AtmlConverter,
    TestStandXmlConverter,
    WrmlConverter,
    WstfConverter,
    CsvConverter,
]
XML: list[type[Converter[Any]]] = [AtmlConverter, TestStandXmlConverter, WrmlConverter]
BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><r>&b;</r>'
)
EXTERNAL = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'


@pytest.mark.parametrize("converter", XML, ids=lambda c: c.name)
@pytest.mark.parametrize("payload", [BOMB, EXTERNAL], ids=["entity-bomb", "external-entity"])
def test_xml_converters_refuse_entities(
    converter: type[Converter[Any]], payload: bytes, tmp_path: Path, convert
) -> None:
    path = tmp_path / "evil.xml"
    path.write_bytes(payload)
    with pytest.raises(ConversionError, match=r"^evil\.xml: refused unsafe XML"):
        convert(converter, path)


@pytest.mark.parametrize("converter", ALL, ids=lambda c: c.name)
def test_an_empty_file_is_refused(converter: type[Converter[Any]], tmp_path: Path, convert) -> None:
    path = tmp_path / "empty.dat"
    path.write_bytes(b"")
    with pytest.raises(ConversionError, match=r"^empty\.dat: "):
        convert(converter, path)


@pytest.mark.parametrize("converter", ALL, ids=lambda c: c.name)
def test_random_bytes_are_refused(converter: type[Converter[Any]], tmp_path: Path, convert) -> None:
    # PYWATS_TEST_SEED=<n> repeats a run; the seed is printed (shown on failure)
    seed = int(os.environ.get("PYWATS_TEST_SEED", random.SystemRandom().randrange(2**32)))
    print(f"PYWATS_TEST_SEED={seed}")
    path = tmp_path / "noise.dat"
    path.write_bytes(random.Random(seed).randbytes(4096))
    with pytest.raises(ConversionError, match=r"^noise\.dat: "):
        convert(converter, path)
