"""A converter module whose import fails (test fixture)."""

from __future__ import annotations

import pywats_converters_no_such_dependency  # noqa: F401

from pywats_converters import Converter


class Broken(Converter):
    name = "broken"
