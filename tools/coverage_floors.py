"""Print branch coverage per package and fail when one falls below its floor.

Runs after the ``tests`` nox session has measured the whole suite with coverage.py
(``[tool.coverage]`` in the root pyproject.toml). The floors are in the same file, under
``[tool.pywats.coverage-floors]``: the percentage of branches each package's tests take
at least. A floor only goes up: when a package is measured well above it, raise it.

    python tools/coverage_floors.py [COVERAGE_JSON]

Without an argument it asks coverage.py for the JSON report of the combined data.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
RAISE_HINT_POINTS = 3.0  # measured this far above its floor: say it may be raised


@dataclass
class Totals:
    statements: int = 0
    covered_statements: int = 0
    branches: int = 0
    covered_branches: int = 0

    def add(self, summary: dict[str, int]) -> None:
        self.statements += summary["num_statements"]
        self.covered_statements += summary["covered_lines"]
        self.branches += summary.get("num_branches", 0)
        self.covered_branches += summary.get("covered_branches", 0)

    @property
    def branch_percent(self) -> float:
        return 100.0 * self.covered_branches / self.branches if self.branches else 100.0

    @property
    def statement_percent(self) -> float:
        return 100.0 * self.covered_statements / self.statements if self.statements else 100.0


def workspace_packages() -> dict[Path, str]:
    """Each package's source directory → its distribution name."""
    found: dict[Path, str] = {}
    projects = [*ROOT.glob("packages/*/pyproject.toml"), *ROOT.glob("apps/*/pyproject.toml")]
    for pyproject in sorted(projects):
        name = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["name"]
        found[(pyproject.parent / "src").resolve()] = name
    return found


def floors() -> dict[str, float]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {k: float(v) for k, v in config["tool"]["pywats"]["coverage-floors"].items()}


def load_report(path: Path | None) -> dict[str, object]:
    if path is not None:
        return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "coverage.json"
        subprocess.run(
            [sys.executable, "-m", "coverage", "json", "--quiet", "-o", str(out)],
            cwd=ROOT,
            check=True,
        )
        return json.loads(out.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def per_package(report: dict[str, object], packages: dict[Path, str]) -> dict[str, Totals]:
    totals = {name: Totals() for name in packages.values()}
    files = report["files"]
    assert isinstance(files, dict)
    for filename, data in files.items():
        path = (ROOT / filename).resolve()
        for source, name in packages.items():
            if path.is_relative_to(source):
                totals[name].add(data["summary"])
                break
    return totals


def main(argv: list[str]) -> int:
    packages = workspace_packages()
    wanted = floors()
    totals = per_package(load_report(Path(argv[0]) if argv else None), packages)
    problems: list[str] = []
    print("\nbranch coverage per package (floors: [tool.pywats.coverage-floors])")
    print(f"  {'package':<18} {'branches':>16} {'statements':>18} {'floor':>7}")
    for name, total in sorted(totals.items()):
        floor = wanted.get(name)
        branches = f"{total.branch_percent:5.1f}% of {total.branches:>5}"
        statements = f"{total.statement_percent:5.1f}% of {total.statements:>6}"
        shown = "-" if floor is None else f"{floor:.1f}%"
        verdict = ""
        if floor is None:
            problems.append(f"{name} has no floor in [tool.pywats.coverage-floors]")
            verdict = "  NO FLOOR"
        elif total.statements == 0:
            problems.append(f"{name}: nothing was measured (is it in source_pkgs?)")
            verdict = "  NOT MEASURED"
        elif total.branch_percent < floor:
            problems.append(f"{name}: {total.branch_percent:.1f}% of branches < floor {floor}%")
            verdict = "  BELOW FLOOR"
        elif total.branch_percent >= floor + RAISE_HINT_POINTS:
            verdict = "  (the floor may be raised)"
        print(f"  {name:<18} {branches:>16} {statements:>18} {shown:>7}{verdict}")
    for name in sorted(set(wanted) - set(totals)):
        problems.append(f"floor for {name!r}, which is not a workspace package")
    if problems:
        print("\ncoverage floors not met:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
