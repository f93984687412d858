"""WSXF generated from the mapping table itself comes back element for element.

The reader and the writer are both driven by ``_wsxf_map``; this test walks that same table
to make random documents (every element, every attribute, unknown attributes too), so any
entry that one direction honours and the other does not shows up here.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from enum import Enum
from typing import Any, get_args

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pywats.report import dumps_wsxf, parse_wsxf
from pywats.report._wsxf_map import (
    BOOL,
    FLOAT,
    GUID,
    INT,
    NAMESPACE,
    REPORT,
    Attr,
    Element,
    Flat,
    Nested,
    TextChild,
    write_float,
)

# text XML 1.0 carries unchanged (no CR: parsers normalise it)
TEXT = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xD7FF) | st.sampled_from("\t\n"),
    max_size=8,
)
DATA = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef0123456789+/=", min_size=1, max_size=12)
TIMESTAMPS = st.sampled_from(
    ["2026-02-01T10:00:00.1234567+01:00", "2017-06-07T07:24:20.857Z", "2020-01-01T08:00:00.Z"]
)
TIMESTAMP_FIELDS = {"start", "start_utc", "confirm_date", "finalize_date"}
UNKNOWN_ATTRIBUTES = ["StepIndex", "MeasIndex", "module_time", "Idx2", "order_no"]


def _attribute_text(spec: Element, attr: Attr) -> st.SearchStrategy[str]:
    """Text in the spelling the writer uses, so that the output must equal the input."""
    annotation = spec.model.model_fields[attr.field].annotation
    choices = (annotation, *get_args(annotation))
    enums = [arg for arg in choices if isinstance(arg, type) and issubclass(arg, Enum)]
    if enums:
        return st.sampled_from([attr.codec.write(member) for member in enums[0]])
    if attr.field in TIMESTAMP_FIELDS:
        return TIMESTAMPS
    if attr.codec is INT:
        return st.integers(-(2**31), 2**31 - 1).map(str)
    if attr.codec is FLOAT:
        return st.floats().map(write_float)
    if attr.codec is BOOL:
        return st.sampled_from(["true", "false", "0", "1", "True"])  # spellings are kept
    if attr.codec is GUID:
        return st.uuids().map(lambda value: str(value).upper())
    return TEXT


def _attributes(spec: Element, attrs: tuple[Attr, ...], at_least_one: bool) -> Any:
    mapped = st.fixed_dictionaries(
        {}, optional={attr.xml: _attribute_text(spec, attr) for attr in attrs}
    )
    if at_least_one:
        mapped = mapped.filter(bool)
    unknown = st.dictionaries(st.sampled_from(UNKNOWN_ATTRIBUTES), TEXT, max_size=2)
    return st.tuples(mapped, unknown).map(lambda pair: {**pair[1], **pair[0]})


def _element(spec: Element, depth: int) -> st.SearchStrategy[ET.Element]:
    """Random <spec.tag> with its children in the order the writer writes them."""
    parts: list[st.SearchStrategy[list[ET.Element]]] = []
    for child in spec.children:
        if isinstance(child, Nested):
            target = child.element if isinstance(child.element, Element) else spec
            if target is spec and depth >= 2:
                continue
            one = st.deferred(lambda target=target: _element(target, depth + 1))
            parts.append(st.lists(one, max_size=2 if child.many else 1))
        elif isinstance(child, TextChild):
            parts.append(st.lists(_text_child(child.tag), max_size=1))
        else:
            parts.append(st.lists(_flat_child(spec, child), max_size=1))
    text: st.SearchStrategy[str | None] = st.none()
    if spec.text is not None:
        text = st.none() | (DATA if spec.text_kind == "data" else TEXT.filter(bool))

    def build(args: tuple[dict[str, str], str | None, list[list[ET.Element]]]) -> ET.Element:
        attributes, own_text, children = args
        element = ET.Element(f"{{{NAMESPACE}}}{spec.tag}", attributes)
        element.text = own_text
        for group in children:
            element.extend(group)
        return element

    attributes = _attributes(spec, spec.attrs, at_least_one=False)
    if spec.required:
        required = st.fixed_dictionaries(
            {name: _attribute_text(spec, spec.attrs_by_name[name]) for name in spec.required}
        )
        attributes = st.tuples(attributes, required).map(lambda pair: {**pair[0], **pair[1]})
    return st.tuples(attributes, text, st.tuples(*parts).map(list)).map(build)


def _text_child(tag: str) -> st.SearchStrategy[ET.Element]:
    def build(args: tuple[str, dict[str, str]]) -> ET.Element:
        element = ET.Element(f"{{{NAMESPACE}}}{tag}", args[1])
        element.text = args[0]
        return element

    extra = st.dictionaries(st.just("Lang"), TEXT, max_size=1)
    return st.tuples(TEXT, extra).map(build)


def _flat_child(parent: Element, how: Flat) -> st.SearchStrategy[ET.Element]:
    return _attributes(parent, how.attrs, at_least_one=True).map(
        lambda attributes: ET.Element(f"{{{NAMESPACE}}}{how.tag}", attributes)
    )


def _tree(element: ET.Element) -> tuple[Any, ...]:
    return (
        element.tag,
        dict(element.attrib),
        (element.text or "").strip(),
        [_tree(child) for child in element],
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_element(REPORT, 0))
def test_every_mapped_element_and_attribute_comes_back(report: ET.Element) -> None:
    reports = ET.Element(f"{{{NAMESPACE}}}Reports")
    reports.append(report)
    raw = ET.tostring(reports, encoding="utf-8")
    written = dumps_wsxf(parse_wsxf(raw))
    assert _tree(ET.fromstring(written)) == _tree(reports)  # noqa: S314 - our own output
