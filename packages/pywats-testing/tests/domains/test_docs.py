"""Every Python example of the API pages (docs/api-*.md) runs as written, against the fake
in contract mode, and prints exactly the text block that follows it on the page."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[4] / "docs"
PAGES = sorted(DOCS.glob("api-*.md"))
EXAMPLE = re.compile(r"```python\n(.*?)```\s*```text\n(.*?)```", re.DOTALL)
EXAMPLES = [
    pytest.param(code, output, id=f"{page.stem}-{n}")
    for page in PAGES
    for n, (code, output) in enumerate(EXAMPLE.findall(page.read_text(encoding="utf-8")))
]


def test_every_api_page_has_a_checked_example() -> None:
    pages = {page.stem for page in PAGES if EXAMPLE.search(page.read_text(encoding="utf-8"))}
    expected = {
        "api-domains",
        "api-product",
        "api-production",
        "api-asset",
        "api-software",
        "api-rootcause",
        "api-analytics",
        "api-admin",
        "api-internal",
    }
    assert pages >= expected
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        assert text.count("```python") == len(EXAMPLE.findall(text)), f"{page.name}: unchecked"


@pytest.mark.parametrize(("code", "output"), EXAMPLES)
def test_example_prints_what_the_page_says(
    code: str, output: str, tmp_path: Path, reference_dir: Path
) -> None:
    spec = reference_dir / "olreppe-pyWATS" / "openapi" / "openapi_public_v3.json"
    script = tmp_path / "example.py"
    script.write_text(code, encoding="utf-8")
    env = {**os.environ, "PYWATS_FAKE_SPEC": str(spec)}
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, env=env
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == output
