"""ACME tester logs: a header of KEY=VALUE lines, then one ``name;value;low;high;unit`` row
per numeric test. Written against ``pywats_converters`` only."""

from __future__ import annotations

from pywats_converters import (
    ConversionContext,
    ConversionError,
    Converter,
    ConverterParameters,
    Report,
    SourceFile,
    UUTBuilder,
)


class AcmeSettings(ConverterParameters):
    #: Process name or code; empty: the file's PROCESS line, else the station's default.
    process: str = ""
    #: Text encoding of the log files.
    encoding: str = "utf-8"


class AcmeLog(Converter[AcmeSettings]):
    name = "acme-log"
    patterns = ("*.acme",)
    description = "ACME tester log (KEY=VALUE header, name;value;low;high;unit rows)"

    def convert(self, source: SourceFile, context: ConversionContext) -> list[Report]:
        header: dict[str, str] = {}
        rows: list[list[str]] = []
        for number, line in enumerate(source.read_text((self.parameters.encoding,)).splitlines()):
            if not line.strip():
                continue
            if "=" in line and not rows:
                key, _, value = line.partition("=")
                header[key.strip().upper()] = value.strip()
            else:
                fields = line.split(";")
                if len(fields) != 5:
                    raise ConversionError(
                        f"line {number + 1}: expected name;value;low;high;unit", source=source.path
                    )
                rows.append(fields)
        for key in ("SN", "PN", "REV"):
            if not header.get(key):
                raise ConversionError(f"the header has no {key}= line", source=source.path)
        builder = UUTBuilder(
            pn=header["PN"],
            sn=header["SN"],
            rev=header["REV"],
            process_code=context.process_code(self.parameters.process or header.get("PROCESS")),
            machine_name=context.station.machine_name,
            location=context.station.location or "unknown",
            purpose=context.station.purpose or "unknown",
            operator=context.operator or None,
            start=source.modified,
            report_id=context.report_id(header["SN"]),
        )
        for name, value, low, high, unit in rows:
            try:
                builder.root.numeric(
                    name, float(value), "GELE", low=float(low), high=float(high), unit=unit
                )
            except ValueError:
                raise ConversionError(f"step {name!r}: not a number", source=source.path) from None
        return [builder.build()]
