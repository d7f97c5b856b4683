"""200 people register at once for 21 seats, through gunicorn (4 sync workers).

    .venv/bin/python benchmarks/bench_registration.py [--runs N] [--workers W] [--no-control]

For PostgreSQL (a throwaway cluster started with tests.pg) and SQLite (a file in a temporary
directory): 200 logged-in participants POST /registration/sessions/<id> released together by a
barrier ("burst"), and the same 200 one at a time ("sequential"). Each run starts from an empty
registration table. Figures: registrations per second (200 / wall time from release to the last
response), p50 and p99 latency of the individual requests (for the burst this includes queueing
behind the 4 workers), confirmed count per run, 5xx responses. "no lock" rows repeat the burst with
MEETINGAPP_REGISTRATION_LOCKING=0 in the server processes, the control that shows the race.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import pg  # noqa: E402
from tests.integration.test_registration_races import (  # noqa: E402
    PEOPLE,
    SEATS,
    Burst,
    clear_registrations,
    fire,
    login_all,
    seed,
    sequential,
    tally,
)
from tests.serving import serve  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


def measure(url: str, session_id: int, clients, mode: str, runs: int) -> dict:
    path = f"/registration/sessions/{session_id}"
    rates, latencies, confirmed, errors = [], [], [], 0
    for _ in range(runs):
        clear_registrations(url)
        burst: Burst = fire(clients, path) if mode != "sequential" else sequential(clients, path)
        rates.append(len(clients) / burst.seconds)
        latencies += burst.latencies
        errors += burst.server_errors
        confirmed.append(tally(url, session_id).confirmed)
    return {
        "rate": statistics.median(rates),
        "p50": percentile(latencies, 50) * 1000,
        "p99": percentile(latencies, 99) * 1000,
        "confirmed": confirmed,
        "errors": errors,
    }


def bench_database(name: str, url: str, args) -> list[tuple[str, str, dict]]:
    seeded = seed(url, people=PEOPLE, seats=SEATS)
    rows = []
    with serve(url, workers=args.workers) as server:
        clients = list(login_all(server.url, seeded.emails).values())
        rows.append((name, "burst", measure(url, seeded.session_id, clients, "burst", args.runs)))
        rows.append(
            (name, "sequential", measure(url, seeded.session_id, clients, "sequential", args.runs))
        )
    if args.control:
        env = {"MEETINGAPP_REGISTRATION_LOCKING": "0"}
        with serve(url, workers=args.workers, env=env) as server:
            # The cookies are signed with the testing secret key: still valid on this server.
            for client in clients:
                client.retarget(server.url)
            result = measure(url, seeded.session_id, clients, "burst", args.runs)
            rows.append((name, "burst, no lock", result))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per row (default 3)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument(
        "--no-control",
        dest="control",
        action="store_false",
        help="skip the runs with the lock switched off",
    )
    args = parser.parse_args()

    rows = []
    try:
        cluster = pg.start_cluster()
    except FileNotFoundError as exc:
        print(f"PostgreSQL skipped: {exc}")
        cluster = None
    if cluster is not None:
        try:
            rows += bench_database(
                "PostgreSQL", cluster.create_database("bench_registration"), args
            )
        finally:
            cluster.stop()
    with tempfile.TemporaryDirectory(prefix="meetingapp-bench-") as tmp:
        rows += bench_database("SQLite", f"sqlite:///{Path(tmp) / 'bench.sqlite'}", args)

    print(
        f"{PEOPLE} registrations for {SEATS} seats, gunicorn {args.workers} sync workers, "
        f"{args.runs} runs per row (rate: median; latency: all requests of all runs)"
    )
    header = (
        f"{'database':<11} {'mode':<15} {'reg/s':>7} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'confirmed per run':<18} {'5xx':>5}"
    )
    print(header)
    print("-" * len(header))
    for name, mode, r in rows:
        confirmed = "/".join(str(c) for c in r["confirmed"])
        print(
            f"{name:<11} {mode:<15} {r['rate']:>7.0f} {r['p50']:>8.1f} {r['p99']:>8.1f} "
            f"{confirmed:<18} {r['errors']:>5}"
        )
    locked = [r for _, mode, r in rows if "no lock" not in mode]
    held = all(set(r["confirmed"]) == {SEATS} and r["errors"] == 0 for r in locked)
    verdict = (
        f"with the lock every run above confirmed exactly {SEATS} with no 5xx"
        if held
        else f"WARNING: a run with the lock did not confirm exactly {SEATS}"
    )
    print(
        f"Note: Indico's limit check takes no lock: 200 people registering at once for 21 seats "
        f"ended with 22-24 registrations; {verdict}. The 'no lock' rows are the same burst "
        "without the lock."
    )


if __name__ == "__main__":
    main()
