"""Report model throughput: parse + validate + dump of the real WSJF export, per second.

Side by side in one run, on the same bytes (``uut-wsjf-export.json``, 186 steps):

* ``json_floor``: ``json.loads`` + ``json.dumps`` -- the floor no model can beat;
* ``pywats``: ``parse_wsjf`` + ``validate`` + ``dumps_wsjf`` (this repository);
* ``pywats_api``: the published ``pywats-api`` package's model doing the same --
  ``UUTReport.model_validate(json.loads(...))``, ``root.validate_step(trigger_children=True)``
  and ``json.dumps(model_dump(mode="json", by_alias=True, exclude_none=True))`` as its
  ``post_wsjf`` does -- in its own venv (it also imports as ``pywats``).

Each side also reports whether its output equals the input as JSON values (``lossless``) and,
if not, how many leaf values were lost or changed; ours also whether the bytes are identical.

The XML form of the same report (``uut-wsxf-export.xml``) the same way:

* ``wsxf_floor``: ``xml.etree`` parse + serialise -- the floor;
* ``pywats_wsxf``: ``parse_wsxf`` + ``dumps_wsxf`` (defusedxml parser, model, writer), and
  whether the output has the input's elements, attributes and texts (``same_elements``).

Prints one JSON object (last line).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _peers import peer_python

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
REFERENCE = Path(os.environ.get("PYWATS_REFERENCE_DIR", str(ROOT.parent / "shared" / "reference")))
EXPORT = REFERENCE / "olreppe-pyWATS" / "server-exports" / "uut-wsjf-export.json"
WSXF_EXPORT = REFERENCE / "olreppe-pyWATS" / "server-exports" / "uut-wsxf-export.xml"
ROUNDS = 5
SECONDS_PER_ROUND = 1.0

# Shared by both sides (ours runs it in-process, the peer gets it in its -c script).
DIFF_SOURCE = '''
def count_differences(a, b):
    """Leaf values of ``a`` (the input) missing or different in ``b`` (the output)."""
    if isinstance(a, dict):
        if not isinstance(b, dict):
            return max(1, len(a))
        return sum(count_differences(v, b[k]) if k in b else 1 for k, v in a.items()) + sum(
            1 for k in b if k not in a
        )
    if isinstance(a, list):
        if not isinstance(b, list):
            return max(1, len(a))
        extra = abs(len(a) - len(b))
        return sum(count_differences(x, y) for x, y in zip(a, b)) + extra
    if isinstance(a, bool) or isinstance(b, bool):
        return 0 if a is b else 1
    return 0 if a == b else 1
'''
_namespace: dict[str, Any] = {}
exec(DIFF_SOURCE, _namespace)  # noqa: S102 - our own constant source, shared with the peer
count_differences: Callable[[Any, Any], int] = _namespace["count_differences"]

PEER_SCRIPT = (
    DIFF_SOURCE
    + """
import json, sys, time
from pywats.domains.report import UUTReport
raw = open(sys.argv[1], "rb").read()
rounds, seconds = int(sys.argv[2]), float(sys.argv[3])

def once():
    report = UUTReport.model_validate(json.loads(raw))
    errors = []
    report.root.validate_step(trigger_children=True, errors=errors)
    return json.dumps(report.model_dump(mode="json", by_alias=True, exclude_none=True))

out = once()
differences = count_differences(json.loads(raw), json.loads(out))
rates = []
for _ in range(rounds):
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        once()
        n += 1
    rates.append(n / (time.perf_counter() - start))
print(json.dumps({"rates": rates, "differences": differences}))
"""
)


def _rate(work: Callable[[], object]) -> list[float]:
    for _ in range(20):
        work()
    rates = []
    for _ in range(ROUNDS):
        count, start = 0, time.perf_counter()
        while time.perf_counter() - start < SECONDS_PER_ROUND:
            work()
            count += 1
        rates.append(count / (time.perf_counter() - start))
    return rates


def _summary(rates: list[float], differences: int) -> dict[str, Any]:
    return {
        "per_second": round(statistics.median(rates), 1),
        "rounds": [round(rate, 1) for rate in rates],
        "lossless": differences == 0,
        "values_lost_or_changed": differences,
    }


def _xml_tree(data: bytes) -> tuple[Any, ...]:
    """Element-for-element form: tag, attributes, stripped text, children."""

    def walk(element: ET.Element) -> tuple[Any, ...]:
        text = (element.text or "").strip()
        return (element.tag, dict(element.attrib), text, [walk(child) for child in element])

    return walk(ET.fromstring(data))  # noqa: S314 - the reference export and our own output


def _wsxf_results() -> dict[str, Any]:
    from pywats.report import dumps_wsxf, parse_wsxf

    raw = WSXF_EXPORT.read_bytes()

    def floor() -> bytes:
        return ET.tostring(ET.fromstring(raw))  # noqa: S314 - the reference export

    def ours() -> bytes:
        return dumps_wsxf(parse_wsxf(raw))

    return {
        "wsxf_floor": {"per_second": round(statistics.median(_rate(floor)), 1)},
        "pywats_wsxf": {
            "per_second": round(statistics.median(_rate(ours)), 1),
            "same_elements": _xml_tree(ours()) == _xml_tree(raw),
        },
    }


def main() -> int:
    sys.path.insert(0, str(ROOT / "packages" / "pywats-core" / "src"))
    from pywats.report import dumps_wsjf, parse_wsjf, validate

    raw = EXPORT.read_bytes()
    source = json.loads(raw)

    def floor() -> bytes:
        return json.dumps(json.loads(raw)).encode()

    problems: list[object] = []

    def ours() -> bytes:
        report = parse_wsjf(raw)
        problems[:] = validate(report)
        return dumps_wsjf(report)

    results: dict[str, Any] = {
        "input": {"file": EXPORT.name, "bytes": len(raw)},
        "json_floor": _summary(_rate(floor), count_differences(source, json.loads(floor()))),
        "pywats": _summary(_rate(ours), count_differences(source, json.loads(ours()))),
    }
    results["pywats"]["validation_problems"] = len(problems)
    results["pywats"]["byte_identical"] = ours() == raw

    try:
        python = peer_python("pywats-api", ["pywats-api"])
        proc = subprocess.run(
            [str(python), "-c", PEER_SCRIPT, str(EXPORT), str(ROUNDS), str(SECONDS_PER_ROUND)],
            capture_output=True,
            text=True,
            check=True,
            timeout=600,
        )
        peer = json.loads(proc.stdout.strip().splitlines()[-1])
        results["pywats_api"] = _summary(peer["rates"], peer["differences"])
        results["speedup_vs_pywats_api"] = round(
            results["pywats"]["per_second"] / results["pywats_api"]["per_second"], 2
        )
    except (OSError, subprocess.SubprocessError, ValueError, KeyError) as exc:
        results["pywats_api"] = {"error": f"{type(exc).__name__}: {exc}"[:500]}
    results["fraction_of_json_floor"] = round(
        results["pywats"]["per_second"] / results["json_floor"]["per_second"], 3
    )
    results.update(_wsxf_results())
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
