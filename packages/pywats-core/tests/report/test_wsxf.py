"""WSXF: the server's XML export equals its JSON export; XML round trips element for element."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from pywats.report import (
    ReportFormatError,
    dump_wsjf,
    dumps_wsxf,
    parse_wsjf,
    parse_wsxf,
)

NS = "{http://wats.virinco.com/schemas/WATS/Report/wsxf}"


def _parse_xml(data: bytes) -> ET.Element:
    return ET.fromstring(data)  # noqa: S314 - reference files and our own output


def _tree(element: ET.Element) -> tuple[Any, ...]:
    """Element-for-element form: tag, attributes, stripped text, children."""
    return (
        element.tag,
        dict(element.attrib),
        (element.text or "").strip(),
        [_tree(child) for child in element],
    )


def test_wsxf_and_wsjf_exports_load_into_equal_models(
    reference_dir: Path, format_neutral: Any
) -> None:
    exports = reference_dir / "olreppe-pyWATS/server-exports"
    from_xml = parse_wsxf((exports / "uut-wsxf-export.xml").read_bytes())
    from_json = parse_wsjf((exports / "uut-wsjf-export.json").read_bytes())
    # documented format-inherent differences: XML has no null (absent instead), writes
    # null strings as "" and omits empty lists; GUID case is normalised on reading
    assert format_neutral(dump_wsjf(from_xml)) == format_neutral(dump_wsjf(from_json))
    assert from_xml.id == from_json.id == "33a2d408-3fc8-480b-b554-6866c77fd91c"
    assert len(from_xml.steps()) == len(from_json.steps()) == 186
    # the documented differences really are the only ones: spot-check each kind
    assert from_xml.product_name == ""
    assert from_json.product_name is None
    assert from_json.model_fields_set - from_xml.model_fields_set == {
        "process_code_format",
        "assets",
        "asset_stats",
        "additional_data",
    }


@pytest.mark.reference_files(
    "olreppe-pyWATS/server-exports/*.xml", "olreppe-pyWATS/virinco-examples/uut-wsxf.xml"
)
def test_wsxf_round_trip_is_element_for_element(reference_file: Path) -> None:
    raw = reference_file.read_bytes()
    model = parse_wsxf(raw)
    written = dumps_wsxf(model)
    again = parse_wsxf(written)
    assert again == model
    assert dump_wsjf(again) == dump_wsjf(model)
    # same elements, attributes (WSXF-only ones such as StepIndex/MeasIndex included),
    # texts; "0"/"1" boolean spelling kept
    assert _tree(_parse_xml(written)) == _tree(_parse_xml(raw))


def test_virinco_wsxf_example_content(reference_dir: Path) -> None:
    raw = (reference_dir / "olreppe-pyWATS/virinco-examples/uut-wsxf.xml").read_bytes()
    report = parse_wsxf(raw)
    steps = report.steps()
    assert len(steps) == 50
    assert sum(len(s.numeric_meas or []) for s in steps) == 64
    assert sum(1 for s in steps if s.attachment is not None) == 2
    assert report.sn == "FATTest-422"
    assert report.result is not None
    assert report.result.value == "F"
    assert report.start == "2017-06-07T09:24:20.857+02:00"
    assert report.start_utc == "2017-06-07T07:24:20.857Z"


@pytest.mark.reference_files(
    "olreppe-pyWATS/server-exports/*.json", "olreppe-pyWATS/virinco-examples/*.json"
)
def test_wsjf_through_wsxf_keeps_content(reference_file: Path, format_neutral: Any) -> None:
    report = parse_wsjf(reference_file.read_bytes())
    back = parse_wsxf(dumps_wsxf(report))
    assert format_neutral(dump_wsjf(back)) == format_neutral(dump_wsjf(report))


def test_wsxf_writer_uses_server_spelling(reference_dir: Path) -> None:
    raw = (reference_dir / "olreppe-pyWATS/server-exports/uut-wsjf-export.json").read_bytes()
    root = _parse_xml(dumps_wsxf(parse_wsjf(raw)))
    report = root.find(NS + "Report")
    assert report is not None
    assert report.get("ID") == "33A2D408-3FC8-480B-B554-6866C77FD91C"
    assert report.get("type") == "UUT"
    assert report.get("Result") == "Failed"
    assert len(root.findall(f".//{NS}Step")) == 186
    assert len(root.findall(f".//{NS}Loop")) == 46
    first = root.find(f".//{NS}NumericLimit")
    assert first is not None
    assert first.get("NumericValue") == "10"
    assert {e.get("Group") for e in root.iter(NS + "Step")} == {"Main"}


def _doc(body: str) -> bytes:
    return f'<Reports xmlns="{NS[1:-1]}">{body}</Reports>'.encode()


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (b"<Reports", "malformed XML"),
        (b"<Reports xmlns='urn:other'/>", "expected <Reports"),
        (
            _doc(""),
            "holds 0 <Report> elements",
        ),
        (
            _doc('<Report type="UUT" ID="A" Result="Maybe"/>'),
            "Result 'Maybe' is not one of",
        ),
        (
            _doc('<Report type="UUT" ID="A"><Step Id="x"/></Report>'),
            "Id 'x' is not an integer",
        ),
        (
            _doc('<Report type="UUT" ID="A"><Bogus/></Report>'),
            "unexpected element <Bogus> in <Report>",
        ),
        (
            _doc('<Report ID="A"/>'),
            "attribute type is required",
        ),
        (
            _doc('<Report type="UUT" ID="A"><UUT/><UUT/></Report>'),
            "Report: more than one <UUT> in <Report>",
        ),
        (
            _doc('<Report type="UUT" ID="A"><Step Name="s"><Loop/><Loop/></Step></Report>'),
            "Report -> Step s: more than one <Loop> in <Step>",
        ),
        (
            _doc('<Report type="UUT" ID="A"><UUT><Bogus/></UUT></Report>'),
            "Report -> UUT: unexpected element <Bogus> in <UUT>",
        ),
        (
            _doc('<Report type="UUT" ID="A"><Step/><Step/></Report>'),
            "more than one <Step> in <Report>",
        ),
        (
            _doc('<Report type="UUT" ID="A" xmlns:o="urn:other"><o:Step/></Report>'),
            "unexpected element <Step> in <Report>",
        ),
    ],
)
def test_bad_wsxf_gets_a_specific_error(data: bytes, needle: str) -> None:
    with pytest.raises(ReportFormatError, match=needle):
        parse_wsxf(data)


def test_wsxf_writer_leaves_the_process_wide_namespace_registry_alone() -> None:
    report = parse_wsxf(_doc('<Report type="UUT" ID="A" SN="S"/>'))
    written = dumps_wsxf(report)
    assert written.startswith(b"<?xml version='1.0' encoding='utf-8'?>\n<Reports xmlns=")
    assert b"ns0:" not in written
    # another user of ElementTree in the same process still gets ElementTree's own prefixes
    assert ET.tostring(ET.Element(NS + "Other")).startswith(b"<ns0:Other xmlns:ns0=")


def test_boolean_spelling_is_kept_while_it_means_the_same() -> None:
    report = parse_wsxf(
        _doc(
            '<Report type="UUT" ID="A"><Step Name="r" StepCausedUUTFailure="1" '
            'StepCausedSequenceFailure="True"/></Report>'
        )
    )
    assert report.root is not None
    assert report.root.caused_uut_failure is True
    step = _parse_xml(dumps_wsxf(report)).find(f"{NS}Report/{NS}Step")
    assert step is not None
    assert step.get("StepCausedUUTFailure") == "1"
    assert step.get("StepCausedSequenceFailure") == "True"
    report.root.caused_uut_failure = False
    report.root.caused_seq_failure = False
    step = _parse_xml(dumps_wsxf(report)).find(f"{NS}Report/{NS}Step")
    assert step is not None
    assert step.get("StepCausedUUTFailure") == "false"
    assert step.get("StepCausedSequenceFailure") == "false"


def test_attributes_of_field_less_children_come_back() -> None:
    raw = _doc(
        '<Report type="UUT" ID="A"><UUT UserLoginName="u"><Comment Lang="en">hi</Comment></UUT>'
        '<Process Code="10" Name="SW Debug" Guid="0F1E"/></Report>'
    )
    assert _tree(_parse_xml(dumps_wsxf(parse_wsxf(raw)))) == _tree(_parse_xml(raw))


def test_chart_data_keeps_its_element_order() -> None:
    series = '<Series Name="a" DataType="XYG"><xdata>1;2</xdata><ydata>3;4</ydata></Series>'
    raw = _doc(
        f'<Report type="UUT" ID="A"><Step Name="c"><Chart ChartType="Line">{series}</Chart>'
        "</Step></Report>"
    )
    written = _parse_xml(dumps_wsxf(parse_wsxf(raw)))
    assert _tree(written) == _tree(_parse_xml(raw))
    # the server's order (ydata first) when the input gave none, e.g. from WSJF
    report = parse_wsjf(dump_wsjf(parse_wsxf(raw)))
    item = _parse_xml(dumps_wsxf(report)).find(f".//{NS}Series")
    assert item is not None
    assert [child.tag for child in item] == [NS + "ydata", NS + "xdata"]
