"""What the standard converters produce survives the trip to the server's formats."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest

from pywats.report import dumps_wsjf, dumps_wsxf, parse_wsxf
from pywats_converters import Converter, parse_wsjf
from pywats_converters.standard import (
    AtmlConverter,
    CsvConverter,
    TestStandXmlConverter,
    WrmlConverter,
    WstfConverter,
)

CASES: list[tuple[type[Converter[Any]], str, dict[str, Any]]] = [
    (
        AtmlConverter,
        "olreppe-pyWATS/atml/TS2017_ATML2.02 - FATv1.XML",
        {"default_part_number": "P"},
    ),
    (
        AtmlConverter,
        "olreppe-pyWATS/atml/Parallel Testing Strategies_BatchReport.6 45 31 AM..9 13 2022.xml",
        {"default_part_number": "P"},
    ),
    (TestStandXmlConverter, "Virinco-TestStand-XML-Converter/TSWithWats2.xml", {}),
    (WstfConverter, "olreppe-pyWATS/virinco-examples/WatsStandardTextFormat.txt", {}),
    (WrmlConverter, "olreppe-pyWATS/virinco-examples/uut-wrml.xml", {}),
    (WrmlConverter, "olreppe-pyWATS/virinco-examples/uur-wrml.xml", {}),
    (
        CsvConverter,
        "Virinco-WATS-DevKit/sample-enhanced.csv",
        {"columns": {"start": "TestDate", "operation": "OperationType"}, "extra_fields": "ignore"},
    ),
]


@pytest.mark.parametrize(
    ("converter", "relative", "settings"),
    CASES,
    ids=[f"{c.name}:{Path(p).name}" for c, p, _ in CASES],
)
def test_reports_round_trip_through_wsjf_wsxf_and_pickle(
    converter: type[Converter[Any]],
    relative: str,
    settings: dict[str, Any],
    reference_dir: Path,
    convert,
) -> None:
    for report in convert(converter, reference_dir / relative, settings):
        assert parse_wsjf(dumps_wsjf(report)) == report
        # the runner's worker sends reports back pickled; these are our own objects
        assert pickle.loads(pickle.dumps(report)) == report  # noqa: S301
        again = parse_wsxf(dumps_wsxf(report))
        assert (again.id, again.sn, again.pn, again.result) == (
            report.id,
            report.sn,
            report.pn,
            report.result,
        )
