"""150 open live streams on one server: do ordinary pages still answer as fast?

    .venv/bin/python benchmarks/bench_live.py [--full] [--streams N] [--requests N]
                                              [--workers W] [--threads T]
                                              [--only sqlite|postgresql]

By default (what ``make bench`` runs) 20 requests per page; ``--full``: 40.

For SQLite (a file in a temporary directory) and PostgreSQL (a throwaway cluster started with
tests.pg): a speed-networking session (tests/live_world.py) served by gunicorn as production
serves it (gthread; 1 worker of 32 threads by default: the smallest production unit, and the
one a stream can starve soonest). First the pages alone: the event's timetable
(``/events/<id>``) and ``/healthz``, ``--requests`` times each, one at a time. Then ``--streams``
room boards open ``/live/board/<token>/stream`` (a thread each with ``http.client``, reading
every byte), and the same pages again while they stay open. Then the organiser starts the
session through the API and we time how long the event takes to reach every stream ("fan-out").

Target (issue 18): page p50 with the streams open ≤ 2× without. Wall seconds are the run's,
CPU seconds the server processes' (gunicorn master and workers, from /proc) and the benchmark's
own (its client threads, ``time.process_time``).
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from figures import Figure, publish, server_cpu_seconds  # noqa: E402

from meetingapp import create_app  # noqa: E402
from meetingapp.extensions import db  # noqa: E402
from meetingapp.models import LiveSession  # noqa: E402
from tests import pg  # noqa: E402
from tests.conftest import make_config  # noqa: E402
from tests.live_world import live_world  # noqa: E402
from tests.serving import HttpClient, serve  # noqa: E402

TARGET_RATIO = 2.0
PAGE_TIMEOUT = 20.0  # a page that takes longer counts as starved


@dataclass(frozen=True)
class Seeded:
    event_id: int
    session_id: int
    board_token: str
    organiser_token: str  # an API token's secret


def seed(url: str) -> Seeded:
    """The schema and a session starting in five minutes (the server runs on the real clock)."""
    from meetingapp.api.tokens import issue_token
    from meetingapp.live.service import live_row

    app = create_app(make_config(url))
    with app.app_context():
        try:
            db.create_all()
            start = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=5)
            world = live_world(start=start)
            now = start - timedelta(minutes=5)
            live_row(world.session.id, world.organiser, now)
            board = db.session.get(LiveSession, world.session.id).board_token
            api = issue_token(user=world.organiser, name="bench", now=now).secret
            return Seeded(world.session.event_id, world.session.id, board, api)
        finally:
            db.session.remove()
            db.engine.dispose()


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


@dataclass
class Pages:
    seconds: dict[str, list[float]] = field(default_factory=dict)
    failures: int = 0


def time_pages(base_url: str, paths: list[str], requests: int) -> Pages:
    """Each path ``requests`` times, interleaved, one request at a time (a fresh connection
    each, like a browser's first visit)."""
    client = HttpClient(base_url, timeout=PAGE_TIMEOUT)
    result = Pages({p: [] for p in paths})
    for _ in range(requests):
        for path in paths:
            try:
                response = client.get(path)
            except OSError:  # timed out: starved behind the streams
                result.failures += 1
                continue
            if response.status != 200:
                result.failures += 1
            result.seconds[path].append(response.seconds)
    return result


class Stream(threading.Thread):
    """One open EventSource, read byte by byte as a browser would."""

    def __init__(self, host: str, port: int, path: str, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.host, self.port, self.path, self.stop = host, port, path, stop
        self.opened = threading.Event()
        self.events: list[tuple[float, str]] = []  # (perf_counter, the event's id)
        self.error: str | None = None

    def run(self) -> None:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=300)
        try:
            conn.request("GET", self.path, headers={"Accept": "text/event-stream"})
            response = conn.getresponse()
            if response.status != 200:
                self.error = f"HTTP {response.status}"
                return
            while not self.stop.is_set():
                line = response.readline()
                if not line:
                    self.error = self.error or "closed by the server"
                    return
                if line.startswith(b"id: "):
                    self.events.append((time.perf_counter(), line[4:].strip().decode()))
                    self.opened.set()
        except OSError as exc:
            if not self.stop.is_set():
                self.error = type(exc).__name__
        finally:
            conn.close()


@dataclass
class Row:
    database: str
    without: Pages
    with_streams: Pages
    streams_open: int
    streams_failed: int
    fanout_ms: float
    reached: int
    open_seconds: float
    wall: float
    server_cpu: float
    client_cpu: float

    def ratio(self, path: str) -> float:
        """Page p50 with the streams open over p50 without."""
        without, with_streams = self.without.seconds[path], self.with_streams.seconds[path]
        if not without or not with_streams:
            return float("inf")
        return statistics.median(with_streams) / statistics.median(without)

    @property
    def passed(self) -> bool:
        return (
            all(self.ratio(path) <= TARGET_RATIO for path in self.without.seconds)
            and self.with_streams.failures == 0
            and self.streams_failed == 0
            and self.reached == self.streams_open
        )


def bench_database(name: str, url: str, args) -> Row:
    seeded = seed(url)
    wall0, client0 = time.perf_counter(), time.process_time()
    with serve(url, workers=args.workers, worker_class="gthread", threads=args.threads) as server:
        cpu0 = server_cpu_seconds(server.pid)
        paths = [f"/events/{seeded.event_id}", "/healthz"]
        time_pages(server.url, paths, 3)  # warm up templates and the pool
        without = time_pages(server.url, paths, args.requests)

        stop = threading.Event()
        host, port = server.url.removeprefix("http://").split(":")
        path = f"/live/board/{seeded.board_token}/stream"
        streams = [Stream(host, int(port), path, stop) for _ in range(args.streams)]
        opening = time.perf_counter()
        for stream in streams:
            stream.start()
        deadline = time.monotonic() + 60
        for stream in streams:
            stream.opened.wait(max(deadline - time.monotonic(), 0))
        open_seconds = time.perf_counter() - opening
        opened = [s for s in streams if s.opened.is_set()]

        with_streams = time_pages(server.url, paths, args.requests)

        # A change reaches every open stream: the organiser starts the session.
        organiser = HttpClient(server.url, timeout=PAGE_TIMEOUT)
        sent = time.perf_counter()
        try:
            response = organiser.api(
                "POST",
                f"/api/v1/sessions/{seeded.session_id}/live",
                {"action": "start"},
                token=seeded.organiser_token,
            )
            version = str(response.json()["version"]) if response.status == 200 else None
        except OSError:  # starved like the pages
            version = None
        arrivals = []
        wait_until = time.monotonic() + 10
        for stream in opened if version is not None else ():
            while time.monotonic() < wait_until:
                hit = next((t for t, v in stream.events if v == version), None)
                if hit is not None:
                    arrivals.append(hit - sent)
                    break
                time.sleep(0.01)
        stop.set()
        cpu = server_cpu_seconds(server.pid) - cpu0
    failed = sum(1 for s in streams if s.error and not s.opened.is_set()) + (
        len(streams) - len(opened)
    )
    return Row(
        database=name,
        without=without,
        with_streams=with_streams,
        streams_open=len(opened),
        streams_failed=failed,
        fanout_ms=max(arrivals) * 1000 if arrivals else float("nan"),
        reached=len(arrivals),
        open_seconds=open_seconds,
        wall=time.perf_counter() - wall0,
        server_cpu=cpu,
        client_cpu=time.process_time() - client0,
    )


def ms(values: list[float], q: float) -> str:
    return f"{percentile(values, q) * 1000:.1f}" if values else "–"


def print_table(rows: list[Row], args) -> None:
    print(
        f"{args.streams} open streams (/live/board/<token>/stream), gunicorn gthread "
        f"{args.workers} worker(s) × {args.threads} threads; {args.requests} requests per page, "
        "one at a time, before and while the streams are open"
    )
    print(f"{'':<26} {'without streams':^17} {'with streams':^17}")
    header = (
        f"{'database':<11} {'page':<14} {'p50 ms':>8} {'p95 ms':>8} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p50 ×':>6}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        for path, a in row.without.seconds.items():
            b = row.with_streams.seconds[path]
            label = "timetable" if path.startswith("/events/") else path
            print(
                f"{row.database:<11} {label:<14} {ms(a, 50):>8} {ms(a, 95):>8} {ms(b, 50):>8} "
                f"{ms(b, 95):>8} {row.ratio(path):>6.2f}"
            )
    print()
    header = (
        f"{'database':<11} {'streams open':>12} {'open s':>7} {'fan-out ms':>11} "
        f"{'page fails':>10} {'wall s':>7} {'server CPU s':>12} {'bench CPU s':>11}  target"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row.database:<11} {f'{row.streams_open}/{args.streams}':>12} "
            f"{row.open_seconds:>7.1f} {row.fanout_ms:>11.0f} "
            f"{row.with_streams.failures:>10} {row.wall:>7.1f} {row.server_cpu:>12.1f} "
            f"{row.client_cpu:>11.1f}  {'PASS' if row.passed else 'FAIL'}"
        )
    print(
        f"Target (issue 18): each page's p50 with {args.streams} streams open ≤ "
        f"{TARGET_RATIO:g}× without; no page failing or slower than {PAGE_TIMEOUT:g} s; every "
        "stream open and reached by the organiser's change (fan-out: from the POST to the last "
        "stream's event). Before the fan-out thread (a request thread per stream), 150 streams "
        "took all 32 threads: every page, and the organiser's POST, waited until timed out."
    )


def figures_of(rows: list[Row], args) -> list[Figure]:
    figures = []
    for row in rows:
        db_name = row.database
        for path, a in row.without.seconds.items():
            b = row.with_streams.seconds[path]
            label = "timetable" if path.startswith("/events/") else path
            figures.append(
                Figure(f"{db_name}: {label} p50, no streams", percentile(a, 50) * 1000, "ms", None)
            )
            figures.append(
                Figure(
                    f"{db_name}: {label} p50, {args.streams} streams open",
                    percentile(b, 50) * 1000,
                    "ms",
                    None,
                )
            )
            figures.append(
                Figure(
                    f"{db_name}: {label} p50 with ÷ without streams",
                    round(row.ratio(path), 2),
                    "×",
                    TARGET_RATIO,
                )
            )
        figures += [
            Figure(f"{db_name}: pages failing with streams open", row.with_streams.failures, "", 0),
            Figure(f"{db_name}: streams not opened", args.streams - row.streams_open, "", 0),
            Figure(
                f"{db_name}: open streams the change missed",
                row.streams_open - row.reached,
                "",
                0,
            ),
            Figure(f"{db_name}: fan-out to every stream", row.fanout_ms, "ms", None),
            Figure(
                f"{db_name}: whole run",
                row.wall,
                "s",
                None,
                cpu=row.server_cpu + row.client_cpu,
                note=f"CPU: server {row.server_cpu:.1f} s (/proc) + bench {row.client_cpu:.1f} s",
            ),
        ]
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=150, help="open streams (default 150)")
    parser.add_argument("--full", action="store_true", help="40 requests per page")
    parser.add_argument("--requests", type=int, default=None, help="per page (20, 40 full)")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers (default 1)")
    parser.add_argument("--threads", type=int, default=32, help="threads each (default 32)")
    parser.add_argument("--only", choices=("sqlite", "postgresql"), help="one database only")
    args = parser.parse_args()
    args.requests = args.requests or (40 if args.full else 20)

    rows: list[Row] = []
    if args.only != "sqlite":
        try:
            cluster = pg.start_cluster()
        except FileNotFoundError as exc:
            print(f"PostgreSQL skipped: {exc}")
            cluster = None
        if cluster is not None:
            try:
                url = cluster.create_database("bench_live")
                rows.append(bench_database("PostgreSQL", url, args))
            finally:
                cluster.stop()
    if args.only != "postgresql":
        with tempfile.TemporaryDirectory(prefix="meetingapp-bench-") as tmp:
            rows.append(bench_database("SQLite", f"sqlite:///{Path(tmp) / 'live.sqlite'}", args))
    print_table(rows, args)
    print()
    return 0 if publish("live", figures_of(rows, args)) else 1


if __name__ == "__main__":
    sys.exit(main())
