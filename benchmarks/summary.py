"""Print one table of every figure ``make bench`` recorded, with targets and pass/fail.

    python benchmarks/summary.py RESULTS.jsonl [--load-at-start 1.23]

Exits 1 when a target was missed (a regression is a bug).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from figures import Figure, table  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("results")
    parser.add_argument("--load-at-start", default=None)
    args = parser.parse_args()
    rows = []
    for line in Path(args.results).read_text(encoding="utf-8").splitlines():
        data = json.loads(line)
        bench = data.pop("bench")
        rows.append((bench, Figure(**data)))
    print()
    print("== make bench: every figure")
    if args.load_at_start:
        print(f"load average at the start: {args.load_at_start}")
    print(table(rows))
    missed = [f"{b}: {f.name}" for b, f in rows if f.passed is False]
    print(f"{len(rows)} figures, {len(missed)} targets missed" + (": " if missed else ""))
    for name in missed:
        print(f"  {name}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
