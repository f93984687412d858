"""Run every ``tools/bench/bench_*.py`` and print one JSON document.

Each benchmark is a script that prints a JSON object on its last stdout line; it runs
in its own process so that memory figures and imports do not leak between them.
``python tools/bench/run.py core queue`` runs only the named ones.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    scripts = {s.stem.removeprefix("bench_"): s for s in sorted(HERE.glob("bench_*.py"))}
    wanted = set(argv)
    unknown = sorted(wanted - scripts.keys())
    if unknown:  # a typo must not run nothing and report success
        print(
            f"bench: no benchmark named {', '.join(unknown)} (there are: {', '.join(scripts)})",
            file=sys.stderr,
        )
        return 2
    results: dict[str, object] = {}
    failed = False
    for name, script in scripts.items():
        if wanted and name not in wanted:
            continue
        print(f"bench: running {name} ...", file=sys.stderr, flush=True)
        proc = subprocess.run(
            [sys.executable, str(script)], capture_output=True, text=True, check=False
        )
        sys.stderr.write(proc.stderr)
        lines = [line for line in proc.stdout.splitlines() if line.strip()]
        if proc.returncode != 0 or not lines:
            results[name] = {"error": f"exit {proc.returncode}", "stdout": proc.stdout[-2000:]}
            failed = True
            continue
        results[name] = json.loads(lines[-1])
    print(json.dumps(results, indent=2, sort_keys=True))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
