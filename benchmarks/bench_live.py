"""The live mode under load: pages with 150 open streams, one change fanned out over 4 workers,
and the organiser's re-plan at the seed's sizes. Each target is printed with pass or FAIL.

    .venv/bin/python benchmarks/bench_live.py [--full] [--streams N] [--requests N]
        [--workers W] [--threads T] [--fanout-workers W] [--replans N]
        [--only sqlite|postgresql]

By default (what ``make bench`` runs) 20 requests per page; ``--full``: 40.

For SQLite (a file in a temporary directory) and PostgreSQL (a throwaway cluster started with
tests.pg): a speed-networking session at the seed's sizes (tests/live_world.py: 88 people, 11
tables of 8, four rounds, three picks each) served by gunicorn as production serves it (gthread).

1. Pages and streams (``--workers``, default 1 worker of 32 threads: the smallest production
   unit, and the one a stream can starve soonest). The event's timetable (``/events/<id>``) and
   ``/healthz``, ``--requests`` times each, one at a time; then ``--streams`` room boards open
   ``/live/board/<token>/stream`` (a thread each with ``http.client``, reading every byte), and
   the same pages again while they stay open; then the organiser starts the session through the
   API. Target (issue 18): each page's p50 with the streams open ≤ 2× without, no page failing.
2. Fan-out across workers (``--fanout-workers``, default 4): a fresh server, the streams opened
   again (the kernel spreads them over the workers; how many each holds is read from /proc),
   then one change ("next phase" through the API), which one worker handles.
   Target: it reaches every stream within 2 s of the POST (the other workers hear of it by
   LISTEN/NOTIFY on PostgreSQL, by their twice-a-second poll on SQLite).
3. Re-plan, on that server with the streams open: round 2 under way, people marked absent
   through the console's forms, then the console's "re-plan" button (its POST, timed from sending
   it to the answer: the planner, the new plan's rows and the commit), ``--replans`` times with
   two more no-shows each. Target (issue 18): each ≤ 1 s at the seed's sizes. Also shown: the
   planner's own seconds, and the new plan reaching every board stream.

Wall seconds are the run's, CPU seconds the server processes' (gunicorn master and workers,
from /proc) and the benchmark's own (its client threads, ``time.process_time``); the load
average is printed at the start and at the end. Exit status 1 when a target fails.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
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
from meetingapp.models import LiveSession, RotationPlan  # noqa: E402
from tests import factories, pg  # noqa: E402
from tests.conftest import make_config  # noqa: E402
from tests.live_world import live_world  # noqa: E402
from tests.serving import HttpClient, serve  # noqa: E402

TARGET_RATIO = 2.0
PAGE_TIMEOUT = 20.0  # a page that takes longer counts as starved
FANOUT_TARGET_MS = 2000.0  # issue 18: a change reaches the streams of every worker within 2 s
REPLAN_TARGET_S = 1.0  # issue 18: re-plan the remaining rounds in one click, ≤ 1 s
SEED_SIZES = {"people": 88, "tables": 11, "seats": 8, "picks": 3}  # the seed's speed dating


@dataclass(frozen=True)
class Seeded:
    event_id: int
    session_id: int
    board_token: str
    organiser_token: str  # an API token's secret
    organiser_email: str
    people: tuple[int, ...]  # user ids of the crowd


def seed(url: str) -> Seeded:
    """The schema and a session starting in five minutes (the server runs on the real clock)."""
    from meetingapp.api.tokens import issue_token
    from meetingapp.live.service import live_row

    app = create_app(make_config(url))
    with app.app_context():
        try:
            db.create_all()
            start = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=5)
            sizes = dict(SEED_SIZES)
            world = live_world(sizes.pop("people"), start=start, **sizes)
            now = start - timedelta(minutes=5)
            live_row(world.session.id, world.organiser, now)
            board = db.session.get(LiveSession, world.session.id).board_token
            api = issue_token(user=world.organiser, name="bench", now=now).secret
            return Seeded(
                world.session.event_id,
                world.session.id,
                board,
                api,
                world.organiser.email,
                tuple(p.id for p in world.people),
            )
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


def open_streams(base_url: str, path: str, n: int) -> tuple[list[Stream], threading.Event, float]:
    """``n`` streams, opened at once; returns them, their stop flag and the seconds until every
    one had its first event (or 60 s)."""
    stop = threading.Event()
    host, port = base_url.removeprefix("http://").split(":")
    streams = [Stream(host, int(port), path, stop) for _ in range(n)]
    opening = time.perf_counter()
    for stream in streams:
        stream.start()
    deadline = time.monotonic() + 60
    for stream in streams:
        stream.opened.wait(max(deadline - time.monotonic(), 0))
    return streams, stop, time.perf_counter() - opening


def arrivals(streams: list[Stream], version: str, sent: float, wait: float = 10.0) -> list[float]:
    """Seconds from ``sent`` (perf_counter) to each stream's event ``version``; a stream that
    has not had it within ``wait`` seconds is left out."""
    found = []
    wait_until = time.monotonic() + wait
    for stream in streams:
        while time.monotonic() < wait_until:
            hit = next((t for t, v in list(stream.events) if v == version), None)
            if hit is not None:
                found.append(hit - sent)
                break
            time.sleep(0.01)
    return found


def streams_per_worker(master_pid: int, port: int) -> list[int]:
    """How many client connections to ``port`` each of gunicorn's workers holds, most first:
    the connections' socket inodes (/proc/net/tcp, established) among each worker's
    descriptors (/proc/<pid>/fd)."""
    try:
        workers = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
        table = Path("/proc/net/tcp").read_text().splitlines()[1:]
    except OSError:
        return []
    inodes = set()
    for line in table:
        fields = line.split()
        local_port = int(fields[1].rsplit(":", 1)[1], 16)
        if local_port == port and fields[3] == "01":  # ESTABLISHED
            inodes.add(fields[9])
    counts = []
    for pid in map(int, workers):
        held = set()
        try:
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                link = os.readlink(fd)
                if link.startswith("socket:[") and link[8:-1] in inodes:
                    held.add(link[8:-1])
        except OSError:
            continue
        counts.append(len(held))
    return sorted(counts, reverse=True)


@dataclass
class Spread:
    """Part 2 and 3: the streams over several workers, one change, and the re-plans."""

    workers: int
    streams_open: int
    per_worker: list[int]  # the streams each worker holds
    fanout_ms: float
    reached: int
    replan_seconds: list[float] = field(default_factory=list)
    replans_refused: int = 0
    planner_seconds: list[float] = field(default_factory=list)
    replan_fanout_ms: list[float] = field(default_factory=list)  # from the click, every stream
    absent: int = 0
    server_cpu: float = 0.0


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
    spread: Spread | None = None

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
    spread = bench_spread(url, seeded, args)
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
        spread=spread,
    )


def bench_spread(url: str, seeded: Seeded, args) -> Spread:
    """The streams over ``--fanout-workers`` workers: one change, then the re-plans."""
    sid = seeded.session_id
    with serve(
        url, workers=args.fanout_workers, worker_class="gthread", threads=args.threads
    ) as server:
        cpu0 = server_cpu_seconds(server.pid)
        path = f"/live/board/{seeded.board_token}/stream"
        streams, stop, _open_seconds = open_streams(server.url, path, args.streams)
        opened = [s for s in streams if s.opened.is_set()]
        per_worker = streams_per_worker(server.pid, int(server.url.rsplit(":", 1)[1]))

        api = HttpClient(server.url, timeout=PAGE_TIMEOUT)

        def act(action: str) -> tuple[str | None, float]:
            sent = time.perf_counter()
            response = api.api(
                "POST",
                f"/api/v1/sessions/{sid}/live",
                {"action": action},
                token=seeded.organiser_token,
            )
            return (str(response.json()["version"]) if response.status == 200 else None), sent

        version, sent = act("next")  # talking in round 1 -> moving to round 2
        reached = arrivals(opened, version, sent) if version else []
        spread = Spread(
            workers=args.fanout_workers,
            streams_open=len(opened),
            per_worker=per_worker,
            fanout_ms=max(reached) * 1000 if reached else float("nan"),
            reached=len(reached),
        )
        act("next")  # round 2 under way: its no-shows, then the rounds left re-planned

        console = HttpClient(server.url, timeout=PAGE_TIMEOUT)
        login = console.post(
            "/auth/login", {"email": seeded.organiser_email, "password": factories.PASSWORD}
        )
        assert login.status in (302, 303), f"the organiser could not log in: {login.status}"
        no_shows = list(seeded.people)
        random.Random(18).shuffle(no_shows)
        board = f"/live/board/{seeded.board_token}"
        json_accept = {"Accept": "application/json"}
        plan_version = console.request("GET", board, headers=json_accept).json()["clock"][
            "plan_version"
        ]
        for attempt in range(args.replans):
            for user_id in no_shows[spread.absent : 4 + 2 * attempt]:
                console.post(f"/live/sessions/{sid}/absent/{user_id}", {"round": "2"})
            spread.absent = 4 + 2 * attempt
            answer = console.post(f"/live/sessions/{sid}/replan")
            sent = time.perf_counter() - answer.seconds
            clock = console.request("GET", board, headers=json_accept).json()["clock"]
            if answer.status != 303 or clock["plan_version"] != plan_version + 1:
                spread.replans_refused += 1  # the console shows why; nothing was re-planned
                continue
            plan_version = clock["plan_version"]
            spread.replan_seconds.append(answer.seconds)
            seen = arrivals(opened, str(clock["version"]), sent)
            if len(seen) == len(opened):
                spread.replan_fanout_ms.append(max(seen) * 1000)
        stop.set()
        spread.server_cpu = server_cpu_seconds(server.pid) - cpu0
    spread.planner_seconds = planner_seconds(url, sid)
    return spread


def planner_seconds(url: str, session_id: int) -> list[float]:
    """The planner's own seconds of each re-plan (its stats), oldest first."""
    from sqlalchemy import select

    app = create_app(make_config(url))
    with app.app_context():
        try:
            plans = db.session.scalars(
                select(RotationPlan)
                .where(RotationPlan.session_id == session_id, RotationPlan.version > 1)
                .order_by(RotationPlan.version)
            ).all()
            return [float(json.loads(p.stats_json or "{}").get("seconds", "nan")) for p in plans]
        finally:
            db.session.remove()
            db.engine.dispose()


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
    print()
    people = SEED_SIZES["people"]
    print(
        f"{args.streams} streams over gunicorn gthread {args.fanout_workers} workers × "
        f"{args.threads} threads; one change (next phase, API); then {args.replans} re-plans of "
        f"rounds 3-4 ({people} people, {SEED_SIZES['tables']} tables of {SEED_SIZES['seats']}), "
        "two more no-shows each, through the console's forms"
    )
    header = (
        f"{'database':<11} {'streams per worker':<20} {'fan-out ms':>10} {'re-plan s p50/max':>18} "
        f"{'planner s max':>13} {'to boards ms max':>16} {'refused':>7}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        sp = row.spread
        if sp is None:
            continue
        replans = (
            f"{statistics.median(sp.replan_seconds):.2f}/{max(sp.replan_seconds):.2f}"
            if sp.replan_seconds
            else "–"
        )
        planner = f"{max(sp.planner_seconds):.2f}" if sp.planner_seconds else "–"
        boards = f"{max(sp.replan_fanout_ms):.0f}" if sp.replan_fanout_ms else "–"
        print(
            f"{row.database:<11} {'/'.join(map(str, sp.per_worker)):<20} {sp.fanout_ms:>10.0f} "
            f"{replans:>18} {planner:>13} {boards:>16} {sp.replans_refused:>7}"
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
            Figure(f"{db_name}: fan-out to every stream, 1 worker", row.fanout_ms, "ms", None),
        ]
        figures += spread_figures(db_name, row.spread, args)
        server_cpu = row.server_cpu + (row.spread.server_cpu if row.spread else 0.0)
        figures.append(
            Figure(
                f"{db_name}: whole run",
                row.wall,
                "s",
                None,
                cpu=server_cpu + row.client_cpu,
                note=f"CPU: server {server_cpu:.1f} s (/proc) + bench {row.client_cpu:.1f} s",
            )
        )
    return figures


def spread_figures(db_name: str, sp: Spread | None, args) -> list[Figure]:
    """The targets of parts 2 and 3: one change on several workers, the re-plan's click."""
    if sp is None:
        return []
    w = sp.workers
    figures = [
        Figure(
            f"{db_name}: one change to every stream, {w} workers",
            sp.fanout_ms,
            "ms",
            FANOUT_TARGET_MS,
            note="streams per worker " + "/".join(map(str, sp.per_worker)),
        ),
        Figure(
            f"{db_name}: open streams it missed, {w} workers",
            sp.streams_open - sp.reached,
            "",
            0,
            note=f"{sp.streams_open}/{args.streams} open",
        ),
        Figure(f"{db_name}: re-plans refused", sp.replans_refused, "", 0),
    ]
    if sp.replan_seconds:
        figures.append(
            Figure(
                f"{db_name}: re-plan click, worst of {len(sp.replan_seconds)}",
                max(sp.replan_seconds),
                "s",
                REPLAN_TARGET_S,
                note=(
                    f"p50 {statistics.median(sp.replan_seconds):.2f} s; planner max "
                    f"{max(sp.planner_seconds, default=float('nan')):.2f} s; "
                    f"{SEED_SIZES['people']} people, up to {sp.absent} absent"
                ),
            )
        )
    if sp.replan_fanout_ms:
        figures.append(
            Figure(
                f"{db_name}: re-plan click to every board, worst",
                max(sp.replan_fanout_ms),
                "ms",
                None,
            )
        )
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=150, help="open streams (default 150)")
    parser.add_argument("--full", action="store_true", help="40 requests per page")
    parser.add_argument("--requests", type=int, default=None, help="per page (20, 40 full)")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers (default 1)")
    parser.add_argument("--threads", type=int, default=32, help="threads each (default 32)")
    parser.add_argument(
        "--fanout-workers", type=int, default=4, help="workers for parts 2 and 3 (default 4)"
    )
    parser.add_argument("--replans", type=int, default=5, help="re-plans timed (default 5)")
    parser.add_argument("--only", choices=("sqlite", "postgresql"), help="one database only")
    args = parser.parse_args()
    load = os.getloadavg()
    print(f"load average at the start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
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
