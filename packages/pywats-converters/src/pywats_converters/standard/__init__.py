"""The standard converters shipped with pywats-converters (entry points ``pywats.converters``)."""

from __future__ import annotations

from ._atml import AtmlConverter, AtmlParameters
from ._csv import CsvColumnLimit, CsvColumns, CsvConverter, CsvError, CsvParameters, read_table
from ._teststand import TestStandXmlConverter, TestStandXmlParameters
from ._wats import WatsFormatSettings, WsjfConverter, WsxfConverter
from ._wrml import WrmlConverter, WrmlParameters
from ._wstf import WSTF_COLUMNS, WstfConverter, WstfError, WstfParameters, parse_wstf

__all__ = [
    # the converters, each beside its settings model
    "AtmlConverter",
    "AtmlParameters",
    "CsvConverter",
    "CsvParameters",
    "CsvColumns",
    "CsvColumnLimit",
    "TestStandXmlConverter",
    "TestStandXmlParameters",
    "WrmlConverter",
    "WrmlParameters",
    "WsjfConverter",
    "WsxfConverter",
    "WatsFormatSettings",
    "WstfConverter",
    "WstfParameters",
    # the pure readers under the CSV and WSTF converters: text in, rows or units out
    "read_table",
    "CsvError",
    "parse_wstf",
    "WstfError",
    "WSTF_COLUMNS",
]
