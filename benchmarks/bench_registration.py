"""200 people register at once for 21 seats, through gunicorn (4 sync workers).

    .venv/bin/python benchmarks/bench_registration.py [--full] [--runs N] [--workers W]
                                                      [--control | --no-control]

By default (what ``make bench`` runs) one run per row and no control rows: about 4 minutes on
this machine. ``--full`` is the long form: 3 runs per row and the control (13 minutes on a busy
machine); ``--runs`` and ``--control``/``--no-control`` override either.

For PostgreSQL (a throwaway cluster started with tests.pg) and SQLite (a file in a temporary
directory): 200 logged-in participants POST /registration/sessions/<id> released together by a
barrier ("burst"), and the same 200 one at a time ("sequential"). Each run starts from an empty
registration table. Figures: registrations per second (200 / wall time from release to the last
response), p50 and p99 latency of the individual requests (for the burst this includes queueing
behind the 4 workers), confirmed count per run, 5xx responses. "no lock" rows repeat the burst with
MEETINGAPP_REGISTRATION_LOCKING=0 in the server processes, the control that shows the race.

Every figure goes through figures.publish with its target (issue 23): the PostgreSQL burst's p99
≤ 1 s; with the lock, every run confirms exactly 21 and no request answers 5xx. The CPU beside
a burst's wall time is the server's (gunicorn master and workers, from /proc; psutil is not
installed) plus this process's client threads, so a busy machine shows as wall ≫ CPU.
Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from figures import Figure, publish, server_cpu_seconds  # noqa: E402

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

KEPT_ALIVE = 60  # registrations (and as many /healthz) over one kept-alive connection


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


def measure(url: str, session_id: int, clients, mode: str, runs: int, server_pid: int) -> dict:
    path = f"/registration/sessions/{session_id}"
    rates, latencies, confirmed, errors, walls, cpus = [], [], [], 0, [], []
    for _ in range(runs):
        clear_registrations(url)
        cpu0, own0 = server_cpu_seconds(server_pid), time.process_time()
        burst: Burst = fire(clients, path) if mode != "sequential" else sequential(clients, path)
        cpus.append(server_cpu_seconds(server_pid) - cpu0 + time.process_time() - own0)
        walls.append(burst.seconds)
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
        "wall": statistics.median(walls) * 1000,
        "cpu": statistics.median(cpus) * 1000,
    }


def issue_tokens(url: str, emails: list[str]) -> list[str]:
    """An API token (its secret) for each of these accounts."""
    from meetingapp.api.tokens import issue_token
    from meetingapp.extensions import db
    from meetingapp.models import User
    from tests.integration.test_registration_races import _with_app

    def issue() -> list[str]:
        now = datetime.now(UTC)
        users = [db.session.query(User).filter_by(email=e).one() for e in emails]
        return [issue_token(user=u, name="bench", now=now).secret for u in users]

    return _with_app(url, issue)


def kept_alive(base_url: str, session_id: int, secrets_: list[str]) -> dict:
    """One API registration against one /healthz, alternating over one kept-alive connection
    (gthread workers keep it open): median milliseconds of each, and their ratio."""
    parts = urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)

    def timed(method: str, path: str, headers: dict) -> float:
        start = time.perf_counter()
        conn.request(method, path, headers=headers)
        response = conn.getresponse()
        response.read()
        assert response.status < 300, (path, response.status)
        return time.perf_counter() - start

    for _ in range(20):  # warm the worker's code paths and the connection
        timed("GET", "/healthz", {})
    health, registration = [], []
    for secret in secrets_:
        health.append(timed("GET", "/healthz", {}))
        registration.append(
            timed(
                "POST",
                f"/api/v1/sessions/{session_id}/registrations",
                {"Authorization": f"Bearer {secret}", "Accept": "application/json"},
            )
        )
    conn.close()
    h, r = statistics.median(health) * 1000, statistics.median(registration) * 1000
    return {"healthz": h, "registration": r, "ratio": r / h}


def bench_database(name: str, url: str, args) -> list[tuple[str, str, dict]]:
    seeded = seed(url, people=PEOPLE, seats=SEATS)
    secrets_ = issue_tokens(url, seeded.emails[:KEPT_ALIVE])
    rows = []
    with serve(url, workers=args.workers) as server:
        clients = list(login_all(server.url, seeded.emails).values())
        for mode in ("burst", "sequential"):
            result = measure(url, seeded.session_id, clients, mode, args.runs, server.pid)
            rows.append((name, mode, result))
        clear_registrations(url)
        rows.append((name, "kept-alive API", kept_alive(server.url, seeded.session_id, secrets_)))
    if args.control:
        env = {"MEETINGAPP_REGISTRATION_LOCKING": "0"}
        with serve(url, workers=args.workers, env=env) as server:
            # The cookies are signed with the testing secret key: still valid on this server.
            for client in clients:
                client.retarget(server.url)
            result = measure(url, seeded.session_id, clients, "burst", args.runs, server.pid)
            rows.append((name, "burst, no lock", result))
    return rows


def figures_of(rows: list[tuple[str, str, dict]]) -> list[Figure]:
    figures = []
    for name, mode, r in rows:
        if mode == "kept-alive API":
            figures.append(
                Figure(f"{name}: /healthz, kept-alive connection", r["healthz"], "ms", None)
            )
            figures.append(
                Figure(f"{name}: one API registration, kept-alive", r["registration"], "ms", None)
            )
            figures.append(
                Figure(
                    f"{name}: API registration ÷ /healthz",
                    r["ratio"],
                    "×",
                    4.0 if name == "PostgreSQL" else None,
                    note=f"medians of {KEPT_ALIVE} each, alternating on one connection",
                )
            )
            continue
        label = f"{name}, {mode}"
        locked = "no lock" not in mode
        figures.append(
            Figure(
                f"{label}: 200 requests, wall",
                r["wall"],
                "ms",
                None,
                cpu=r["cpu"],
                note=f"{r['rate']:.0f} reg/s; CPU: server (/proc) + client",
            )
        )
        figures.append(Figure(f"{label}: p50 latency", r["p50"], "ms", None))
        p99_target = 1000 if mode == "burst" and name == "PostgreSQL" else None
        figures.append(Figure(f"{label}: p99 latency", r["p99"], "ms", p99_target))
        confirmed = "/".join(str(c) for c in r["confirmed"])
        figures.append(
            Figure(
                f"{label}: runs not confirming exactly {SEATS}",
                sum(1 for c in r["confirmed"] if c != SEATS),
                "",
                0 if locked else None,
                note=f"confirmed per run {confirmed}",
            )
        )
        figures.append(Figure(f"{label}: 5xx answers", r["errors"], "", 0 if locked else None))
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="3 runs per row and the control")
    parser.add_argument("--runs", type=int, default=None, help="runs per row (1, 3 with --full)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument(
        "--control",
        dest="control",
        action="store_true",
        default=None,
        help="also the runs with the lock switched off (the default with --full)",
    )
    parser.add_argument(
        "--no-control",
        dest="control",
        action="store_false",
        help="skip the runs with the lock switched off",
    )
    args = parser.parse_args()
    args.runs = args.runs or (3 if args.full else 1)
    if args.control is None:
        args.control = args.full

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
        if mode == "kept-alive API":
            continue
        confirmed = "/".join(str(c) for c in r["confirmed"])
        print(
            f"{name:<11} {mode:<15} {r['rate']:>7.0f} {r['p50']:>8.1f} {r['p99']:>8.1f} "
            f"{confirmed:<18} {r['errors']:>5}"
        )
    for name, mode, r in rows:
        if mode == "kept-alive API":
            print(
                f"{name}: over one kept-alive connection, /healthz {r['healthz']:.1f} ms, "
                f"an API registration {r['registration']:.1f} ms ({r['ratio']:.1f}x; target 4x)"
            )
    locked = [r for _, mode, r in rows if mode not in ("kept-alive API",) and "no lock" not in mode]
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
    print()
    return 0 if publish("registration", figures_of(rows)) else 1


if __name__ == "__main__":
    sys.exit(main())
