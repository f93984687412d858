"""A converter written for a converter API this SDK does not provide (test fixture)."""

from __future__ import annotations

from pywats_converters import ConversionContext, ConversionError, Converter, Report, SourceFile


class FutureApi(Converter):
    name = "future-api"
    patterns = ("*.acme",)
    api_version = 2

    def convert(self, source: SourceFile, context: ConversionContext) -> list[Report]:
        raise ConversionError("never called: the loader refuses this converter")
