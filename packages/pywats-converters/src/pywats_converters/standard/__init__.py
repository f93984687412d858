"""The standard converters shipped with pywats-converters (entry points ``pywats.converters``)."""

from __future__ import annotations

from ._atml import AtmlConverter, AtmlParameters
from ._csv import CsvColumnLimit, CsvColumns, CsvConverter, CsvError, CsvParameters, read_table
from ._teststand import TestStandXmlConverter, TestStandXmlParameters
from ._wats import WatsFormatSettings, WsjfConverter, WsxfConverter
from ._wrml import WrmlConverter, WrmlParameters
from ._wstf import WSTF_COLUMNS, WstfConverter, WstfError, WstfParameters, parse_wstf

__all__ = [
    "CsvColumnLimit",
    "CsvColumns",
    "CsvConverter",
    "CsvError",
    "CsvParameters",
    "read_table",
    "AtmlConverter",
    "AtmlParameters",
    "TestStandXmlConverter",
    "TestStandXmlParameters",
    "WrmlConverter",
    "WrmlParameters",
    "WSTF_COLUMNS",
    "WstfConverter",
    "WstfError",
    "WstfParameters",
    "parse_wstf",
    "WatsFormatSettings",
    "WsjfConverter",
    "WsxfConverter",
]
