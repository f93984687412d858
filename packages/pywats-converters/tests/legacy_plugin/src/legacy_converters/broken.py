"""A converter whose import fails: its dependency is not installed (test fixture)."""

from __future__ import annotations

import acme_vendor_sdk  # noqa: F401  # deliberately not installed

from pywats_converters import Converter


class Broken(Converter):
    name = "broken"
