"""Products and revisions over loopback against the contract-checking fake."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import pywats
import pywats_testing
from pywats.models import Product, ProductRevision, Vendor

Run = Callable[[Callable[[Any], Any]], Any]


def test_a_saved_product_reads_back_with_its_revisions(run: Run) -> None:
    created = run(lambda w: w.product.save(Product(part_number="PN-1", name="Board")))
    run(lambda w: w.product.save_revision(ProductRevision(part_number="PN-1", revision="A")))
    product = run(lambda w: w.product.get("PN-1"))
    assert product.product_id == created.product_id
    assert product.name == "Board"
    assert [r.revision for r in product.revisions or []] == ["A"]
    revision = run(lambda w: w.product.get_revision("PN-1", "A"))
    assert revision.product_id == created.product_id


def test_saving_again_updates_the_same_product(run: Run) -> None:
    first = run(lambda w: w.product.save(Product(part_number="PN-2", name="Old")))
    second = run(lambda w: w.product.save({"partNumber": "PN-2", "name": "New"}))
    assert second.product_id == first.product_id
    assert run(lambda w: w.product.get("PN-2")).name == "New"


def test_a_revision_of_an_unknown_product_is_refused(run: Run) -> None:
    with pytest.raises(pywats.ValidationError, match="not found"):
        run(lambda w: w.product.save_revision(ProductRevision(part_number="NOPE", revision="A")))


def test_an_unknown_product_is_not_found(run: Run) -> None:
    with pytest.raises(pywats.NotFoundError):
        run(lambda w: w.product.get("missing"))


def test_query_filters_with_odata_and_pages(run: Run) -> None:
    products = [Product(part_number=f"P-{i:02}", name="x" if i % 2 else "y") for i in range(7)]
    run(lambda w: w.product.save_many(products))
    found = run(lambda w: w.product.query(pywats.Filter.eq("name", "x"), page_size=2))
    assert [p.part_number for p in found] == ["P-01", "P-03", "P-05"]


def test_vendors_are_saved_and_deleted(run: Run) -> None:
    run(lambda w: w.product.save_vendors([Vendor(vendor_name="Acme"), {"VendorName": "Bolt"}]))
    run(lambda w: w.product.delete_vendors([Vendor(vendor_name="Acme")]))
    assert [v.vendor_name for v in run(lambda w: w.product.vendors())] == ["Bolt"]


def test_product_groups_follow_the_group_filter(run: Run) -> None:
    run(lambda w: w.product.save(Product(part_number="PN-G")))
    run(lambda w: w.product.add_to_product_group("Boards", "PN-G"))
    assert run(lambda w: w.product.product_groups("PN-G")) == [{"name": "Boards"}]


def test_a_bom_needs_the_wsbf_document_of_a_known_product(run: Run) -> None:
    run(lambda w: w.product.save(Product(part_number="PN-B")))
    bom = (
        '<BOM xmlns="http://wats.virinco.com/schemas/WATS/wsbf" Partnumber="PN-B" '
        'Revision="A"><Component Number="C-1" Rev="1" Qty="2" Ref="R1;R2"/></BOM>'
    )
    run(lambda w: w.product.put_bom(bom))
    with pytest.raises(pywats.ServerError):
        run(lambda w: w.product.put_bom("<BOM/>"))


def test_a_lenient_client_gets_none_for_an_unknown_product(
    contract_wats: pywats_testing.FakeWatsServer,
) -> None:
    lenient = pywats.ErrorMode.LENIENT
    with pywats.WATS(contract_wats.url, contract_wats.token, error_mode=lenient) as wats:
        assert wats.product.get("missing") is None
        assert wats.asset.get_by_serial_number("missing") is None
        assert wats.rootcause.attachment("7a0e8f5e-1111-4c2d-8e9f-0a1b2c3d4e5f") is None
