"""The test suite cannot hide a failure: broken imports fail, random runs replay.

The guards themselves live in the root conftest.py; these tests prove they bite.
"""

from __future__ import annotations

import ast
import importlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEST_DIRS = [ROOT / "tests", *ROOT.glob("packages/*/tests"), *ROOT.glob("apps/*/tests")]

# Test files that still importorskip a declared module. The station's own cleanup (#11)
# takes them out; a listed file that no longer needs its place fails the ratchet below,
# so the list only shrinks.
_STATION_DEBT = {
    "apps/station/tests/test_against_fake_wats.py",
    "apps/station/tests/test_run.py",
    "apps/station/tests/test_soak.py",
    "apps/station/tests/test_soak_processes.py",
    "apps/station/tests/test_uploader.py",
}


def test_every_declared_dependency_imports(declared_dependencies: dict[str, str]) -> None:
    # The workspace packages themselves and at least their HTTP and model libraries.
    assert {"pywats", "pywats_queue", "pywats_testing", "httpx", "pydantic"} <= set(
        declared_dependencies
    )
    failures = []
    for module, package in sorted(declared_dependencies.items()):
        if module.startswith("_"):
            continue  # private extension modules load through their public package
        try:
            importlib.import_module(module)
        except Exception as exc:
            failures.append(f"{module} (declared by {package}): {type(exc).__name__}: {exc}")
    assert not failures, "declared dependencies that do not import:\n" + "\n".join(failures)


def _run_pytest(
    tmp_path: Path, files: dict[str, str], *args: str, seed: str | None = None
) -> subprocess.CompletedProcess[str]:
    """pytest in a subprocess on the given test files, with the repository's conftest.py
    loaded as a plugin (the files live outside the repository)."""
    for name, text in files.items():
        (tmp_path / name).write_text(textwrap.dedent(text), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PYWATS_TEST_SEED", None)
    if seed is not None:
        env["PYWATS_TEST_SEED"] = seed
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "conftest", "-p", "no:cacheprovider", "-rA", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_skipped_import_of_a_declared_dependency_fails(tmp_path: Path) -> None:
    result = _run_pytest(
        tmp_path,
        {
            "test_in_a_test.py": """
                import sys
                import pytest

                def test_importorskip_of_a_broken_declared_module():
                    sys.modules["httpx"] = None  # what a broken install looks like
                    pytest.importorskip("httpx")

                def test_skip_while_handling_its_import_error():
                    sys.modules["pydantic"] = None
                    try:
                        import pydantic  # noqa: F401
                    except ImportError:
                        pytest.skip("no pydantic here")

                def test_an_undeclared_module_may_still_skip():
                    pytest.importorskip("pywats_no_such_module")
            """,
            "test_at_module_level.py": """
                import sys
                import pytest

                sys.modules["h11"] = None
                pytest.importorskip("h11")

                def test_never_runs():
                    pass
            """,
        },
        "--continue-on-collection-errors",
    )
    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    assert "FAILED test_in_a_test.py::test_importorskip_of_a_broken_declared_module" in out
    assert "FAILED test_in_a_test.py::test_skip_while_handling_its_import_error" in out
    assert "SKIPPED [1] test_in_a_test.py" in out  # the undeclared module
    assert "ERROR test_at_module_level.py" in out
    assert out.count("a declared dependency failed to import and the test skipped") >= 3


def _skipped_declared_imports(path: Path, declared: dict[str, str]) -> list[str]:
    """Where a test file skips on an import of a declared module (or on one it cannot
    name: a non-literal ``importorskip`` argument)."""
    found: list[tuple[int, str]] = []
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name != "importorskip":
                continue
            arg = node.args[0] if node.args else None
            if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                found.append((node.lineno, "importorskip of a computed name"))
            elif arg.value.split(".")[0] in declared:
                found.append((node.lineno, f"importorskip({arg.value!r})"))
        elif isinstance(node, ast.Try):
            imported = {
                alias.name.split(".")[0]
                for stmt in node.body
                for sub in ast.walk(stmt)
                if isinstance(sub, ast.Import)
                for alias in sub.names
            } | {
                (sub.module or "").split(".")[0]
                for stmt in node.body
                for sub in ast.walk(stmt)
                if isinstance(sub, ast.ImportFrom) and sub.level == 0
            }
            for handler in node.handlers:
                skips = any(
                    isinstance(sub, ast.Call)
                    and getattr(sub.func, "attr", getattr(sub.func, "id", None)) == "skip"
                    for sub in ast.walk(handler)
                )
                if skips and imported & set(declared):
                    found.append((handler.lineno, f"skips when {sorted(imported)} fail"))
    return [f"{path}:{line}: {what}" for line, what in sorted(found)]


def test_no_test_skips_on_a_declared_import(declared_dependencies: dict[str, str]) -> None:
    offenders: dict[str, list[str]] = {}
    for directory in TEST_DIRS:
        for path in sorted(directory.rglob("*.py")):
            found = _skipped_declared_imports(path, declared_dependencies)
            if found:
                offenders[path.relative_to(ROOT).as_posix()] = found
    new = {k: v for k, v in offenders.items() if k not in _STATION_DEBT}
    assert not new, "tests that skip on a declared import (import it; let it fail):\n" + "\n".join(
        line for lines in new.values() for line in lines
    )
    paid = sorted(_STATION_DEBT - set(offenders))
    assert not paid, f"no longer skip on declared imports, take them off _STATION_DEBT: {paid}"


def test_the_scan_sees_both_ways_of_skipping(tmp_path: Path) -> None:
    sample = tmp_path / "test_sample.py"
    sample.write_text(
        textwrap.dedent(
            """
            import pytest
            httpx = pytest.importorskip("httpx")
            name = "pydantic"
            pytest.importorskip(name)
            pytest.importorskip("pywats_no_such_module")
            try:
                from pywats.report import parse_wsjf
            except ImportError:
                pytest.skip("no report model", allow_module_level=True)
            """
        ),
        encoding="utf-8",
    )
    found = _skipped_declared_imports(sample, {"httpx": "a", "pywats": "b"})
    assert [line.split(": ", 1)[1] for line in found] == [
        "importorskip('httpx')",
        "importorskip of a computed name",
        "skips when ['pywats'] fail",
    ]


def test_the_seed_is_printed_and_replayed_from_the_environment(tmp_path: Path) -> None:
    files = {
        "test_seeded.py": """
            import random
            from hypothesis import given, strategies as st

            def test_draw(random_seed):
                print("drew", random.Random(random_seed).randrange(10**9))
                assert False, "fail, to show what a failure prints"

            seen = []

            @given(st.integers())
            def test_hypothesis_draws(n):
                seen.append(n)

            def test_report_hypothesis():
                print("hypothesis drew", seen[:20])
                assert False
        """
    }
    first = _run_pytest(tmp_path, files)
    header = next(line for line in first.stdout.splitlines() if line.startswith("random seed:"))
    seed = header.split()[2]
    assert f"PYWATS_TEST_SEED={seed} replays this run's random choices" in first.stdout
    # Under each failure too, not only in the header.
    assert first.stdout.count(f"PYWATS_TEST_SEED={seed} replays") >= 3

    def draws(out: str) -> list[str]:
        return [line for line in out.splitlines() if line.startswith(("drew", "hypothesis"))]

    replay = _run_pytest(tmp_path, files, seed=seed)
    assert f"random seed: {seed} " in replay.stdout
    assert draws(replay.stdout) == draws(first.stdout) != []
