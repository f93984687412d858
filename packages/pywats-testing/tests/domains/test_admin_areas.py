"""SCIM users, barcode identifiers, clients, levels and status over loopback against the
contract-checking fake."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import pywats
from pywats.models import BarcodeIdentifier, ClientDto
from pywats_testing import FakeWatsServer

Run = Callable[[Callable[[Any], Any]], Any]


def test_scim_users_page_filter_patch_and_delete(run: Run) -> None:
    for name in ("ann", "bob", "cy"):
        run(lambda w, n=name: w.scim.create_user({"userName": n, "displayName": n.title()}))
    users = run(lambda w: w.scim.users(page_size=2))
    assert [u["userName"] for u in users] == ["ann", "bob", "cy"]
    [bob] = run(lambda w: w.scim.users('userName eq "bob"'))
    assert run(lambda w: w.scim.update_user(bob["id"], {"active": False}))["active"] is False
    assert run(lambda w: w.scim.user_by_name("bob"))["id"] == bob["id"]
    run(lambda w: w.scim.delete_user(bob["id"]))
    with pytest.raises(pywats.NotFoundError):
        run(lambda w: w.scim.user(bob["id"]))


def test_a_barcode_is_identified_by_the_first_matching_pattern(run: Run) -> None:
    pattern = r"(?<partNumber>PN-\d+);(?<serialNumber>SN-\d+)"
    run(lambda w: w.barcode.save_identifier(BarcodeIdentifier(pattern=pattern, order=1)))
    found = run(lambda w: w.barcode.identify("PN-7;SN-42"))
    assert (found.part_number, found.serial_number) == ("PN-7", "SN-42")
    with pytest.raises(pywats.NotFoundError):
        run(lambda w: w.barcode.identify("nothing"))


def test_registered_stations_are_the_system_managers_clients(
    run: Run, contract_wats: FakeWatsServer
) -> None:
    contract_wats.register_station("4C5F70D62FF4", name="ict-1")
    [client] = run(lambda w: w.system.clients())
    assert (client["identifier"], client["name"]) == ("4C5F70D62FF4", "ict-1")
    run(lambda w: w.system.update_client(ClientDto(client_id=client["clientId"], location="L2")))
    assert run(lambda w: w.system.client(identifier="4C5F70D62FF4"))["location"] == "L2"


def test_levels_are_created_top_down(run: Run) -> None:
    leaf = run(lambda w: w.system.create_levels(["Norway", "Line 1"]))
    levels = run(lambda w: w.app.levels())
    assert [(lv["name"], lv["levelId"] == leaf) for lv in levels] == [
        ("Norway", False),
        ("Line 1", True),
    ]


def test_a_level_is_found_by_its_hierarchy(run: Run) -> None:
    leaf = run(lambda w: w.system.create_levels(["Norway", "Line 1"]))
    top = run(lambda w: w.system.level_id(["Norway"]))
    assert run(lambda w: w.system.level_id(["norway", "LINE 1"])) == leaf != top
    assert run(lambda w: w.system.level_id(["Norway", "Line 2"])) is None


def test_the_removed_get_token_routes_say_where_tokens_come_from(run: Run) -> None:
    with pytest.raises(pywats.NotFoundError, match="removed the GetToken routes") as caught:
        run(lambda w: w.auth.get_token(reset=True))
    assert caught.value.status_code == 404
    with pytest.raises(pywats.NotFoundError, match="Control Panel"):
        run(lambda w: w.auth.get_token_for("station-7"))


def test_system_status_names_the_version(run: Run) -> None:
    assert run(lambda w: w.system.status())["Version"] == "2026.1.5.324"


def test_the_internal_process_list_has_every_process(run: Run) -> None:
    processes = run(lambda w: w.internal.processes())
    assert {10, 500, 99} <= {p.code for p in processes}
    assert next(p for p in processes if p.code == 500).is_repair_operation


def test_common_user_settings_come_from_the_provisioned_user(run: Run) -> None:
    run(lambda w: w.scim.create_user({"userName": "eva", "displayName": "Eva Lund"}))
    settings = run(lambda w: w.app.common_user_settings("eva"))
    assert settings.full_name == "Eva Lund"
    with pytest.raises(pywats.NotFoundError):
        run(lambda w: w.app.common_user_settings("nobody"))
