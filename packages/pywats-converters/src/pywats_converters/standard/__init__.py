"""The standard converters shipped with pywats-converters (entry points ``pywats.converters``)."""

from __future__ import annotations

from ._atml import AtmlConverter, AtmlParameters

__all__ = [
    "AtmlConverter",
    "AtmlParameters",
]
