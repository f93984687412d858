"""The standard converters shipped with pywats-converters (entry points ``pywats.converters``)."""

from __future__ import annotations

from ._atml import AtmlConverter, AtmlParameters
from ._teststand import TestStandXmlConverter, TestStandXmlParameters

__all__ = [
    "AtmlConverter",
    "AtmlParameters",
    "TestStandXmlConverter",
    "TestStandXmlParameters",
]
