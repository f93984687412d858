"""The WSXF reader never resolves external entities nor expands entity bombs (defusedxml)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pywats.report import ReportFormatError, parse_report, parse_wsxf

NS = "http://wats.virinco.com/schemas/WATS/Report/wsxf"
SECRET = "TOP-SECRET-7f3a"


def _report(doctype: str, sn: str) -> bytes:
    return (
        f'<?xml version="1.0"?>{doctype}<Reports xmlns="{NS}">'
        f'<Report type="UUT" ID="0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0" SN="{sn}"/></Reports>'
    ).encode()


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET)
    return path


def test_external_entity_is_refused_and_never_read(secret_file: Path) -> None:
    doc = _report(f'<!DOCTYPE Reports [<!ENTITY xxe SYSTEM "{secret_file.as_uri()}">]>', sn="&xxe;")
    with pytest.raises(ReportFormatError) as caught:
        parse_wsxf(doc)
    message = str(caught.value)
    assert message.startswith("not a WSXF report: the XML declares the entity 'xxe'")
    assert SECRET not in message
    # the format-detecting entry point takes the same reader
    with pytest.raises(ReportFormatError, match="declares the entity 'xxe'"):
        parse_report(doc)


def test_external_parameter_entity_is_refused(secret_file: Path) -> None:
    doc = _report(
        f'<!DOCTYPE Reports [<!ENTITY % remote SYSTEM "{secret_file.as_uri()}"> %remote;]>',
        sn="x",
    )
    with pytest.raises(ReportFormatError, match="declares the entity 'remote'"):
        parse_wsxf(doc)


def test_billion_laughs_is_refused_before_any_expansion() -> None:
    # ten levels of ten-fold expansion: 10^9 "lol"s if anything expanded it
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">' for level in range(1, 10)
    ]
    doc = _report(f"<!DOCTYPE Reports [{''.join(entities)}]>", sn="&lol9;")
    with pytest.raises(ReportFormatError) as caught:
        parse_wsxf(doc)
    message = str(caught.value)
    assert "declares the entity 'lol0'" in message
    assert len(message) < 300


def test_an_external_dtd_is_not_loaded(tmp_path: Path) -> None:
    # were the DTD fetched, its attribute default would give the report an SN
    dtd = tmp_path / "wsxf.dtd"
    dtd.write_text('<!ATTLIST Report SN CDATA "FROM-THE-DTD">')
    doc = (
        f'<?xml version="1.0"?><!DOCTYPE Reports SYSTEM "{dtd.as_uri()}">'
        f'<Reports xmlns="{NS}"><Report type="UUT" ID="A"/></Reports>'
    ).encode()
    report = parse_wsxf(doc)
    assert report.sn is None
    assert report.id == "a"


def test_comments_and_an_empty_doctype_are_harmless() -> None:
    doc = (
        f'<?xml version="1.0"?><!DOCTYPE Reports><!-- exported --><Reports xmlns="{NS}">'
        '<Report type="UUT" ID="A" SN="S1"><!-- header --><UUT UserLoginName="u"/></Report>'
        "</Reports>"
    ).encode()
    report = parse_wsxf(doc)
    assert report.sn == "S1"
    assert report.uut is not None
    assert report.uut.user == "u"
