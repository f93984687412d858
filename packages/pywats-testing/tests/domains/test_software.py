"""Software packages over loopback against the contract-checking fake."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from typing import Any

import pytest

import pywats
from pywats.models import Package

Run = Callable[[Callable[[Any], Any]], Any]


def _zip(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, b"data")
    return buffer.getvalue()


def test_a_package_moves_through_its_statuses(run: Run) -> None:
    package = run(lambda w: w.software.create_package(Package(name="Firmware")))
    assert (package.status, package.version) == ("Draft", 1)
    pid = str(package.package_id)
    run(lambda w: w.software.set_package_status(pid, "Pending"))
    released = run(lambda w: w.software.set_package_status(pid, "Released"))
    assert released.status == "Released"
    found = run(lambda w: w.software.package_by_name("Firmware", "Released"))
    assert found.package_id == package.package_id


def test_a_second_package_of_a_name_gets_the_next_version(run: Run) -> None:
    run(lambda w: w.software.create_package(Package(name="Tool")))
    second = run(lambda w: w.software.create_package(Package(name="Tool")))
    assert second.version == 2
    assert len(run(lambda w: w.software.packages())) == 2


def test_a_released_package_cannot_be_deleted(run: Run) -> None:
    pid = str(run(lambda w: w.software.create_package(Package(name="Keep"))).package_id)
    run(lambda w: w.software.set_package_status(pid, "Pending"))
    run(lambda w: w.software.set_package_status(pid, "Released"))
    with pytest.raises(pywats.ValidationError, match="cannot be deleted"):
        run(lambda w: w.software.delete_package(pid))


def test_a_draft_is_deleted(run: Run) -> None:
    pid = str(run(lambda w: w.software.create_package(Package(name="Gone"))).package_id)
    run(lambda w: w.software.delete_package(pid))
    with pytest.raises(pywats.NotFoundError):
        run(lambda w: w.software.package(pid))


def test_a_zip_fills_the_package_files(run: Run) -> None:
    pid = str(run(lambda w: w.software.create_package(Package(name="Zip"))).package_id)
    run(lambda w: w.software.upload_zip(pid, _zip("bin/tool.exe", "cfg/a.ini")))
    files = run(lambda w: w.software.package_files(pid))
    assert sorted((f.package_folder_name, f.name) for f in files) == [
        ("bin", "tool.exe"),
        ("cfg", "a.ini"),
    ]


def test_a_zip_with_files_at_its_root_is_refused(run: Run) -> None:
    pid = str(run(lambda w: w.software.create_package(Package(name="Flat"))).package_id)
    with pytest.raises(pywats.ValidationError, match="root"):
        run(lambda w: w.software.upload_zip(pid, _zip("tool.exe")))
