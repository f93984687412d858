"""Converters that misbehave in every way the runner must survive (test fixtures).

Registered for tests through the runner's test hook (``Runner(converters=..., python_path=...)``),
never installed. Each one misbehaves on every file it gets.
"""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
import time

from pywats_converters import (
    ConversionContext,
    ConversionError,
    Converter,
    Report,
    SourceFile,
    UUTBuilder,
)

#: The environment variable that tags this test run's hostile children. Workers inherit it
#: from the test process, so two test runs on one machine never count each other's children.
TAG_VARIABLE = "PYWATS_HOSTILE_TAG"
os.environ.setdefault(TAG_VARIABLE, f"{os.getpid()}-{time.time_ns()}")

#: The command line of the children hostile converters leave behind (tests look for it).
CHILD_CODE = f"import time; time.sleep(3600)  # pywats-hostile-child {os.environ[TAG_VARIABLE]}"


def good_report(source: SourceFile, context: ConversionContext) -> Report:
    builder = UUTBuilder(
        pn="PN-1",
        sn=source.path.stem,
        rev="A",
        process_code=10,
        machine_name=context.station.machine_name,
        location="Lab",
        purpose="Test",
        report_id=context.report_id(0),
    )
    builder.root.numeric("Voltage", 5.0, "GELE", low=4.9, high=5.1, unit="V")
    return builder.build()


class Good(Converter):
    name = "good"
    patterns = ("*.txt",)

    def convert(self, source: SourceFile, context: ConversionContext) -> list[Report]:
        source.read_bytes()
        return [good_report(source, context)]


class Raises(Converter):
    name = "hostile-raise"

    def convert(self, source: SourceFile, context: ConversionContext) -> list[Report]:
        raise KeyError("no such column 'Voltage'")


class Refuses(Converter):
    name = "refuses"

    def convert(self, source: SourceFile, context: ConversionContext) -> list[Report]:
        raise ConversionError("line 3: expected 5 fields, found 2", source=source.path)


class Hangs(Converter):
    name = "hostile-hang"

    def convert(self, source: SourceFile, context: ConversionContext) -> list[Report]:
        while True:
            time.sleep(1)


class Exits(Converter):
    name = "hostile-exit"

    def convert(self, source: SourceFile, context: ConversionContext) -> list[Report]:
        os._exit(3)


class Segfaults(Converter):
    name = "hostile-segfault"

    def convert(self, source: SourceFile, context: ConversionContext) -> list[Report]:
        ctypes.string_at(0)
        return []


class Floods(Converter):
    name = "hostile-flood"

    def convert(self, source: SourceFile, context: ConversionContext) -> list[Report]:
        block = "x" * (1024 * 1024 - 1) + "\n"
        for _ in range(50):
            sys.stdout.write(block)
            sys.stderr.write(block)
        return [good_report(source, context)]


class SpawnsChild(Converter):
    """Starts a process that outlives the conversion, then returns a good report."""

    name = "hostile-child"

    def convert(self, source: SourceFile, context: ConversionContext) -> list[Report]:
        subprocess.Popen(
            [sys.executable, "-c", CHILD_CODE],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return [good_report(source, context)]


class SpawnsSessionLeader(Converter):
    """Starts a process in a session of its own (out of the worker's group), then returns."""

    name = "hostile-setsid"

    def convert(self, source: SourceFile, context: ConversionContext) -> list[Report]:
        subprocess.Popen(
            [sys.executable, "-c", CHILD_CODE],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        return [good_report(source, context)]


class LeavesOrphan(Converter):
    """Starts a process that starts the long-lived one and exits: a double-fork daemon."""

    name = "hostile-orphan"

    def convert(self, source: SourceFile, context: ConversionContext) -> list[Report]:
        starter = (
            "import subprocess, sys; "
            f"subprocess.Popen([sys.executable, '-c', {CHILD_CODE!r}], "
            "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)"
        )
        subprocess.run([sys.executable, "-c", starter], check=True)
        return [good_report(source, context)]


class SpawnsChildAndHangs(Converter):
    """Starts a process, then hangs: the timeout must take both."""

    name = "hostile-child-hang"

    def convert(self, source: SourceFile, context: ConversionContext) -> list[Report]:
        subprocess.Popen(
            [sys.executable, "-c", CHILD_CODE],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        while True:
            time.sleep(1)


class EatsMemory(Converter):
    name = "hostile-memory"

    def convert(self, source: SourceFile, context: ConversionContext) -> list[Report]:
        hoard = []
        while True:
            hoard.append(bytearray(64 * 1024 * 1024))


class ReturnsNothing(Converter):
    name = "returns-nothing"

    def convert(self, source: SourceFile, context: ConversionContext) -> list[Report]:
        return []


class InvalidReport(Converter):
    name = "invalid-report"

    def convert(self, source: SourceFile, context: ConversionContext) -> list[Report]:
        report = good_report(source, context)
        report.sn = "SN*1"  # a search wildcard: the validator refuses it
        return [report]


class Vanishing(Converter):
    """The file disappears after the converter was handed it, before it reads it."""

    name = "vanishing"

    def convert(self, source: SourceFile, context: ConversionContext) -> list[Report]:
        source.path.unlink()
        source.read_bytes()
        return [good_report(source, context)]


class FutureApi(Converter):
    name = "future-api"
    api_version = 99

    def convert(self, source: SourceFile, context: ConversionContext) -> list[Report]:
        return [good_report(source, context)]


HOSTILE = {
    cls.name: f"hostile_converters:{cls.__name__}"
    for cls in (
        Good,
        Raises,
        Refuses,
        Hangs,
        Exits,
        Segfaults,
        Floods,
        SpawnsChild,
        SpawnsSessionLeader,
        LeavesOrphan,
        SpawnsChildAndHangs,
        EatsMemory,
        ReturnsNothing,
        InvalidReport,
        Vanishing,
        FutureApi,
    )
}
