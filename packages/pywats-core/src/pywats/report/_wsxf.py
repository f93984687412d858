"""WSXF (WATS Standard XML Format) reading and writing, both driven by ``_wsxf_map``.

What exists only in WSXF (attributes without a model field such as ``StepIndex``,
``MeasIndex``, ``module_time``; ``0``/``1`` booleans; the order of chart data) is kept by the
``Report`` as an ``XmlForm`` per object, so that WSXF -> model -> WSXF gives the same elements
and attributes back. Reading uses defusedxml: no DTD entity is ever declared, expanded or fetched.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

from defusedxml import DefusedXmlException, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import ParseError, fromstring
from pydantic import ValidationError

from ._detect import WRML_NAMESPACE, not_wrml
from ._errors import MAX_STEP_DEPTH, ReportFormatError
from ._model_base import WsjfModel, WsjfReading, XmlForm
from ._models import Report
from ._wsjf import describe_validation_error
from ._wsxf_map import (
    NAMESPACE,
    QUALIFIED,
    REPORT,
    STEP,
    Element,
    Flat,
    Nested,
    TextChild,
)

__all__ = ["NAMESPACE", "dumps_wsxf", "parse_wsxf"]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


# ---------------------------------------------------------------------- reading


def _segment(element: ET.Element) -> str:
    name = element.get("Name")
    tag = _local(element.tag)
    return tag if name is None else f"{tag} {name}"


class _Reader:
    def __init__(self) -> None:
        #: the elements from <Report> down to the one being read, for error messages
        self.path: list[ET.Element] = []
        # WSXF attribute order is no JSON key order: the model is written in WATS's order
        self.reading = WsjfReading(keys_by_alias_only=False, keep_key_order=False)
        #: what each object's element carried beyond the model (see XmlForm)
        self.forms: list[tuple[WsjfModel, XmlForm]] = []

    def where(self) -> str:
        segments = [_segment(element) for element in self.path]
        if len(segments) > 9:  # deep trees: keep the ends, say how much is left out
            segments = [*segments[:4], f"... ({len(segments) - 8} levels) ...", *segments[-4:]]
        return " -> ".join(segments)

    def fail(self, message: str) -> ReportFormatError:
        return ReportFormatError(f"not a valid WSXF report: {self.where()}: {message}")

    def read(self, element: ET.Element, spec: Element, depth: int) -> Any:
        self.path.append(element)
        fields: dict[str, Any] = {}
        form: XmlForm | None = None
        attrs = spec.attrs_by_name
        for name, text in element.attrib.items():
            attr = attrs.get(name)
            if attr is None:
                form = form or XmlForm()
                form.attributes[name] = text
                continue
            fields[attr.field] = self.convert(name, text, attr.codec.read)
            keeps = attr.codec.keeps_spelling
            if keeps is not None and keeps(text):
                form = form or XmlForm()
                form.spellings[name] = text
        for required in spec.required:
            if required not in element.attrib:
                raise self.fail(f"attribute {required} is required")
        if spec.text is not None:
            own_text = element.text
            if spec.text_kind == "raw":
                if own_text is not None:
                    fields[spec.text] = own_text
            elif own_text is not None and own_text.strip():
                fields[spec.text] = own_text.strip()
        if len(element):
            form = self.read_children(element, spec, depth, fields, form)
        try:
            obj = spec.model.model_validate(fields, context=self.reading)
        except ValidationError as exc:
            # field names in the message are the WSJF names the attributes map to
            raise ReportFormatError(
                describe_validation_error(
                    exc, "WSXF", prefix=f"{self.where()} -> {spec.model.__name__} "
                )
            ) from None
        if form is not None:
            self.forms.append((obj, form))
        self.path.pop()
        return obj

    def read_children(
        self,
        element: ET.Element,
        spec: Element,
        depth: int,
        fields: dict[str, Any],
        form: XmlForm | None,
    ) -> XmlForm | None:
        seen: list[str] = []  # tags of the single-valued children read so far, in order
        for child in element:  # the parser keeps no comments or processing instructions
            how = spec.children_by_tag.get(child.tag)
            if how is None:
                raise self.fail(f"unexpected element <{_local(child.tag)}> in <{spec.tag}>")
            tag = _local(child.tag)
            if isinstance(how, Nested) and how.many:
                fields.setdefault(how.field, []).append(self.read_nested(child, how, spec, depth))
                continue
            if tag in seen:
                raise self.fail(f"more than one <{tag}> in <{spec.tag}>")
            seen.append(tag)
            if isinstance(how, Nested):
                fields[how.field] = self.read_nested(child, how, spec, depth)
                continue
            if len(child):
                raise self.fail(f"unexpected element <{_local(child[0].tag)}> in <{tag}>")
            leftovers = dict(child.attrib)
            if isinstance(how, TextChild):
                fields[how.field] = child.text or ""
            else:
                for attr in how.attrs:
                    text = leftovers.pop(attr.xml, None)
                    if text is not None:
                        fields[attr.field] = self.convert(attr.xml, text, attr.codec.read)
            if leftovers:
                form = form or XmlForm()
                form.child_attributes[tag] = leftovers
        texts = [tag for tag in seen if tag in spec.text_children]
        if texts != [tag for tag in spec.text_children if tag in texts]:
            form = form or XmlForm()
            form.child_order = tuple(texts)
        return form

    def read_nested(self, child: ET.Element, how: Nested, parent: Element, depth: int) -> Any:
        target = how.element if isinstance(how.element, Element) else parent
        if target is STEP:
            depth += 1
            if depth > MAX_STEP_DEPTH:
                self.path.append(child)
                raise self.fail(f"steps nested more than {MAX_STEP_DEPTH} levels deep")
        return self.read(child, target, depth)

    def convert(self, name: str, text: str, read: Callable[[str], Any]) -> Any:
        try:
            return read(text)
        except ValueError as exc:
            raise self.fail(f"{name} {text!r} {exc}") from None


def _parse_xml(data: bytes | str) -> ET.Element:
    try:
        root: ET.Element = fromstring(data)  # defusedxml: no entities, no external references
    except EntitiesForbidden as exc:
        raise ReportFormatError(
            f"not a WSXF report: the XML declares the entity {exc.name!r}; WSXF uses none, and "
            "entity declarations are refused (they can read local files or expand without end)"
        ) from None
    except ExternalReferenceForbidden as exc:
        raise ReportFormatError(
            f"not a WSXF report: the XML refers to an external resource ({exc.sysid!r}), "
            "which is refused"
        ) from None
    except DefusedXmlException as exc:
        raise ReportFormatError(f"not a WSXF report: refused XML construct ({exc})") from None
    except ParseError as exc:
        raise ReportFormatError(f"not a WSXF report: malformed XML ({exc})") from None
    return root


def parse_wsxf(data: bytes | str) -> Report:
    """Parse a WSXF document (``<Reports>`` with one ``<Report>``) into a ``Report``."""
    root = _parse_xml(data)
    if root.tag == REPORT.qualified_tag:
        report_element = root
    elif root.tag == QUALIFIED + "Reports":
        reports = [child for child in root if child.tag == REPORT.qualified_tag]
        if len(reports) != 1:
            raise ReportFormatError(
                f"not a WSXF report: <Reports> holds {len(reports)} <Report> elements, expected 1"
            )
        report_element = reports[0]
    elif isinstance(root.tag, str) and root.tag.startswith("{" + WRML_NAMESPACE + "}"):
        raise not_wrml("WSXF")
    else:
        raise ReportFormatError(
            f"not a WSXF report: root element is {root.tag!r}, expected "
            f'<Reports xmlns="{NAMESPACE}">'
        )
    reader = _Reader()
    try:
        report: Report = reader.read(report_element, REPORT, 0)
    except RecursionError:
        raise ReportFormatError("not a WSXF report: steps nested too deeply") from None
    if reader.forms and reader.forms[-1][0] is report:
        report._xml_form = reader.forms.pop()[1]
    report._part_xml_forms = reader.forms
    return report


# ---------------------------------------------------------------------- writing

# Characters XML 1.0 cannot carry at all (not even as character references).
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_safe(text: str, where: str) -> str:
    bad = _NOT_XML.search(text)
    if bad is not None:
        raise ReportFormatError(
            f"cannot write WSXF: {where} contains U+{ord(bad.group()):04X}, "
            "which XML 1.0 cannot carry"
        )
    return text


def _write(
    parent: ET.Element,
    spec: Element,
    obj: WsjfModel,
    form: XmlForm | None,
    forms: dict[int, XmlForm],
    depth: int,
) -> None:
    element = ET.SubElement(parent, spec.tag)
    for attr in spec.attrs:
        value = getattr(obj, attr.field)
        if value is None:
            continue
        text = attr.codec.write(value)
        if form is not None and attr.xml in form.spellings:
            spelled = form.spellings[attr.xml]
            if attr.codec.read(spelled) == value:  # still means what it meant
                text = spelled
        element.set(attr.xml, _xml_safe(text, f"<{spec.tag} {attr.xml}>"))
    if form is not None:
        for name, text in form.attributes.items():
            element.set(name, _xml_safe(text, f"<{spec.tag} {name}>"))
    if spec.text is not None:
        value = getattr(obj, spec.text)
        # "data" (base64) is written only when there is some; "raw" text also when empty
        if (value is not None and spec.text_kind == "raw") or value:
            element.text = _xml_safe(value, f"<{spec.tag}> text")
    texts_done = False
    for how in spec.children:
        if isinstance(how, Nested):
            value = getattr(obj, how.field)
            if not value:
                continue
            target = how.element if isinstance(how.element, Element) else spec
            level = depth + 1 if target is STEP else depth
            if level > MAX_STEP_DEPTH:
                raise ReportFormatError(
                    f"cannot write WSXF: steps nested more than {MAX_STEP_DEPTH} levels deep"
                )
            if how.many:
                for item in value:
                    _write(element, target, item, forms.get(id(item)), forms, level)
            else:
                _write(element, target, value, forms.get(id(value)), forms, level)
        elif isinstance(how, Flat):
            _write_flat(element, how, obj, form)
        elif not texts_done:
            # text children together, in the order they were read in (default: the table's)
            texts_done = True
            order = form.child_order if form is not None and form.child_order else None
            for tag in order or spec.text_children:
                text_child = spec.children_by_tag[QUALIFIED + tag]
                assert isinstance(text_child, TextChild)
                _write_text_child(element, text_child, obj, form)


def _write_text_child(
    parent: ET.Element, how: TextChild, obj: WsjfModel, form: XmlForm | None
) -> None:
    value = getattr(obj, how.field)
    if value is None:
        return
    child = ET.SubElement(parent, how.tag, _child_attributes(form, how.tag))
    child.text = _xml_safe(value, f"<{how.tag}> text")


def _write_flat(parent: ET.Element, how: Flat, obj: WsjfModel, form: XmlForm | None) -> None:
    values = [(attr, getattr(obj, attr.field)) for attr in how.attrs]
    if all(value is None for _, value in values):
        return
    child = ET.SubElement(parent, how.tag)
    for attr, value in values:
        if value is not None:
            child.set(attr.xml, _xml_safe(attr.codec.write(value), f"<{how.tag} {attr.xml}>"))
    for name, text in _child_attributes(form, how.tag).items():
        child.set(name, _xml_safe(text, f"<{how.tag} {name}>"))


def _child_attributes(form: XmlForm | None, tag: str) -> dict[str, str]:
    if form is None:
        return {}
    return form.child_attributes.get(tag, {})


def dumps_wsxf(report: Report) -> bytes:
    """The report as a WSXF document (UTF-8, ``<Reports>`` root, upper-case GUIDs)."""
    # Every element is in the WSXF namespace, declared here as the document's default
    # namespace: no process-wide prefix registration, and no ns0: prefixes.
    # (ElementTree's default_namespace= cannot be used: it refuses unprefixed attributes.)
    reports = ET.Element("Reports", xmlns=NAMESPACE)
    forms = {id(part): form for part, form in report._part_xml_forms}
    _write(reports, REPORT, report, report._xml_form, forms, 0)
    body: bytes = ET.tostring(reports, encoding="utf-8", xml_declaration=True)
    return body
