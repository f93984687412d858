"""Build hook: puts htmx and its SSE extension into the console's static files.

They come from the npm registry by name and pinned version through the ordinary npm
client (``npm pack``), and each tarball is checked against the sha512 integrity the
registry publishes for that version (``dist.integrity``) before anything is taken from
it. Nothing is fetched at run time and no third-party file is committed: the files land
in ``src/pywats_station/web/static/vendor/`` (git-ignored) and go into the wheel.

Without npm or without the registry the build goes on with a warning and the console
works without JavaScript (unanimated). A checksum mismatch always fails the build.
"""

from __future__ import annotations

import base64
import hashlib
import io
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

# (package, version, npm dist.integrity, file in the tarball, name in static/vendor)
ASSETS = (
    (
        "htmx.org",
        "2.0.11",
        "sha512-Thx/WtpeOQqSrqBCw/A1cwGJGg4UrVa3+sW0GmrM3p4gJgO89ecH4qtbnyzDDWFvBTqjnIMCgELTNt636dtamA==",
        "package/dist/htmx.min.js",
        "htmx.min.js",
    ),
    (
        "htmx-ext-sse",
        "2.2.4",
        "sha512-LJmxVhykyflBWgh5PvbRidcyuqMHlgfajmmzumvKctv9puvsufeH6OaejSMZTNTnEI8O2wXXn4ZZtBdpEMqmEQ==",
        "package/dist/sse.js",
        "sse.js",
    ),
)
VENDOR = Path("src/pywats_station/web/static/vendor")
STAMP = ".pins"


class IntegrityError(Exception):
    pass


def integrity_of(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def extract(tarball: bytes, member: str, expected: str) -> bytes:
    """The member's bytes, after checking the whole tarball against ``expected``."""
    actual = integrity_of(tarball)
    if actual != expected:
        raise IntegrityError(f"integrity mismatch: expected {expected}, got {actual}")
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as tar:
        handle = tar.extractfile(member)
        if handle is None:
            raise IntegrityError(f"{member} is not a file in the tarball")
        return handle.read()


def npm_pack(spec: str, npm: str) -> bytes:
    with tempfile.TemporaryDirectory(prefix="pywats-console-assets-") as tmp:
        subprocess.run(
            [npm, "pack", spec, "--silent", "--pack-destination", tmp],
            check=True,
            capture_output=True,
            timeout=300,
        )
        (tarball,) = Path(tmp).glob("*.tgz")
        return tarball.read_bytes()


def pins() -> str:
    return "\n".join(f"{name}@{version} {sri}" for name, version, sri, _, _ in ASSETS) + "\n"


def fetch_assets(vendor: Path) -> bool:
    """Fill ``vendor``; returns False (after a warning) when npm could not fetch."""
    stamp = vendor / STAMP
    fresh = stamp.is_file() and stamp.read_text() == pins()
    if fresh and all((vendor / target).is_file() for *_, target in ASSETS):
        return True
    npm = shutil.which("npm")
    if npm is None:
        print("warning: npm not found; the console is built without htmx", file=sys.stderr)
        return False
    files: dict[str, bytes] = {}
    for name, version, sri, member, target in ASSETS:
        try:
            tarball = npm_pack(f"{name}@{version}", npm)
        except (subprocess.SubprocessError, OSError, ValueError) as exc:
            print(
                f"warning: cannot fetch {name}@{version} ({exc}); the console is built "
                "without htmx",
                file=sys.stderr,
            )
            return False
        files[target] = extract(tarball, member, sri)  # IntegrityError fails the build
    vendor.mkdir(parents=True, exist_ok=True)
    for target, data in files.items():
        (vendor / target).write_bytes(data)
    stamp.write_text(pins())
    return True


class CustomBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name == "sdist":
            return  # the wheel built from the sdist fetches them
        vendor = Path(self.root) / VENDOR
        if fetch_assets(vendor) and version != "editable":
            # Git-ignored files are left out of a wheel unless forced in.
            for *_, target in ASSETS:
                build_data["force_include"][str(vendor / target)] = (
                    f"pywats_station/web/static/vendor/{target}"
                )
