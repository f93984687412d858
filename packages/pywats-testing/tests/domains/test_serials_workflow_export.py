"""Serial-number pools, workflow start/end and certificate exports over loopback against
the contract-checking fake."""

from __future__ import annotations

import io
import uuid
import zipfile
from collections.abc import Callable
from typing import Any

import pytest

import pywats
from pywats.models import Product, PublicWatsFilter, Unit

Run = Callable[[Callable[[Any], Any]], Any]


def test_serial_numbers_are_taken_in_order_and_listed(run: Run) -> None:
    assert [t.name for t in run(lambda w: w.production.serial_number_types())] == ["MAC"]
    first = run(lambda w: w.production.take_serial_numbers("MAC", 2, ref_sn="B-1", format="csv"))
    assert first.splitlines()[0] == "SerialNumber,RefSN,RefPN,Taken,Station"
    rows = [line.split(",") for line in first.splitlines()[1:]]
    assert [(r[0], r[1]) for r in rows] == [("000000000001", "B-1"), ("000000000002", "B-1")]
    run(lambda w: w.production.take_serial_numbers("MAC", 1))
    by_range = run(
        lambda w: w.production.serial_numbers_by_range(
            pywats.SerialNumberQuery("MAC", "000000000002", "000000000003")
        )
    )
    assert [r["serialNumber"] for r in by_range] == ["000000000002", "000000000003"]
    by_ref = run(lambda w: w.production.serial_numbers_by_reference("MAC", ref_sn="B-1"))
    assert [r["serialNumber"] for r in by_ref] == ["000000000001", "000000000002"]


def test_serial_numbers_export_and_upload(run: Run) -> None:
    run(lambda w: w.production.upload_serial_numbers("MAC", "csv", b"00000000AAAA\n00000000AAAB\n"))
    exported = run(lambda w: w.production.export_serial_numbers("MAC", "xml"))
    assert exported.count(b"<SerialNumber>") == 2
    with pytest.raises(pywats.ValidationError, match="does not exist"):
        run(lambda w: w.production.take_serial_numbers("IMEI", 1))


def test_workflow_start_and_end_mark_the_unit(run: Run) -> None:
    run(lambda w: w.product.save(Product(part_number="WF-1")))
    run(lambda w: w.production.save_units([Unit(serial_number="W-1", part_number="WF-1")]))
    assert run(lambda w: w.workflow.start_test("W-1", "WF-1", station_name="ict-1"))["state"] == (
        "Started"
    )
    assert run(lambda w: w.workflow.end_test("W-1", "WF-1", passed=False))["state"] == "Failed"
    assert run(lambda w: w.production.unit("W-1", "WF-1")).current_location == "ict-1"


def test_a_certificate_export_is_listed_and_downloaded(
    run: Run, make_report: Callable[..., dict[str, Any]]
) -> None:
    run(lambda w: w.report.submit_wsjf(make_report(id=str(uuid.uuid4()), sn="C-1")))
    queued = run(lambda w: w.export.queue_certificates(PublicWatsFilter(serial_number="C-1")))
    assert queued["fileName"] in [e["fileName"] for e in run(lambda w: w.export.exports())]
    content = run(lambda w: w.export.download(queued["fileName"]))
    names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    assert len(names) == 1
    assert names[0].startswith("C-1-")


def test_a_report_certificate_names_the_report(
    run: Run, make_report: Callable[..., dict[str, Any]]
) -> None:
    report = make_report(id=str(uuid.uuid4()), sn="CERT-1")
    run(lambda w: w.report.submit_wsjf(report))
    text = run(lambda w: w.report.get_certificate(report["id"])).decode()
    assert "sn: CERT-1" in text
