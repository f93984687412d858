"""Namespace-agnostic helpers for the XML readers (elements found by local name)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator

__all__ = ["child", "children", "local", "path", "text"]

XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"


def local(element: ET.Element) -> str:
    # the parser keeps no comments or processing instructions: every tag is a string
    return str(element.tag).rsplit("}", 1)[-1]


def children(element: ET.Element | None, *names: str) -> Iterator[ET.Element]:
    if element is None:
        return
    for item in element:
        if not names or local(item) in names:
            yield item


def child(element: ET.Element | None, *names: str) -> ET.Element | None:
    return next(children(element, *names), None)


def path(element: ET.Element | None, *steps: str) -> ET.Element | None:
    for step in steps:
        element = child(element, step)
        if element is None:
            return None
    return element


def text(element: ET.Element | None) -> str | None:
    if element is None or element.text is None:
        return None
    value = element.text.strip()
    return value or None
