"""What the equipment converters share: the comparison a measurement's limits stand for."""

from __future__ import annotations

import pytest

from pywats_converters import CompOp
from pywats_converters_equipment._common import comparison


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (1.0, 2.0, (CompOp.GELE, 1.0, 2.0)),
        (1.0, None, (CompOp.GE, 1.0, None)),
        (0.0, None, (CompOp.GE, 0.0, None)),
        (None, None, (CompOp.LOG, None, None)),
    ],
)
def test_limits_stand_for_their_comparison(
    low: float | None, high: float | None, expected: tuple[CompOp, float | None, float | None]
) -> None:
    assert comparison(low, high) == expected


def test_a_single_high_limit_goes_first_as_wats_keeps_it() -> None:
    assert comparison(None, 5.0) == (CompOp.LE, 5.0, None)
