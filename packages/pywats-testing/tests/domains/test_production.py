"""Units over loopback against the contract-checking fake: registration, phases, box
build, the change feed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import pywats
from pywats.models import Product, Unit

Run = Callable[[Callable[[Any], Any]], Any]


@pytest.fixture
def product(run: Run) -> str:
    run(lambda w: w.product.save(Product(part_number="PN-U", name="Unit board")))
    return "PN-U"


def test_registered_units_read_back(run: Run, product: str) -> None:
    units = [Unit(serial_number=f"SN-{i}", part_number=product, revision="A") for i in range(3)]
    run(lambda w: w.production.save_units(units))
    unit = run(lambda w: w.production.unit("SN-1", product))
    assert (unit.serial_number, unit.revision, unit.unit_phase_id) == ("SN-1", "A", 1)


def test_a_unit_needs_a_known_product(run: Run) -> None:
    with pytest.raises(pywats.ValidationError, match="Product 'NOPE' not found"):
        run(lambda w: w.production.save_units([Unit(serial_number="S", part_number="NOPE")]))


def test_phase_and_process_change_the_unit(run: Run, product: str) -> None:
    run(lambda w: w.production.save_units([Unit(serial_number="SN-P", part_number=product)]))
    run(lambda w: w.production.set_unit_phase("SN-P", product, 4))
    run(lambda w: w.production.set_unit_process("SN-P", product, "SW Debug"))
    unit = run(lambda w: w.production.unit("SN-P", product))
    assert (unit.unit_phase_id, unit.unit_phase, unit.process_code) == (4, "Finalized", "10")


def test_an_unknown_process_name_is_refused(run: Run, product: str) -> None:
    run(lambda w: w.production.save_units([Unit(serial_number="SN-Q", part_number=product)]))
    with pytest.raises(pywats.ValidationError, match="does not exist"):
        run(lambda w: w.production.set_unit_process("SN-Q", product, "No such"))


def test_box_build_adds_and_removes_a_child(run: Run, product: str) -> None:
    units = [Unit(serial_number=s, part_number=product) for s in ("BOX", "CARD")]
    run(lambda w: w.production.save_units(units))
    run(
        lambda w: w.production.add_child_unit(
            "BOX", product, "CARD", product, check_part_number="false", check_revision="false"
        )
    )
    box = run(lambda w: w.production.unit("BOX", product))
    assert [u.serial_number for u in box.sub_units or []] == ["CARD"]
    run(lambda w: w.production.remove_child_unit("BOX", product, "CARD", product))
    assert run(lambda w: w.production.unit("CARD", product)).parent_serial_number is None


def test_unit_changes_are_fed_until_acknowledged(run: Run, product: str) -> None:
    run(lambda w: w.production.save_units([Unit(serial_number="SN-C", part_number=product)]))
    run(lambda w: w.production.set_unit_phase("SN-C", product, 2))
    changes = run(lambda w: w.production.unit_changes(10))
    assert [c.new_unit_phase_id for c in changes] == [1, 2]
    run(lambda w: w.production.acknowledge_unit_change(changes[0].id))
    assert [c.id for c in run(lambda w: w.production.unit_changes(10))] == [changes[1].id]
