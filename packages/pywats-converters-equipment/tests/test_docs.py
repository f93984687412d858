"""The Python examples in docs/equipment/ run as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[3] / "docs" / "equipment"
PAGES = sorted(DOCS.glob("*.md"))
EXAMPLES = [
    pytest.param(block, id=f"{page.name}#{index}")
    for page in PAGES
    for index, block in enumerate(re.findall(r"```python\n(.*?)```", page.read_text(), re.S))
]


def test_there_is_a_page_per_converter_and_an_index() -> None:
    names = {page.stem for page in PAGES}
    assert names == {
        "index",
        "teradyne-gr228x",
        "teradyne-spectrum",
        "spea-ict-3030",
        "takaya-flying-probe",
        "xjtag",
        "saki-aoi",
        "sigmaquest",
        "stepwize",
        "klippel-qc",
        "listen-soundcheck",
    }


@pytest.mark.parametrize("code", EXAMPLES)
def test_example_runs(code: str) -> None:
    exec(compile(code, "<docs example>", "exec"), {})  # noqa: S102
