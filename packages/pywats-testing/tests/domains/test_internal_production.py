"""wats.internal.production (INTERNAL routes) over loopback against the fake, sync and
async: unit phases, sites, units made and assembled, their history, serial-number pools."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import pywats
from pywats.internal import SerialNumberRange
from pywats.models import Product, ProductRevision

Run = Callable[[Callable[[Any], Any]], Any]


@pytest.fixture
def board(run: Run) -> str:
    run(lambda w: w.product.save(Product(part_number="PN-I", name="Board")))
    run(lambda w: w.product.save_revision(ProductRevision(part_number="PN-I", revision="A")))
    return "PN-I"


def test_unit_phases_are_typed(run: Run) -> None:
    phases = run(lambda w: w.internal.production.unit_phases())
    assert {(p.unit_phase_id, p.name) for p in phases} >= {(1, "Under production"), (8, "Scrapped")}


def test_the_production_module_answers(run: Run) -> None:
    assert run(lambda w: w.internal.production.is_connected()) is True


def test_sites_list_the_default_site(run: Run) -> None:
    assert [s["Name"] for s in run(lambda w: w.internal.production.sites())] == ["Default site"]


def test_a_created_unit_reads_back_by_serial(run: Run, board: str) -> None:
    run(lambda w: w.internal.production.create_unit("SN-1", board, "A", batch_number="B7"))
    unit = run(lambda w: w.internal.production.unit("SN-1"))
    assert (unit["partNumber"], unit["revision"], unit["batchNumber"]) == (board, "A", "B7")


def test_creating_a_unit_twice_is_a_conflict(run: Run, board: str) -> None:
    run(lambda w: w.internal.production.create_unit("SN-2", board, "A"))
    with pytest.raises(pywats.ConflictError, match="already exists"):
        run(lambda w: w.internal.production.create_unit("SN-2", board, "A"))


def test_a_unit_of_an_unknown_product_is_refused(run: Run) -> None:
    with pytest.raises(pywats.ValidationError, match="Product 'NOPE' not found"):
        run(lambda w: w.internal.production.create_unit("SN-3", "NOPE", "A"))


def test_an_unknown_unit_is_not_found(run: Run) -> None:
    with pytest.raises(pywats.NotFoundError, match="'GHOST'"):
        run(lambda w: w.internal.production.unit_info("GHOST", "PN-I"))


def test_unit_info_phase_and_process_follow_the_public_changes(run: Run, board: str) -> None:
    run(lambda w: w.internal.production.create_unit("SN-4", board, "A", unit_phase=2))
    run(lambda w: w.production.set_unit_process("SN-4", board, "SW Debug"))
    info = run(lambda w: w.internal.production.unit_info("SN-4", board))
    assert (info["unitPhase"], info["processName"]) == ("Production queued", "SW Debug")
    assert run(lambda w: w.internal.production.unit_phase("SN-4", board))["UnitPhaseId"] == 2
    assert run(lambda w: w.internal.production.unit_process("SN-4", board))["Code"] == 10


def test_box_build_shows_in_hierarchy_and_contents(run: Run, board: str) -> None:
    for sn in ("BOX", "CARD", "CHIP"):
        run(lambda w, sn=sn: w.internal.production.create_unit(sn, board, "A"))
    run(lambda w: w.internal.production.add_child_unit("BOX", board, "CARD", board))
    run(lambda w: w.internal.production.add_child_unit("CARD", board, "CHIP", board))
    tree = run(lambda w: w.internal.production.unit_hierarchy("BOX", board))
    assert tree["children"][0]["serialNumber"] == "CARD"
    assert tree["children"][0]["children"][0]["serialNumber"] == "CHIP"
    contents = run(lambda w: w.internal.production.unit_contents("BOX", board, "A"))
    assert [c["serialNumber"] for c in contents["children"]] == ["CARD"]
    check = run(lambda w: w.internal.production.check_child_units("BOX", board))
    assert check["children"] == [{"serialNumber": "CARD", "partNumber": board}]


def test_a_child_leaves_its_parent(run: Run, board: str) -> None:
    for sn in ("P1", "C1", "C2"):
        run(lambda w, sn=sn: w.internal.production.create_unit(sn, board, "A"))
    for child in ("C1", "C2"):
        run(lambda w, c=child: w.internal.production.add_child_unit("P1", board, c, board))
    run(lambda w: w.internal.production.remove_child_unit("P1", board, "C1", board))
    assert [
        c["serialNumber"]
        for c in run(lambda w: w.internal.production.unit_hierarchy("P1", board))["children"]
    ] == ["C2"]
    done = run(lambda w: w.internal.production.remove_all_child_units("P1", board))
    assert done == {"removed": 1}
    assert run(lambda w: w.internal.production.unit_hierarchy("P1", board))["children"] == []


def test_a_child_with_a_parent_is_refused(run: Run, board: str) -> None:
    for sn in ("PA", "PB", "CX"):
        run(lambda w, sn=sn: w.internal.production.create_unit(sn, board, "A"))
    run(lambda w: w.internal.production.add_child_unit("PA", board, "CX", board))
    with pytest.raises(pywats.ValidationError, match="already has a parent"):
        run(lambda w: w.internal.production.add_child_unit("PB", board, "CX", board))


def test_state_history_records_each_phase_change(run: Run, board: str) -> None:
    run(lambda w: w.internal.production.create_unit("SN-H", board, "A"))
    run(lambda w: w.production.set_unit_phase("SN-H", board, 4))
    history = run(lambda w: w.internal.production.unit_state_history("SN-H", board))
    assert [h["unitPhaseId"] for h in history] == [1, 4]


def test_taken_serial_numbers_are_found_and_counted(run: Run) -> None:
    run(lambda w: w.production.take_serial_numbers("MAC", 3))
    found = run(
        lambda w: w.internal.production.serial_numbers(
            pywats.SerialNumberQuery("MAC", "000000000002", "000000000003")
        )
    )
    assert [r["serialNumber"] for r in found] == ["000000000002", "000000000003"]
    assert run(lambda w: w.internal.production.serial_number_count("MAC")) == 3


def test_freed_serial_numbers_go_back_to_the_pool(run: Run) -> None:
    run(lambda w: w.production.take_serial_numbers("MAC", 4))
    freed = run(
        lambda w: w.internal.production.free_serial_numbers(
            [
                SerialNumberRange(
                    type="MAC", start_address="000000000003", end_address="000000000004"
                )
            ]
        )
    )
    assert freed == {"freed": 2}
    stats = run(lambda w: w.internal.production.serial_number_statistics("MAC"))
    assert (stats["taken"], stats["reserved"]) == (2, 2)


def test_deleted_free_numbers_leave_the_ranges(run: Run) -> None:
    before = run(lambda w: w.internal.production.serial_number_ranges("MAC"))[0]
    run(
        lambda w: w.internal.production.delete_free_serial_numbers(
            [{"type": "MAC", "startAddress": "000000000100", "endAddress": "0000000001FF"}]
        )
    )
    after = run(lambda w: w.internal.production.serial_number_ranges("MAC"))[0]
    assert isinstance(after, SerialNumberRange)
    assert (before.free or 0) - (after.free or 0) == 256


def test_an_unknown_serial_number_type_is_refused(run: Run) -> None:
    with pytest.raises(pywats.ValidationError, match="'IMEI' does not exist"):
        run(lambda w: w.internal.production.serial_number_count("IMEI"))


def test_a_scrapped_child_is_refused_when_the_phase_is_checked(run: Run, board: str) -> None:
    run(lambda w: w.internal.production.create_unit("PS", board, "A"))
    run(lambda w: w.internal.production.create_unit("CS", board, "A", unit_phase=8))
    with pytest.raises(pywats.ValidationError, match="'CS' is scrapped"):
        run(
            lambda w: w.internal.production.add_child_unit(
                "PS", board, "CS", board, check_phase=True
            )
        )
    run(lambda w: w.internal.production.add_child_unit("PS", board, "CS", board))
    assert run(lambda w: w.internal.production.unit("CS"))["parentSerialNumber"] == "PS"
