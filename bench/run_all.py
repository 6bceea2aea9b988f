"""`make bench`: run every benchmark in `bench/` one after another and print what each measured.

Each benchmark prints ratios against a baseline measured in the same run (ours vs the plain way), never a
bare time as a verdict. Pass names to run only some: `python bench/run_all.py relevance entities`.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
# Quick ones first; the synthetic-history benchmark takes the longest.
ORDER = [
    "relevance",
    "stories",
    "events",
    "entities",
    "fetch",
    "politeness",
    "fulltext",
    "pipeline",
    "latency",
    "scale",
    "search",
    "trends",
]


def main(argv: list[str]) -> int:
    wanted = argv or ORDER
    failures = 0
    for name in wanted:
        script = BENCH_DIR / f"bench_{name}.py"
        if not script.exists():
            print(f"== {name}: no benchmark yet ({script.name} missing)")
            continue
        print(f"== {name}", flush=True)
        started = time.monotonic()
        result = subprocess.run([sys.executable, str(script)], cwd=BENCH_DIR.parent)
        print(f"   ({name} took {time.monotonic() - started:.0f} s)\n", flush=True)
        failures += result.returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
