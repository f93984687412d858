"""Steps and numeric measurements of stored reports, and the statistics WATS computes
over them.

A step's path is its name and its ancestors' names from the root (the main sequence call)
down, joined with the paragraph mark ``¶``; a measurement of a multi-numeric step adds
``¶¶`` and its name — the form the spec's ``measurementPaths`` parameter takes
(``MainSequence Callback¶NI steps¶Multiple Numeric Limit Test¶¶Measurement0``).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["SEP", "NumericPoint", "numeric_points", "numeric_summary", "walk_steps"]

SEP = "\u00b6"  # ¶
Json = dict[str, Any]

# Which limits bound the process for capability (Cp, Cpk): lower, upper. Single-limit
# comparisons keep their limit in lowLimit (wats-facts §7.10).
_BOUNDS: dict[str, tuple[str | None, str | None]] = {
    "GE": ("lowLimit", None),
    "GT": ("lowLimit", None),
    "LE": (None, "lowLimit"),
    "LT": (None, "lowLimit"),
    "GELE": ("lowLimit", "highLimit"),
    "GELT": ("lowLimit", "highLimit"),
    "GTLE": ("lowLimit", "highLimit"),
    "GTLT": ("lowLimit", "highLimit"),
}


def walk_steps(doc: Mapping[str, Any]) -> Iterator[tuple[str, Json]]:
    """Every step of a report with its path, parents before children."""
    root = doc.get("root")
    if not isinstance(root, dict):
        return
    todo: list[tuple[str, Json]] = [(str(root.get("name")), root)]
    while todo:
        path, step = todo.pop(0)
        yield path, step
        children = [c for c in step.get("steps") or () if isinstance(c, dict)]
        todo[0:0] = [(f"{path}{SEP}{c.get('name')}", c) for c in children]


@dataclass(frozen=True)
class NumericPoint:
    """One numeric measurement of one report."""

    doc: Json
    step_path: str
    step: Json
    measurement: Json

    @property
    def path(self) -> str:
        """The measurement path (with ``¶¶name`` for a multi-numeric step)."""
        name = self.measurement.get("name")
        several = len(self.step.get("numericMeas") or ()) > 1
        return f"{self.step_path}{SEP}{SEP}{name}" if several and name else self.step_path

    @property
    def value(self) -> float | None:
        value = self.measurement.get("value")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value) if math.isfinite(value) else None
        return None

    def limits(self) -> tuple[float | None, float | None]:
        """The lower and upper specification limits its comparison implies."""
        low_key, high_key = _BOUNDS.get(str(self.measurement.get("compOp")).upper(), (None, None))
        return _number(self.measurement.get(low_key or "")), _number(
            self.measurement.get(high_key or "")
        )


def _number(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def numeric_points(doc: Mapping[str, Any]) -> Iterator[NumericPoint]:
    for path, step in walk_steps(doc):
        for measurement in step.get("numericMeas") or ():
            if isinstance(measurement, dict):
                yield NumericPoint(dict(doc), path, step, measurement)


def numeric_summary(points: Sequence[NumericPoint]) -> Json:
    """Count, spread and process capability of the measurements' values.

    ``stdev`` is the sample standard deviation; ``cpl = (avg - LSL) / (3 sigma)``,
    ``cpu = (USL - avg) / (3 sigma)``, ``cp = (USL - LSL) / (6 sigma)``, ``cpk`` the
    smaller of ``cpl`` and ``cpu`` that exist. Limits are those of the newest measurement."""
    values = [v for v in (p.value for p in points) if v is not None]
    out: Json = {"count": len(values)}
    if not values:
        return out
    avg = statistics.fmean(values)
    stdev = statistics.stdev(values) if len(values) > 1 else None
    low, high = points[-1].limits()
    sigma = stdev if stdev else None
    cpl = (avg - low) / (3 * sigma) if sigma and low is not None else None
    cpu = (high - avg) / (3 * sigma) if sigma and high is not None else None
    cp = (high - low) / (6 * sigma) if sigma and low is not None and high is not None else None
    sides = [c for c in (cpl, cpu) if c is not None]
    newest = points[-1].measurement
    out.update(
        min=min(values),
        max=max(values),
        avg=avg,
        sum=math.fsum(values),
        stdev=stdev,
        var=stdev * stdev if stdev is not None else None,
        median=statistics.median(values),
        cp=cp,
        cpk=min(sides) if sides else None,
        cpl=cpl,
        cpu=cpu,
        sigmaLow3=avg - 3 * stdev if stdev is not None else None,
        sigmaHigh3=avg + 3 * stdev if stdev is not None else None,
        limit1=_number(newest.get("lowLimit")),
        limit2=_number(newest.get("highLimit")),
        compOperator=newest.get("compOp"),
        unit=newest.get("unit"),
    )
    return out
