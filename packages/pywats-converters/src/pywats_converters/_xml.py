"""Safe XML for converters: untrusted files never define entities or reach outside.

Every XML converter parses through :func:`parse_xml`, which refuses entity declarations
(billion laughs), external entities and external DTDs, and turns every parse failure into
a :class:`ConversionError` that names the file, line and column.
"""

from __future__ import annotations

# Types and ParseError only; parsing goes through defusedxml.
import xml.etree.ElementTree as ET

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from ._sdk import ConversionError, SourceFile

__all__ = ["parse_xml"]


def parse_xml(source: SourceFile | bytes, *, name: str | None = None) -> ET.Element:
    """Parse ``source`` (a source file or bytes) into its root element.

    ``name`` labels bytes in error messages. Raises :class:`ConversionError` for malformed
    or truncated XML and for any entity or DTD trickery.
    """
    if isinstance(source, SourceFile):
        data, label = source.read_bytes(), source.path
    else:
        data, label = source, None
    where = f"{name}: " if name and label is None else ""
    try:
        root: ET.Element = fromstring(data, forbid_dtd=False, forbid_entities=True)
    except DefusedXmlException as exc:
        raise ConversionError(f"{where}refused unsafe XML ({exc})", source=label) from None
    except LookupError as exc:  # the declaration names an encoding Python does not know
        raise ConversionError(
            f"{where}the XML declares an encoding Python does not know ({exc})", source=label
        ) from None
    except ET.ParseError as exc:
        line, column = exc.position
        raise ConversionError(
            f"{where}not well-formed XML at line {line}, column {column + 1}", source=label
        ) from None
    return root
