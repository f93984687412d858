"""How WATS compares a measured value with its limits.

See docs/wire-facts.md "Comparison operators".
"""

from __future__ import annotations

import math

from ._enums import CompOp, StringCompOp

__all__ = ["DUAL_LIMIT", "SINGLE_LIMIT", "numeric_passes", "string_passes"]

SINGLE_LIMIT = {CompOp.EQ, CompOp.NE, CompOp.GT, CompOp.GE, CompOp.LT, CompOp.LE}
DUAL_LIMIT = {
    CompOp.GTLT,
    CompOp.GTLE,
    CompOp.GELT,
    CompOp.GELE,
    CompOp.LTGT,
    CompOp.LTGE,
    CompOp.LEGT,
    CompOp.LEGE,
}


def numeric_passes(
    comp_op: CompOp | str, value: float, low: float | None = None, high: float | None = None
) -> bool:
    """Whether ``value`` passes ``comp_op``; single limits are ``low``.

    See docs/wire-facts.md "Comparison operators".
    """
    op = CompOp(comp_op)
    if op is CompOp.LOG:
        return True
    if low is None:
        raise ValueError(f"{op.value} needs a limit (lowLimit)")
    if math.isnan(value):
        return op is CompOp.NE
    v, lo = value, low
    if op in SINGLE_LIMIT:
        return {
            CompOp.EQ: v == lo,
            CompOp.NE: v != lo,
            CompOp.GT: v > lo,
            CompOp.GE: v >= lo,
            CompOp.LT: v < lo,
            CompOp.LE: v <= lo,
        }[op]
    if high is None:
        raise ValueError(f"{op.value} needs two limits (lowLimit and highLimit)")
    hi = high
    return {
        CompOp.GTLT: lo < v < hi,
        CompOp.GTLE: lo < v <= hi,
        CompOp.GELT: lo <= v < hi,
        CompOp.GELE: lo <= v <= hi,
        CompOp.LTGT: v < lo or v > hi,
        CompOp.LTGE: v < lo or v >= hi,
        CompOp.LEGT: v <= lo or v > hi,
        CompOp.LEGE: v <= lo or v >= hi,
    }[op]


def string_passes(comp_op: StringCompOp | str, value: str, limit: str | None = None) -> bool:
    """Whether ``value`` passes a string ``comp_op``; ``EQ`` and ``CASESENSIT`` are the same."""
    op = StringCompOp(comp_op)
    if op is StringCompOp.LOG:
        return True
    if limit is None:
        raise ValueError(f"{op.value} needs a limit")
    if op in (StringCompOp.EQ, StringCompOp.CASESENSIT):
        return value == limit
    if op is StringCompOp.NE:
        return value != limit
    return value.casefold() == limit.casefold()
