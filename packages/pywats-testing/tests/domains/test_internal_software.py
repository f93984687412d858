"""wats.internal.software (INTERNAL routes) over loopback against the fake, sync and
async: package folders and files, download log, what a station should install."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import pywats
from pywats.internal import SoftwareEntity, SoftwarePackageRecord
from pywats.models import Package, Setting

Run = Callable[[Callable[[Any], Any]], Any]


def _package(run: Run, name: str = "Fw", *, release: bool = False) -> str:
    made = run(
        lambda w: w.software.create_package(
            Package(name=name, tags=[Setting(key="site", value="A")])
        )
    )
    package_id = str(made.package_id)
    if release:
        for status in ("Pending", "Released"):
            run(lambda w, s=status: w.software.set_package_status(package_id, s))
    return package_id


def test_the_software_module_answers(run: Run) -> None:
    assert run(lambda w: w.internal.software.is_connected()) is True


def test_folders_nest_and_rename(run: Run) -> None:
    package_id = _package(run)
    top = run(
        lambda w: w.internal.software.create_package_folder(package_id, SoftwareEntity(name="bin"))
    )
    sub = run(
        lambda w: w.internal.software.create_package_folder(
            package_id, {"name": "x64", "parentId": top["id"]}
        )
    )
    run(lambda w: w.internal.software.update_package_folder({"id": sub["id"], "name": "arm64"}))
    details = run(lambda w: w.internal.software.package_details(package_id))
    assert sorted(f["name"] for f in details["PackageFolders"]) == ["arm64", "bin"]
    assert details["Name"] == "Fw"


def test_deleting_a_folder_deletes_what_it_holds(run: Run) -> None:
    package_id = _package(run)
    top = run(lambda w: w.internal.software.create_package_folder(package_id, {"name": "bin"}))
    run(
        lambda w: w.internal.software.create_package_folder(
            package_id, {"name": "lib", "parentId": top["id"]}
        )
    )
    assert run(lambda w: w.internal.software.delete_package_folder(top["id"])) == {"removed": 2}
    assert run(lambda w: w.internal.software.package_details(package_id))["PackageFolders"] == []


def test_a_folder_of_an_unknown_package_is_not_found(run: Run) -> None:
    with pytest.raises(pywats.NotFoundError, match="Package"):
        run(
            lambda w: w.internal.software.create_package_folder(
                "00000000-0000-0000-0000-000000000000", {"name": "bin"}
            )
        )


def test_a_file_entry_is_read_checked_and_deleted(run: Run) -> None:
    package_id = _package(run)
    folder = run(lambda w: w.internal.software.create_package_folder(package_id, {"name": "bin"}))
    entry = {
        "name": "fw.hex",
        "type": 1,
        "parentId": folder["id"],
        "fileVersion": "c0ffee",
        "information": ":00000001FF",
    }
    made = run(lambda w: w.internal.software.create_package_folder(package_id, entry))
    assert run(lambda w: w.internal.software.file(made["id"])) == b":00000001FF"
    check = run(
        lambda w: w.internal.software.check_file(
            package_id, folder["id"], "bin/fw.hex", "c0ffee", 0
        )
    )
    assert check == {"exists": True, "unchanged": True}
    assert run(lambda w: w.internal.software.delete_package_folder_files([made["id"]])) == {
        "removed": 1
    }
    with pytest.raises(pywats.NotFoundError):
        run(lambda w: w.internal.software.file(made["id"]))


def test_history_lists_the_newest_version_unless_all_are_asked_for(run: Run) -> None:
    _package(run)
    _package(run)
    newest = run(lambda w: w.internal.software.package_history("site=A"))
    assert [(p.name, p.version) for p in newest] == [("Fw", 2)]
    every = run(lambda w: w.internal.software.package_history("site=A", all_versions=True))
    assert [p.version for p in every] == [1, 2]
    assert all(isinstance(p, SoftwarePackageRecord) and p.status == 0 for p in every)


def test_a_newer_released_version_is_available(run: Run) -> None:
    installed = _package(run, release=True)
    newer = _package(run, release=True)
    [offer] = run(lambda w: w.internal.software.available_packages([installed]))
    assert (offer.package_id, offer.version, offer.status) == (newer, 2, 2)


def test_a_revoked_installed_package_is_reported(run: Run) -> None:
    keep, revoke = _package(run, "A", release=True), _package(run, "B", release=True)
    run(lambda w: w.software.set_package_status(revoke, "Revoked"))
    assert run(lambda w: w.internal.software.revoked_packages([keep, revoke])) == [revoke]


def test_a_logged_download_is_in_the_history(run: Run) -> None:
    package_id = _package(run)
    run(lambda w: w.internal.software.log_download(package_id, 4096))
    [row] = run(lambda w: w.internal.software.download_history(0))
    assert (row["packageId"], row["downloadSize"]) == (package_id, 4096)
