"""Finding converters (entry-point metadata) and loading one (in a worker only).

:func:`installed_converters` reads the ``pywats.converters`` entry points of the installed
distributions without importing anything they point to: the runner's process never runs
converter code. :func:`load_converter` imports one and checks it; only worker processes
call it.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any

from ._sdk import CONVERTER_API, Converter

__all__ = [
    "ENTRY_POINT_GROUP",
    "ConverterEntry",
    "LoadFailure",
    "describe_converter",
    "installed_converters",
    "load_converter",
]

#: The entry-point group converters register under.
ENTRY_POINT_GROUP = "pywats.converters"

_REFERENCE = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")


@dataclass(frozen=True)
class ConverterEntry:
    """An entry point naming a converter: ``name = "module:Class"`` in some distribution."""

    name: str
    reference: str
    distribution: str = ""
    distribution_version: str = ""


def installed_converters(extra: Mapping[str, str] | None = None) -> dict[str, ConverterEntry]:
    """Every converter entry point, by name, read from metadata only.

    ``extra`` adds converters by reference (``{"acme": "acme_module:Acme"}``) as if they
    were installed: for tests and for developing a converter before packaging it. Where two
    distributions register the same name, the first in ``sys.path`` order wins, as for
    ``importlib.metadata``.
    """
    found: dict[str, ConverterEntry] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in found:
            continue
        dist = getattr(ep, "dist", None)
        found[ep.name] = ConverterEntry(
            name=ep.name,
            reference=ep.value,
            distribution=dist.metadata["Name"] if dist is not None else "",
            distribution_version=dist.version if dist is not None else "",
        )
    for name, reference in (extra or {}).items():
        found[name] = ConverterEntry(name=name, reference=reference, distribution="(registered)")
    return found


class LoadFailure(Exception):
    """A converter could not be loaded: ``kind`` is ``"incompatible"`` or ``"import failed"``."""

    def __init__(self, kind: str, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.detail = detail


def load_converter(name: str, reference: str) -> type[Converter[Any]]:
    """Import the class ``reference`` points to and check it is a converter of our API.

    Raises :class:`LoadFailure` naming the converter and what is wrong.
    """
    if not _REFERENCE.match(reference):
        raise LoadFailure(
            "import failed",
            f"converter {name!r}: entry point {reference!r} is not of the form 'module:Class'",
        )
    module_name, _, attribute = reference.partition(":")
    try:
        target: Any = importlib.import_module(module_name)
        for part in attribute.split("."):
            target = getattr(target, part)
    except BaseException as exc:  # an import may raise anything, even SystemExit
        if isinstance(exc, KeyboardInterrupt):
            raise
        import traceback

        raise LoadFailure(
            "import failed",
            f"converter {name!r}: importing {reference} failed: {type(exc).__name__}: {exc}",
            traceback.format_exc(),
        ) from None
    if not (isinstance(target, type) and issubclass(target, Converter)):
        raise LoadFailure(
            "import failed",
            f"converter {name!r}: {reference} is not a pywats_converters.Converter subclass",
        )
    declared = getattr(target, "api_version", None)
    if declared != CONVERTER_API:
        raise LoadFailure(
            "incompatible",
            f"converter {name!r} was written for converter API {declared!r}; "
            f"this pywats-converters provides converter API {CONVERTER_API}",
        )
    return target


def describe_converter(cls: type[Converter[Any]]) -> dict[str, Any]:
    """What a listing shows of a loaded converter class (JSON-ready values)."""
    schema = cls.parameters_model.model_json_schema()
    properties: Mapping[str, Any] = schema.get("properties", {})
    defaults = {key: spec["default"] for key, spec in properties.items() if "default" in spec}
    return {
        "api_version": cls.api_version,
        "patterns": tuple(cls.patterns),
        "source_kind": cls.source_kind,
        "description": cls.description or (cls.__doc__ or "").strip().split("\n")[0],
        "parameters_schema": schema,
        "defaults": defaults,
    }
