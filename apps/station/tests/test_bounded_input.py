"""Bounded input and contradictory settings, through the real command line."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from pywats_station._printable import printable
from pywats_station._reportfile import ReportFileError, read_report_file

needs_posix = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and /dev/zero are POSIX")


def _timed(cli: Any, *args: str) -> Any:
    """Run the command; print how long it took beside the same process doing nothing
    (``--version``: interpreter start and imports), which is most of it."""
    began = time.monotonic()
    cli("--version", timeout=120)
    baseline = time.monotonic() - began
    began = time.monotonic()
    # Generous bound: a FIFO that blocked would hang until this kills the command.
    result = cli(*args, timeout=120)
    seconds = time.monotonic() - began
    print(f"`{' '.join(args)}`: {seconds:.2f} s; `--version` alone: {baseline:.2f} s")
    return result


@needs_posix
def test_dev_zero_is_refused_as_a_device(cli: Any) -> None:
    result = _timed(cli, "submit", "/dev/zero")
    assert result.returncode == 1
    assert "refused /dev/zero:" in result.stderr
    assert "not a regular file (a character device)" in result.stderr


@needs_posix
def test_a_fifo_is_refused_without_blocking(cli: Any, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)  # nobody ever writes to it: reading it would block for ever
    result = _timed(cli, "submit", str(fifo))
    began = time.monotonic()
    with pytest.raises(ReportFileError, match="named pipe"):
        read_report_file(fifo, 1024)
    print(f"the check itself, in process: {time.monotonic() - began:.4f} s")
    assert result.returncode == 1
    assert "not a regular file (a named pipe (FIFO))" in result.stderr


def test_an_oversize_file_is_refused_with_its_size_and_the_maximum(
    cli: Any, station_home: Path, tmp_path: Path, write_report: Any
) -> None:
    (station_home / "station.toml").write_text("[queue]\nmax_report_mb = 1\n")
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (3 * 1024 * 1024 + 512 * 1024))
    small, report_id = write_report(tmp_path, "SN-SMALL")
    result = _timed(cli, "submit", str(big), str(small))
    assert result.returncode == 1
    assert "the file is 3.5 MB, above the maximum report size of 1.0 MB" in result.stderr
    assert "[queue] max_report_mb" in result.stderr
    assert f"queued {small} (wsjf, report {report_id}" in result.stdout  # the rest goes on


def test_a_directory_is_refused(cli: Any, tmp_path: Path) -> None:
    result = cli("submit", str(tmp_path))
    assert result.returncode == 1
    assert "not a regular file (a directory)" in result.stderr


def test_a_lease_shorter_than_an_upload_is_refused_naming_both_keys(
    cli: Any, station_home: Path
) -> None:
    (station_home / "station.toml").write_text(
        "[server]\nupload_timeout = 100.0\n\n[upload]\nlease = 60.0\n"
    )
    for command in (("status",), ("run",), ("submit", "x.json")):
        result = cli(*command)
        assert result.returncode == 2, command
        assert "upload.lease: 60 s must exceed server.upload_timeout (100 s)" in result.stderr
        assert "Traceback" not in result.stderr


def test_retry_delays_the_wrong_way_round_are_refused(cli: Any, station_home: Path) -> None:
    (station_home / "station.toml").write_text("[retry]\nbase_delay = 10.0\nmax_delay = 5.0\n")
    result = cli("status")
    assert result.returncode == 2
    assert "retry.base_delay: 10 s is above retry.max_delay (5 s)" in result.stderr


@needs_posix
def test_a_file_name_cannot_inject_lines_into_the_progress_output(cli: Any, tmp_path: Path) -> None:
    sneaky = tmp_path / "a\nqueued fake.json (wsjf, report 0, item 0)\x1b[2K.json"
    sneaky.write_text("{not json")
    result = cli("submit", str(sneaky))
    assert result.returncode == 1
    assert "\x1b" not in result.stderr
    assert "queued fake.json" not in result.stdout
    (first, *_rest) = result.stderr.splitlines()
    assert first.endswith("queued fake.json (wsjf, report 0, item 0)\\x1b[2K.json:")
    assert "a\\x0aqueued" in first


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain text", "plain text"),
        ("two\nlines", "two\\x0alines"),
        ("bell\a and CR\r", "bell\\x07 and CR\\x0d"),
        ("bidi \u202e override", "bidi \\u202e override"),
        ("line\u2028separator", "line\\u2028separator"),
        ("C:\\reports\\ünïcode.json", "C:\\reports\\ünïcode.json"),
    ],
)
def test_printable_escapes_what_a_terminal_would_obey(text: str, shown: str) -> None:
    assert printable(text) == shown
