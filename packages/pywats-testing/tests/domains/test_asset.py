"""Assets over loopback against the contract-checking fake: types, counts, calibration,
the log, deletion."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import pywats
from pywats import AssetRef
from pywats.models import Asset, AssetType

Run = Callable[[Callable[[Any], Any]], Any]


@pytest.fixture
def fixture_type(run: Run) -> str:
    run(lambda w: w.asset.save_type(AssetType(type_name="Fixture", running_count_limit=100)))
    [kind] = run(lambda w: w.asset.types())
    return str(kind.type_id)


def test_an_asset_is_found_by_id_and_by_serial(run: Run, fixture_type: str) -> None:
    run(lambda w: w.asset.save(Asset(serial_number="FX-1", type_id=fixture_type)))
    by_serial = run(lambda w: w.asset.get_by_serial_number("FX-1"))
    by_id = run(lambda w: w.asset.get(by_serial.asset_id))
    assert by_id.serial_number == "FX-1"
    assert [a.serial_number for a in run(lambda w: w.asset.query("serialNumber eq 'FX-1'"))] == [
        "FX-1"
    ]


def test_an_asset_needs_a_known_type(run: Run) -> None:
    unknown = "fc48e41d-6276-4bf0-83f2-fa8af9aab91a"
    with pytest.raises(pywats.ValidationError, match="type"):
        run(lambda w: w.asset.save(Asset(serial_number="FX-9", type_id=unknown)))


def test_counts_grow_and_calibration_restarts_the_running_count(
    run: Run, fixture_type: str
) -> None:
    run(lambda w: w.asset.save(Asset(serial_number="FX-2", type_id=fixture_type)))
    run(lambda w: w.asset.set_count(AssetRef.by_serial("FX-2"), increment_by=5))
    run(lambda w: w.asset.set_count(AssetRef.by_serial("FX-2"), increment_by=2))
    asset = run(lambda w: w.asset.get_by_serial_number("FX-2"))
    assert (asset.running_count, asset.total_count) == (7, 7)
    run(lambda w: w.asset.record_calibration(AssetRef.by_serial("FX-2"), comment="yearly"))
    asset = run(lambda w: w.asset.get_by_serial_number("FX-2"))
    assert (asset.running_count, asset.total_count) == (0, 7)
    assert asset.last_calibration_date is not None


def test_the_log_keeps_messages_and_state_changes(run: Run, fixture_type: str) -> None:
    run(lambda w: w.asset.save(Asset(serial_number="FX-3", type_id=fixture_type)))
    run(lambda w: w.asset.post_message(AssetRef.by_serial("FX-3"), "pins replaced"))
    run(lambda w: w.asset.set_state(AssetRef.by_serial("FX-3"), 3))
    log = run(lambda w: w.asset.log("serialNumber eq 'FX-3'", order_by="logId"))
    assert [(r.type, r.comment) for r in log] == [(1, None), (0, "pins replaced"), (6, None)]


def test_delete_removes_the_asset(run: Run, fixture_type: str) -> None:
    run(lambda w: w.asset.save(Asset(serial_number="FX-4", type_id=fixture_type)))
    run(lambda w: w.asset.delete(AssetRef.by_serial("FX-4")))
    with pytest.raises(pywats.NotFoundError):
        run(lambda w: w.asset.get_by_serial_number("FX-4"))


def test_an_asset_named_by_a_bare_string_is_refused_before_sending(run: Run) -> None:
    with pytest.raises(TypeError, match=r"AssetRef\.by_id\(\.\.\.\) or AssetRef\.by_serial"):
        run(lambda w: w.asset.delete("FX-1"))
