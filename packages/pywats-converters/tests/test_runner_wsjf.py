"""Reports handed back as WSJF bytes (``as_wsjf=True``), and frames larger than a pipe.

``as_wsjf`` exists so that a station never holds a large report's parsed objects: the worker
writes the WSJF. What comes back must be the same report, described by the same header.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from pywats.report import dumps_wsjf, parse_wsjf
from pywats_converters._protocol import ProtocolError, read_frame, write_frame
from pywats_converters.runner import Runner

WSJF_UUT = "olreppe-pyWATS/virinco-examples/WATS - WSJF UUT Example file.json"


@pytest.fixture(scope="module")
def runner() -> Iterator[Runner]:
    with Runner(workers=1) as instance:
        yield instance


def test_as_wsjf_gives_the_same_report_as_bytes_with_its_header(
    runner: Runner, reference_dir: Path
) -> None:
    path = reference_dir / WSJF_UUT
    objects = runner.convert(path, "wsjf")
    dumped = runner.convert(path, "wsjf", as_wsjf=True)
    assert objects.ok, objects
    assert dumped.ok, dumped
    assert dumped.reports == []
    (report,) = objects.reports
    (item,) = dumped.wsjf
    assert parse_wsjf(item.wsjf) == report
    assert item.wsjf == dumps_wsjf(report)
    header = (item.id, item.sn, item.pn, item.process_code, item.result)
    assert header == (report.id, report.sn, report.pn, report.process_code, "F")
    assert None not in header


def _through_a_pipe(message: object) -> object:
    """``message`` written as a frame by a thread into a real pipe and read back unbuffered
    (as the runner reads its workers: a pipe gives at most its buffer size per read)."""
    read_end, write_end = os.pipe()
    with os.fdopen(read_end, "rb", buffering=0) as reader:
        with os.fdopen(write_end, "wb") as writer:
            thread = threading.Thread(target=write_frame, args=(writer, message))
            thread.start()
            received = read_frame(reader)
            thread.join(timeout=60)
        return received


def test_a_frame_larger_than_a_pipe_arrives_whole() -> None:
    message = ("ok", {"payload": os.urandom(3 * 1024 * 1024)})
    assert _through_a_pipe(message) == message


def test_a_stream_that_ends_inside_a_frame_is_refused() -> None:
    read_end, write_end = os.pipe()
    with os.fdopen(read_end, "rb", buffering=0) as reader:
        with os.fdopen(write_end, "wb") as writer:
            writer.write((1000).to_bytes(8, "little") + b"only a part")
        with pytest.raises(ProtocolError, match="stream ended inside a frame"):
            read_frame(reader)
