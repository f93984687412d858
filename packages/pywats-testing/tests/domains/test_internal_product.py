"""wats.internal.product, .process and .asset (INTERNAL routes) over loopback against
the fake, sync and async: BOM as JSON, product info, revision relations, categories;
process and repair-operation settings; files on assets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import pywats
from pywats.internal import ProductCategory, ProductRevisionRelation
from pywats.models import Asset, AssetType, Product, ProductRevision

Run = Callable[[Callable[[Any], Any]], Any]


@pytest.fixture
def revisions(run: Run) -> dict[str, str]:
    """PN-BOX rev A and PN-CARD rev B; their revision ids by part number."""
    out = {}
    for pn, rev in (("PN-BOX", "A"), ("PN-CARD", "B")):
        run(lambda w, pn=pn: w.product.save(Product(part_number=pn, name=pn)))
        saved = run(
            lambda w, pn=pn, rev=rev: w.product.save_revision(
                ProductRevision(part_number=pn, revision=rev)
            )
        )
        out[pn] = str(saved.product_revision_id)
    return out


@pytest.mark.usefixtures("revisions")
def test_a_json_bom_round_trips(run: Run) -> None:
    items = [{"partNumber": "R1", "quantity": 4, "reference": "R1;R2;R3;R4"}]
    run(lambda w: w.internal.product.save_bom("PN-BOX", "A", items))
    assert run(lambda w: w.internal.product.bom("PN-BOX", "A")) == items


@pytest.mark.usefixtures("revisions")
def test_a_bom_in_another_format_is_refused(run: Run) -> None:
    with pytest.raises(pywats.ValidationError, match="format 'csv'"):
        run(lambda w: w.internal.product.save_bom("PN-BOX", "A", [], format="csv"))


def test_the_bom_of_an_unknown_revision_is_not_found(run: Run) -> None:
    with pytest.raises(pywats.NotFoundError, match="Revision 'Z'"):
        run(lambda w: w.internal.product.bom("PN-NONE", "Z"))


def test_product_info_and_by_part_number(run: Run, revisions: dict[str, str]) -> None:
    info = run(lambda w: w.internal.product.product_info("PN-BOX", "A"))
    assert (info["partNumber"], info["productRevisionId"]) == ("PN-BOX", revisions["PN-BOX"])
    product = run(lambda w: w.internal.product.product_by_part_number("PN-CARD"))
    assert [r["revision"] for r in product["Revisions"]] == ["B"]


def test_revision_relations_are_created_changed_and_deleted(
    run: Run, revisions: dict[str, str]
) -> None:
    new = ProductRevisionRelation(
        parent_product_revision_id=revisions["PN-BOX"],
        product_revision_id=revisions["PN-CARD"],
        quantity=2,
    )
    [made] = run(lambda w: w.internal.product.create_revision_relation(new))
    assert (made.product_revision_id, made.quantity) == (revisions["PN-CARD"], 2)
    changed = made.model_copy(update={"quantity": 3, "revision_mask": "B%"})
    [after] = run(lambda w: w.internal.product.update_revision_relation(changed))
    assert (after.quantity, after.revision_mask) == (3, "B%")
    rid = str(made.product_revision_relation_id)
    run(lambda w: w.internal.product.delete_revision_relation(rid))
    with pytest.raises(pywats.NotFoundError):
        run(lambda w: w.internal.product.delete_revision_relation(rid))


def test_a_relation_to_an_unknown_revision_is_refused(run: Run, revisions: dict[str, str]) -> None:
    bad = {"ParentProductRevisionId": revisions["PN-BOX"], "ProductRevisionId": "nope"}
    with pytest.raises(pywats.ValidationError, match="existing product revisions"):
        run(lambda w: w.internal.product.create_revision_relation(bad))


def test_categories_are_created_then_renamed(run: Run) -> None:
    run(lambda w: w.internal.product.save_categories([ProductCategory(name="PCBA")]))
    [made] = run(lambda w: w.internal.product.categories())
    assert isinstance(made, ProductCategory)
    assert made.name == "PCBA"
    renamed = made.model_copy(update={"name": "Boards"})
    run(lambda w: w.internal.product.save_categories([renamed]))
    assert [c.name for c in run(lambda w: w.internal.product.categories())] == ["Boards"]


# -- Process ---------------------------------------------------------------------------
def test_a_process_is_read_by_its_id(run: Run) -> None:
    debug = next(p for p in run(lambda w: w.internal.process.processes()) if p.code == 10)
    one = run(lambda w: w.internal.process.process(str(debug.process_id)))
    assert (one.code, one.name) == (10, "SW Debug")


def test_an_unknown_process_id_is_not_found(run: Run) -> None:
    with pytest.raises(pywats.NotFoundError):
        run(lambda w: w.internal.process.process("00000000-0000-0000-0000-000000000000"))


def test_repair_operations_carry_fail_codes(run: Run) -> None:
    repairs = run(lambda w: w.internal.process.repair_operations())
    assert {r["Code"] for r in repairs} == {500, 510}
    one = run(
        lambda w: w.internal.process.repair_operation(repairs[0]["ProcessID"], process_code=10)
    )
    assert one["FailCodes"][0]["Name"] == "Component"


def test_a_repair_operation_for_a_non_test_process_is_refused(run: Run) -> None:
    repair = run(lambda w: w.internal.process.repair_operations())[0]
    with pytest.raises(pywats.ValidationError, match="not a test operation"):
        run(lambda w: w.internal.process.repair_operation(repair["ProcessID"], process_code=500))


# -- Blob (asset files) ----------------------------------------------------------------
@pytest.fixture
def asset_id(run: Run) -> str:
    run(lambda w: w.asset.save_type(AssetType(type_name="Fixture")))
    [kind] = run(lambda w: w.asset.types())
    run(lambda w: w.asset.save(Asset(serial_number="FX-F", type_id=str(kind.type_id))))
    return str(run(lambda w: w.asset.get_by_serial_number("FX-F")).asset_id)


def test_an_asset_file_round_trips_byte_for_byte(run: Run, asset_id: str) -> None:
    content = bytes(range(256)) * 4
    run(lambda w: w.internal.asset.upload_file(asset_id, "cal.bin", content))
    assert run(lambda w: w.internal.asset.download_file(asset_id, "cal.bin")) == content


def test_deleted_asset_files_are_gone(run: Run, asset_id: str) -> None:
    for name in ("a.pdf", "b.pdf"):
        run(lambda w, n=name: w.internal.asset.upload_file(asset_id, n, b"%PDF"))
    assert run(lambda w: w.internal.asset.delete_files(asset_id, ["a.pdf", "x.pdf"])) == ["a.pdf"]
    with pytest.raises(pywats.NotFoundError, match=r"'a\.pdf'"):
        run(lambda w: w.internal.asset.download_file(asset_id, "a.pdf"))
    assert run(lambda w: w.internal.asset.download_file(asset_id, "b.pdf")) == b"%PDF"


def test_a_file_on_an_unknown_asset_is_not_found(run: Run) -> None:
    with pytest.raises(pywats.NotFoundError, match="Asset"):
        run(lambda w: w.internal.asset.upload_file("no-such-asset", "a.txt", b"x"))
