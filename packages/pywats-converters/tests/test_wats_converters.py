"""The WSJF and WSXF converters on every reference file, and on bad input.

Every conversion goes through the isolated runner (``pywats_converters.testing``), as on a
station; a success means the reports passed pywats-core's validator.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pywats.report import Report, Step, dump_wsjf, dumps_wsxf, parse_wsjf, parse_wsxf
from pywats_converters.runner import FailureCause
from pywats_converters.testing import assert_fails, assert_valid, convert, convert_file

WSJF_FILES = ("olreppe-pyWATS/server-exports/*.json", "olreppe-pyWATS/virinco-examples/*.json")
WSXF_FILES = (
    "olreppe-pyWATS/server-exports/*wsxf*.xml",
    "olreppe-pyWATS/virinco-examples/*wsxf*.xml",
)
EXPORT = "olreppe-pyWATS/server-exports/uut-wsjf-export.json"


def _steps(step: Step | None) -> list[Step]:
    if step is None:
        return []
    out = [step]
    for child in step.steps or []:
        out += _steps(child)
    return out


@pytest.mark.reference_files(*WSJF_FILES)
def test_every_wsjf_reference_file_converts_into_a_valid_report(reference_file: Path) -> None:
    (report,) = convert_file(reference_file, "wsjf", {"normalize": True})
    assert_valid(report)
    original = parse_wsjf(reference_file.read_bytes())
    assert (report.id, report.type, report.sn, report.pn) == (
        original.id,
        original.type,
        original.sn,
        original.pn,
    )


@pytest.mark.reference_files(*WSXF_FILES)
def test_every_wsxf_reference_file_converts_into_a_valid_report(reference_file: Path) -> None:
    (report,) = convert_file(reference_file, "wsxf", {"normalize": True})
    assert_valid(report)
    original = parse_wsxf(reference_file.read_bytes())
    assert (report.id, report.sn, report.result) == (original.id, original.sn, original.result)


@pytest.mark.reference_files(
    "olreppe-pyWATS/server-exports/uur*.json", "olreppe-pyWATS/virinco-examples/*UUR*.json"
)
def test_a_uur_written_as_wsxf_converts_back_to_the_same_report(
    reference_file: Path, tmp_path: Path
) -> None:
    original = parse_wsjf(reference_file.read_bytes())
    assert original.is_uur
    path = tmp_path / "repair.xml"
    path.write_bytes(dumps_wsxf(original))
    (report,) = convert_file(path, "wsxf")
    assert_valid(report)
    assert report.is_uur

    # WSXF has no way to write a null: compare what has a value
    def present(info: dict[str, object]) -> dict[str, object]:
        return {key: value for key, value in info.items() if value is not None}

    assert present(dump_wsjf(report)["uur"]) == present(dump_wsjf(original)["uur"])
    assert len(report.sub_units or []) == len(original.sub_units or [])


def test_without_normalising_the_export_fails_with_the_servers_messages(
    reference_dir: Path,
) -> None:
    failure = assert_fails(
        reference_dir / EXPORT, "wsjf", {"normalize": False}, cause=FailureCause.INVALID_REPORT
    )
    assert len(failure.problems) == 50
    assert "endingIndex is required to be the same as highest index." in failure.message


def test_normalising_keeps_every_iteration_and_plain_step(reference_dir: Path) -> None:
    original = parse_wsjf((reference_dir / EXPORT).read_bytes())
    (report,) = convert_file(reference_dir / EXPORT, "wsjf", {"normalize": True})

    def kept(step: Step | None) -> list[tuple[str, int]]:
        # every step outside loop summaries (aggregates), with its number of measurements
        if step is None or (step.loop is not None and step.loop.idx is None):
            return []
        out = [(step.name or "", len(step.measurements()))]
        for child in step.steps or []:
            out += kept(child)
        return out

    assert sorted(kept(report.root)) == sorted(kept(original.root))


def test_the_wsjf_and_wsxf_exports_give_the_same_steps(reference_dir: Path) -> None:
    from_json: Report = convert_file(reference_dir / EXPORT, "wsjf", {"normalize": True})[0]
    from_xml: Report = convert_file(
        reference_dir / "olreppe-pyWATS/server-exports/uut-wsxf-export.xml",
        "wsxf",
        {"normalize": True},
    )[0]
    names = [(s.name, s.status) for s in _steps(from_json.root)]
    assert names == [(s.name, s.status) for s in _steps(from_xml.root)]


# ---------------------------------------------------------------------- bad input


def _fails(path: Path, converter: str, text: str) -> None:
    failure = assert_fails(path, converter, cause=FailureCause.CONVERSION_ERROR)
    assert failure.message.startswith(f"{path.name}: converter {converter!r}: conversion error: ")
    assert text in failure.message, failure.message
    assert "Traceback" not in failure.message


def test_truncated_xml(tmp_path: Path, reference_dir: Path) -> None:
    data = (reference_dir / "olreppe-pyWATS/virinco-examples/uut-wsxf.xml").read_bytes()
    path = tmp_path / "cut.xml"
    path.write_bytes(data[: len(data) // 2])
    _fails(path, "wsxf", "not a WSXF report: malformed XML (unclosed token: line")


def test_an_entity_bomb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xml"
    levels = "".join(
        f'<!ENTITY e{i} "{"".join(f"&e{i - 1};" for _ in range(10))}">' for i in range(1, 10)
    )
    path.write_text(
        f'<?xml version="1.0"?><!DOCTYPE Reports [<!ENTITY e0 "lol">{levels}]>'
        '<Reports xmlns="http://wats.virinco.com/schemas/WATS/Report/wsxf">&e9;</Reports>'
    )
    _fails(path, "wsxf", "refused unsafe XML")


def test_an_external_entity_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("do not read")
    path = tmp_path / "xxe.xml"
    path.write_text(
        f'<!DOCTYPE Reports [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<Reports xmlns="http://wats.virinco.com/schemas/WATS/Report/wsxf">&x;</Reports>'
    )
    _fails(path, "wsxf", "refused unsafe XML")


def test_an_entity_declared_in_utf16_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb16.xml"
    text = (
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY a "aaaa">]>'
        '<Reports xmlns="http://wats.virinco.com/schemas/WATS/Report/wsxf">&a;</Reports>'
    )
    path.write_bytes(text.encode("utf-16"))
    _fails(path, "wsxf", "refused unsafe XML")


def test_wrong_encoding(tmp_path: Path) -> None:
    path = tmp_path / "latin.json"
    path.write_bytes('{"type": "T", "sn": "Sønderborg"}'.encode("latin-1"))
    _fails(path, "wsjf", "input is not UTF-8 text")


def test_a_100_mb_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as fh:
        fh.truncate(100 * 1024 * 1024)
    _fails(path, "wsjf", "the file is 104,857,600 bytes, over the limit of 67,108,864 bytes")


def test_an_unknown_format(tmp_path: Path) -> None:
    path = tmp_path / "photo.json"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    _fails(path, "wsjf", "not a WSJF report")


def test_wrml_is_not_wsxf(reference_dir: Path) -> None:
    _fails(
        reference_dir / "olreppe-pyWATS/virinco-examples/uut-wrml.xml",
        "wsxf",
        "this is WRML (the WATS Client's XML format",
    )


def test_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.json"
    path.write_bytes(b"")
    _fails(path, "wsjf", "not a WSJF report")


def test_a_file_gone_before_conversion(tmp_path: Path) -> None:
    path = tmp_path / "gone.json"
    result = convert(path, "wsjf")
    assert not result.ok
    assert (
        result.message == "gone.json: converter 'wsjf': conversion error: the file no longer exists"
    )
