"""What a queued report is: the one definition intake writes and the uploader reads.

A queue item's payload is the report's bytes as they go to the server, its key is the
report id (the idempotency key, on the queue and on the wire), and its metadata says the
format and, for people, where the report came from and what it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pywats.report import Report
from pywats_converters.runner import WsjfReport
from pywats_queue import Item, NewItem

__all__ = ["ReportFormat", "ReportItem"]

ReportFormat = Literal["wsjf", "wsxf"]


@dataclass(frozen=True)
class ReportItem:
    """One report as a queue item."""

    payload: bytes
    report_id: str
    format: ReportFormat = "wsjf"
    source: str = ""
    serial_number: str = ""
    part_number: str = ""
    process_code: int | None = None
    result: str = ""

    @classmethod
    def from_report(cls, report: Report, *, source: str = "") -> ReportItem:
        """The report as WSJF, described for listings."""
        return cls.from_wsjf(WsjfReport.of(report), source=source)

    @classmethod
    def from_wsjf(cls, report: WsjfReport, *, source: str = "") -> ReportItem:
        """A report the converter runner wrote as WSJF (``as_wsjf=True``)."""
        return cls(
            payload=report.wsjf,
            report_id=report.id,
            source=source,
            serial_number=report.sn or "",
            part_number=report.pn or "",
            process_code=report.process_code,
            result=report.result or "",
        )

    @classmethod
    def from_item(cls, item: Item) -> ReportItem:
        meta = item.meta
        fmt = str(meta.get("format", "wsjf")).lower()
        code = meta.get("process")
        return cls(
            payload=item.payload,
            report_id=item.key,
            format="wsxf" if fmt == "wsxf" else "wsjf",
            source=str(meta.get("source", "")),
            serial_number=str(meta.get("sn", "")),
            part_number=str(meta.get("pn", "")),
            process_code=code if isinstance(code, int) else None,
            result=str(meta.get("result", "")),
        )

    def meta(self) -> dict[str, Any]:
        meta: dict[str, Any] = {"format": self.format}
        for key, value in (
            ("source", self.source),
            ("sn", self.serial_number),
            ("pn", self.part_number),
            ("process", self.process_code),
            ("result", self.result),
        ):
            if value not in ("", None):
                meta[key] = value
        return meta

    def new_item(self) -> NewItem:
        return NewItem(payload=self.payload, key=self.report_id, meta=self.meta())
