"""``python -m meetingapp.domain.rotation IN.json --out OUT.json [--time-limit S] [--seed N]``.

Exit status 0 on success, 2 for malformed or infeasible input (one line on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys

from .jsonio import plan_to_json, problem_from_json
from .model import Infeasible, MalformedProblem
from .solver import solve


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit status 2, like the other failures
        raise MalformedProblem(f"usage: {message}")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="rotation solve",
        description="Plan a speed-networking table rotation (optimal preferences, then mixing).",
    )
    parser.add_argument("input", metavar="IN.json", help="the problem as JSON")
    parser.add_argument("--out", metavar="OUT.json", help="write the plan here (default stdout)")
    parser.add_argument(
        "--time-limit", type=float, default=None, metavar="SECONDS", help="time budget"
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed for mixing")
    return parser


def _fail(message: str) -> int:
    print(" ".join(str(message).split()), file=sys.stderr)
    return 2


def _dump(obj: dict) -> str:
    """The plan as indented JSON, one assignment a line (the C encoder only runs without
    ``indent``, and 80,000 assignments through the pure-Python one take about a second)."""
    rows = ",\n    ".join(map(json.dumps, obj["assignments"]))
    stats = json.dumps(obj["stats"], indent=2).replace("\n", "\n  ")
    return '{\n  "assignments": [\n    ' + rows + '\n  ],\n  "stats": ' + stats + "\n}"


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        if args.time_limit is not None and args.time_limit < 0:
            raise MalformedProblem("--time-limit must not be negative")
        try:
            with open(args.input, encoding="utf-8") as handle:
                raw = json.load(handle)
        except OSError as exc:
            raise MalformedProblem(f"cannot read {args.input}: {exc.strerror or exc}") from exc
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise MalformedProblem(f"{args.input} is not valid JSON: {exc}") from exc
        plan = solve(problem_from_json(raw), time_limit=args.time_limit, seed=args.seed)
    except MalformedProblem as exc:
        return _fail(str(exc))
    except Infeasible as exc:
        return _fail(str(exc))
    text = _dump(plan_to_json(plan))
    if args.out:
        try:
            with open(args.out, "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
        except OSError as exc:
            return _fail(f"cannot write {args.out}: {exc.strerror or exc}")
    else:
        print(text)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
