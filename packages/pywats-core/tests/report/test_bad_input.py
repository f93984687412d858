"""Whatever bytes arrive, reading either gives a Report or raises ReportFormatError."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pywats.report import (
    Report,
    ReportFormatError,
    dumps_wsjf,
    dumps_wsxf,
    parse_report,
    parse_wsjf,
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
FIELDS = [
    "type",
    "id",
    "pn",
    "sn",
    "root",
    "uut",
    "uur",
    "subUnits",
    "miscInfos",
    "start",
    "result",
    "processCode",
    "steps",
    "numericMeas",
    "loop",
    "status",
    "compOp",
    "value",
]


def _read(data: bytes) -> Report | None:
    message = ""
    try:
        return parse_report(data)
    except ReportFormatError as exc:
        message = str(exc)
    assert message  # a message, never empty
    return None


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes(data: bytes) -> None:
    _read(data)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=8))
def test_random_json_objects(doc: dict[str, Any]) -> None:
    _read(json.dumps(doc).encode())


def _mutations(base: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """The export with one value somewhere replaced by an arbitrary JSON value."""

    def paths(node: Any, prefix: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        found = [prefix]
        if isinstance(node, dict):
            for key, value in node.items():
                found += paths(value, (*prefix, key))
        elif isinstance(node, list):
            for index, value in enumerate(node[:3]):
                found += paths(value, (*prefix, index))
        return found

    every = paths(base, ())[1:]

    def apply(choice: tuple[tuple[Any, ...], Any]) -> dict[str, Any]:
        path, value = choice
        doc = json.loads(json.dumps(base))
        node = doc
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
        return doc  # type: ignore[no-any-return]

    return st.tuples(st.sampled_from(every), json_values).map(apply)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_mutated_reports(data: st.DataObject, reference_dir: Path) -> None:
    base = json.loads(
        (reference_dir / "olreppe-pyWATS/server-exports/uur_example.json").read_bytes()
    )
    doc = data.draw(_mutations(base))
    report = _read(json.dumps(doc).encode())
    if report is not None:
        # whatever was accepted can be written in both formats and read back, or writing
        # WSXF says which text XML cannot carry
        assert parse_wsjf(json.dumps(doc)) == report
        try:
            xml = dumps_wsxf(report)
        except ReportFormatError as exc:
            message = str(exc)
        else:
            assert parse_report(xml).id.lower() == report.id.lower()
            return
        assert "which XML 1.0 cannot carry" in message


def test_control_characters_and_surrogates_get_clear_errors(reference_dir: Path) -> None:
    base = json.loads(
        (reference_dir / "olreppe-pyWATS/server-exports/uur_example.json").read_bytes()
    )
    base["subUnits"][0]["sn"] = "a\x00b"
    report = parse_wsjf(base)  # JSON can carry it ...
    assert parse_wsjf(dumps_wsjf(report)) == report
    with pytest.raises(ReportFormatError, match=r"<ReportUnitHierarchy SN> contains U\+0000"):
        dumps_wsxf(report)  # ... XML cannot
    base["subUnits"][0]["sn"] = "a\ud800"
    with pytest.raises(ReportFormatError, match=r"subUnits\[0\] -> sn: text holds a lone"):
        parse_wsjf(json.dumps(base))
    with pytest.raises(ReportFormatError, match="cannot write WSJF"):
        dumps_wsjf(parse_wsjf(base))  # a dict handed in directly is caught on writing
    base["subUnits"][0]["sn"] = "a\U0001f600"  # a proper pair is fine
    assert parse_wsjf(json.dumps(base)).sub_units[0].sn == "a\U0001f600"  # type: ignore[index]


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=120))
def test_random_xml_ish_text(text: str) -> None:
    ns = "http://wats.virinco.com/schemas/WATS/Report/wsxf"
    _read(f'<Reports xmlns="{ns}"><Report type="UUT" ID="x" {text}</Reports>'.encode())
    _read(f'<Reports xmlns="{ns}"><Report type="UUT" ID="x">{text}</Report></Reports>'.encode())


@pytest.mark.parametrize("depth", [400, 5000])
def test_absurdly_deep_trees_get_a_short_clear_error(depth: int) -> None:
    raw = '{"type":"T","id":"x","root":' + '{"steps":[' * depth + "{}" + "]}" * depth + "}"
    with pytest.raises(ReportFormatError) as caught:
        parse_wsjf(raw)
    message = str(caught.value)
    assert len(message) < 600
    assert "nested too deeply" in message or "levels) ..." in message
