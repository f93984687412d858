"""XJTAG boundary-scan logs: ``.xjlog`` (a zip of ``Info.xml`` and ``Run N.xml``) or one
exported ``<testrun>`` XML file. Every run is one unit under test.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile
import zlib
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Literal

from pywats_converters import Converter, ReportResult

from ._common import EquipmentParameters, fail, new_uut, xml_root

if TYPE_CHECKING:
    from pywats_converters import ConversionContext, Report, SequenceBuilder, SourceFile

__all__ = ["XJTAG", "XJTAGParameters"]


class XJTAGParameters(EquipmentParameters):
    """Settings of the XJTAG converter.

    XJTAG logs carry no part number. ``part_number_source``: ``project`` (default) uses the
    run's project description (``Demonstration hardware``), ``setting`` the ``part_number``
    setting.
    """

    part_number_source: Literal["project", "setting"] = "project"
    #: the largest member of an .xjlog archive read, uncompressed (refuses zip bombs)
    max_member_bytes: int = 64 * 1024 * 1024


_RESULTS = {"Passed": "P", "Failed": "F", "Skipped": "S"}
_TIMESTAMP = re.compile(
    r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?$"
)
_RUN = re.compile(r"^Run (\d+)\.xml$")


class XJTAG(Converter[XJTAGParameters]):
    """XJTAG ``.xjlog`` archive (every run) or one exported run XML."""

    name = "xjtag"
    patterns = ("*.xjlog",)
    description = "XJTAG boundary-scan logs (.xjlog and exported run XML)"

    def convert(self, source: SourceFile, context: ConversionContext) -> list[Report]:
        data = source.read_bytes()
        if data[:4] == b"PK\x03\x04" or source.name.lower().endswith(".xjlog"):
            runs = self._runs(source, data)
        else:
            runs = [(None, xml_root(source, data, tag="testrun", kind="an XJTAG"))]
        return [
            self._report(source, context, label, run, index)
            for index, (label, run) in enumerate(runs)
        ]

    def _runs(self, source: SourceFile, data: bytes) -> list[tuple[str | None, ET.Element]]:
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, ValueError, OSError, EOFError):
            raise fail(
                source, "not a complete .xjlog archive (a truncated or damaged zip file)"
            ) from None
        with archive:
            members = {info.filename: info for info in archive.infolist()}
            info = members.get("Info.xml")
            if info is None:
                raise fail(source, "the archive has no Info.xml: not an XJTAG log")
            header = xml_root(source, self._member(source, archive, info), "Info.xml")
            count_text = (header.findtext("TestRunCount") or "").strip()
            if not count_text.isdigit():
                raise fail(source, "Info.xml: no TestRunCount")
            count = int(count_text)
            if count == 0:
                raise fail(source, "Info.xml: TestRunCount is 0, the log holds no run")
            runs: list[tuple[str | None, ET.Element]] = []
            for number in range(1, count + 1):
                name = f"Run {number}.xml"
                member = members.get(name)
                if member is None:
                    raise fail(source, f"Info.xml announces {count} runs, but {name} is missing")
                data = self._member(source, archive, member)
                runs.append((name, xml_root(source, data, name, tag="testrun", kind="an XJTAG")))
        return runs

    def _member(self, source: SourceFile, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
        limit = self.parameters.max_member_bytes
        if info.file_size > limit:
            raise fail(
                source, f"{info.filename} unpacks to {info.file_size:,} bytes, over {limit:,}"
            )
        try:
            with archive.open(info) as member:
                data = member.read(limit + 1)
        except (
            zipfile.BadZipFile,
            zlib.error,
            EOFError,
            OSError,
            NotImplementedError,  # an unsupported compression method
            RuntimeError,  # an encrypted member
            ValueError,
        ) as exc:
            raise fail(source, f"{info.filename} cannot be unpacked ({exc})") from None
        if len(data) > limit:
            raise fail(source, f"{info.filename} unpacks to more than {limit:,} bytes")
        return data

    def _report(
        self,
        source: SourceFile,
        context: ConversionContext,
        label: str | None,
        run: ET.Element,
        index: int,
    ) -> Report:
        where = f"{label}: " if label else ""
        info = run.find("testruninfo")
        if info is None:
            raise fail(source, f"{where}no <testruninfo>")
        serial = (info.findtext("serial") or "").strip()
        if not serial:
            raise fail(source, f"{where}no serial number (testruninfo/serial)")
        verdict = (info.findtext("result") or "").strip()
        if verdict not in _RESULTS:
            raise fail(source, f"{where}no run result (testruninfo/result), found {verdict!r}")
        start = _timestamp(run.get("datetime", ""))
        if start is None:
            raise fail(source, f"{where}testrun datetime {run.get('datetime')!r} is not a time")
        project = (info.findtext("project-description") or "").strip()
        p = self.parameters
        builder = new_uut(
            context,
            p,
            sn=serial,
            pn=project if p.part_number_source == "project" else "",
            rev="",
            start=start,
            key=f"{index}:{serial}",
            result=ReportResult.PASSED if verdict == "Passed" else ReportResult.FAILED,
            operator=(info.findtext("user") or "").strip(),
            sequence_name=project or "XJTAG",
            machine_name=(info.findtext("xjlink-name") or "").strip() or None,
        )
        builder.uut.comment = project[:500] or None
        millis = (info.findtext("time-taken") or "").strip()
        if millis.isdigit():
            builder.uut.exec_time = int(millis) / 1000
        for key, description in (("xjlink-serial", "XJLink serial"), ("xjtag-version", "XJTAG")):
            value = (info.findtext(key) or "").strip()
            if value:
                builder.misc_info(description, value[:100])
        for group in run.findall("testgroup"):
            sequence = builder.root.sequence(group.get("name") or "Test group")
            for function in group.findall("testfunction"):
                self._function(source, where, sequence, function)
        return builder.build()

    def _function(
        self, source: SourceFile, where: str, into: SequenceBuilder, function: ET.Element
    ) -> None:
        name = function.get("name") or "Test function"
        result = function.find("result")
        value = result.get("value", "") if result is not None else ""
        status = _RESULTS.get(value)
        if status is None:
            raise fail(source, f"{where}test function {name!r} has result {value!r}")
        if status == "S":
            step = into.pass_fail(name, True, status="S", meas_status="S")
        else:
            step = into.pass_fail(name, status == "P")
        millis = (function.findtext("time-taken") or "").strip()
        if millis.isdigit():
            step.tot_time = int(millis) / 1000
        texts = [
            (t.text or "").strip()
            for t in function.findall("text-output")
            if t.get("output-type") in ("UserText", "Fail", "Error", "Warning")
        ]
        errors = [
            (e.findtext("error-message") or "").strip()
            for e in function.iterfind("conntest-errors/error")
        ]
        errors = [e for e in errors if e]
        if errors:
            step.error_message = errors[0]
            texts.extend(errors)
        text = "\n".join(t for t in texts if t)
        step.report_text = text or None


def _timestamp(text: str) -> datetime | None:
    """``2020-06-17T13:29:24.2586780Z`` (seven fraction digits) as an aware datetime."""
    found = _TIMESTAMP.match(text.strip())
    if found is None:
        return None
    year, month, day, hour, minute, second, fraction, zone = found.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        moment = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second))
    except ValueError:
        return None
    moment = moment.replace(microsecond=micro)
    if zone in (None, "Z"):
        return moment.replace(tzinfo=timezone.utc) if zone else moment
    sign = 1 if zone[0] == "+" else -1
    offset = timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6])) * sign
    return moment.replace(tzinfo=timezone(offset))
