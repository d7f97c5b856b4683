"""Faults during a registration burst: PostgreSQL restarted, a worker killed.

200 people register at once for 21 seats through the JSON API, served by gunicorn with 4 worker
processes (threaded, as in production), on a PostgreSQL cluster of this module's own. In the
middle of the burst either ``pg_ctl restart -m fast`` runs, or one worker is killed with
SIGKILL. Each client behaves as a script should: on a 503 or a dropped connection it tries
again, until it has a definite answer (201, or 409 "already registered" when an earlier
attempt's answer was lost).

What must hold: every request is answered (201, 4xx, or 503 with a JSON error) within the
client's timeout, except those a killed process was holding, whose connections drop (nothing
can answer for a dead process; the client sees a closed connection at once, never a hang);
``/healthz`` says 503 while the database is gone and the app serves again within 5 s of its
return; exactly 21 are confirmed and the waitlist is 1..179 with no one twice; and every
client that got a 201 finds its registration, with the status and position it was told.
A quick test without any server behind the URL shows the same answers to the API, to a page
and to a signed-in visitor.
"""

from __future__ import annotations

import http.client
import os
import shlex
import signal
import statistics
import subprocess
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from meetingapp import create_app
from meetingapp.api import tokens as api_tokens
from meetingapp.extensions import db
from meetingapp.models import EventSession, Registration, User
from meetingapp.uow import unit_of_work
from tests import factories, pg
from tests.conftest import IN_CI, make_config
from tests.integration.test_registration_races import PEOPLE, SEATS, _with_app, seed, tally
from tests.serving import HttpClient, Response, serve
from tests.smtp import free_port

WORKERS = 4
THREADS = 8
# A request not answered in this time counts as a hang. Generous: on a shared 2-core machine the
# last of 200 queued requests can wait its turn for tens of seconds (see the latencies printed).
REQUEST_TIMEOUT = 60.0
CLIENT_DEADLINE = 150.0  # a client gives up trying after this long
RETRY_PAUSE = 0.2
FAULT_AFTER = 60  # answers before the fault is injected: the middle of the burst
RECOVERY_LIMIT = 5.0


@pytest.fixture(scope="module")
def cluster():
    """A cluster of this module's own: restarting it must not disturb other tests."""
    try:
        cluster = pg.start_cluster()
    except FileNotFoundError as exc:
        if IN_CI:
            pytest.fail(f"CI=true but PostgreSQL is missing: {exc}")
        pytest.skip(f"PostgreSQL tests skipped: {exc}")
    yield cluster
    cluster.stop()


def pg_ctl(cluster: pg.PgCluster, *args: str) -> None:
    log = str(cluster.data_dir / "server.log")
    command = cluster._cmd(
        "pg_ctl", "-D", str(cluster.data_dir), "-w", "-t", "60", "-l", log, *args
    )
    subprocess.run(command, check=True, capture_output=True, timeout=90)


def restart(cluster: pg.PgCluster) -> None:
    """``pg_ctl restart -m fast``: end every session, shut down, start again (same options)."""
    pg_ctl(cluster, "-m", "fast", "restart")


def server_options(cluster: pg.PgCluster) -> str:
    """The running server's options (``pg_ctl start`` needs them again; restart reuses them)."""
    words = shlex.split((cluster.data_dir / "postmaster.opts").read_text())[1:]
    i = words.index("-D")
    return " ".join(shlex.quote(w) for w in words[:i] + words[i + 2 :])


def issue_tokens(url: str, user_ids: list[int]) -> list[str]:
    def issue() -> list[str]:
        now = datetime.now(UTC)
        with unit_of_work():  # one commit for all
            users = [db.session.get(User, uid) for uid in user_ids]
            return [api_tokens.issue_token(user=u, name="burst", now=now).secret for u in users]

    return _with_app(url, issue)


def another_session(url: str, like: int) -> int:
    """A second session with as many seats, in the same event (one seeding for both tests)."""

    def add() -> int:
        first = db.session.get(EventSession, like)
        second = factories.session(
            first.event, capacity=SEATS, title="Second training", starts_at=first.starts_at
        )
        db.session.commit()
        return second.id

    return _with_app(url, add)


def registrations_per_user(url: str, session_id: int) -> Counter:
    def read() -> Counter:
        rows = db.session.execute(
            select(Registration.user_id, func.count())
            .where(Registration.session_id == session_id)
            .group_by(Registration.user_id)
        ).all()
        return Counter(dict(rows))

    return _with_app(url, read)


# --- the clients -----------------------------------------------------------------------------


@dataclass
class Log:
    """Every answer (or its absence) with the instant it arrived."""

    statuses: Counter = field(default_factory=Counter)
    dropped: list[float] = field(default_factory=list)  # when a connection closed unanswered
    hangs: list[str] = field(default_factory=list)
    bad: list[str] = field(default_factory=list)  # 5xx other than a JSON 503, or a 503 without one
    answers: list[tuple[float, int]] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answered(self, response: Response) -> None:
        with self.lock:
            self.statuses[response.status] += 1
            self.answers.append((time.monotonic(), response.status))
            self.latencies.append(response.seconds)
            if response.status >= 500 and not _json_unavailable(response):
                self.bad.append(f"{response.status} {response.body[:200]!r}")

    def count(self) -> int:
        with self.lock:
            return len(self.answers)


def _json_unavailable(response: Response) -> bool:
    if response.status != 503 or "application/json" not in response.headers.get("content-type", ""):
        return False
    return response.json()["error"]["code"] == "unavailable"


@dataclass
class Outcome:
    told: dict | None = None  # the 201's body
    already: bool = False  # a 409 already_registered after an answer that was lost
    other: str = ""


def register_until_answered(client: HttpClient, token: str, path: str, log: Log) -> Outcome:
    deadline = time.monotonic() + CLIENT_DEADLINE
    while time.monotonic() < deadline:
        try:
            response = client.api("POST", path, token=token)
        except TimeoutError:
            log.hangs.append(path)
            return Outcome(other="timeout")
        except (ConnectionError, http.client.HTTPException):
            with log.lock:
                log.dropped.append(time.monotonic())  # the process holding it died
            time.sleep(RETRY_PAUSE)
            continue
        log.answered(response)
        if response.status == 201:
            return Outcome(told=response.json())
        if response.status == 409 and response.json()["error"]["code"] == "already_registered":
            return Outcome(already=True)
        if response.status != 503:
            return Outcome(other=f"{response.status} {response.body[:200]!r}")
        time.sleep(RETRY_PAUSE)
    return Outcome(other="gave up")


@dataclass
class Health:
    samples: list[tuple[float, int]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    bodies: Counter = field(default_factory=Counter)

    def poll(self, base_url: str) -> None:
        client = HttpClient(base_url, timeout=REQUEST_TIMEOUT)
        while not self.stop.is_set():
            try:
                response = client.get("/healthz")
            except (OSError, http.client.HTTPException):
                time.sleep(0.02)
                continue
            self.samples.append((time.monotonic(), response.status))
            self.bodies[(response.status, response.body.decode())] += 1
            time.sleep(0.02)


@dataclass
class Run:
    log: Log
    outcomes: list[Outcome]
    fault_at: float
    fault_done: float
    seconds: float


def burst_with_fault(base_url: str, tokens: list[str], path: str, fault) -> Run:
    """Every client registers at once; ``fault()`` runs once FAULT_AFTER answers have come."""
    log = Log()
    outcomes: list[Outcome | None] = [None] * len(tokens)
    barrier = threading.Barrier(len(tokens) + 1)

    def one(i: int) -> None:
        client = HttpClient(base_url, timeout=REQUEST_TIMEOUT)
        barrier.wait(timeout=60)
        outcomes[i] = register_until_answered(client, tokens[i], path, log)

    threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(len(tokens))]
    for t in threads:
        t.start()
    barrier.wait(timeout=60)
    started = time.monotonic()
    while log.count() < FAULT_AFTER and time.monotonic() - started < 60:
        time.sleep(0.005)
    fault_at = time.monotonic()
    fault()
    fault_done = time.monotonic()
    for t in threads:
        t.join(CLIENT_DEADLINE + REQUEST_TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a client never finished"
    return Run(log, list(outcomes), fault_at, fault_done, time.monotonic() - started)


def _first_traceback(log: str) -> str:
    """The first unhandled error in gunicorn's log, so a failure says what went wrong."""
    start = log.find("unhandled error")
    return log[start : start + 4000] if start >= 0 else log[-2000:]


def check_every_registration(
    run: Run, url: str, session_id: int, tokens: list[str], base: str, log: str = ""
):
    """The database holds exactly what the clients were told, once each."""
    others = [o.other for o in run.outcomes if o.other]
    assert others == [], (len(others), others[:2], _first_traceback(log))
    assert run.log.hangs == [] and run.log.bad == [], (run.log.hangs, run.log.bad[:5])
    outcome = tally(url, session_id)
    assert outcome.confirmed == SEATS
    assert outcome.waitlisted == PEOPLE - SEATS
    assert outcome.positions == list(range(1, PEOPLE - SEATS + 1))
    assert outcome.ranks == list(range(1, PEOPLE - SEATS + 1))
    per_user = registrations_per_user(url, session_id)
    assert len(per_user) == PEOPLE and set(per_user.values()) == {1}
    confirmed_told = sum(1 for o in run.outcomes if o.told and o.told["status"] == "confirmed")
    assert confirmed_told <= SEATS

    # Everyone who got a 201 finds it, as they were told (no one withdrew: positions hold).
    def mine(token: str) -> list[tuple[str, int | None]]:
        items = HttpClient(base).api("GET", "/api/v1/me/itinerary", token=token).json()["items"]
        return [
            (i["status"], i["waitlist_position"]) for i in items if i["session_id"] == session_id
        ]

    with ThreadPoolExecutor(8) as pool:
        found = list(pool.map(mine, tokens))
    for o, theirs in zip(run.outcomes, found, strict=True):
        if o.told:
            assert theirs == [(o.told["status"], o.told["waitlist_position"])], (o.told, theirs)
        else:
            assert len(theirs) == 1 and o.already


def summary(name: str, run: Run) -> str:
    statuses = ", ".join(f"{s}: {n}" for s, n in sorted(run.log.statuses.items()))
    told = Counter("201" if o.told else "409 already registered" for o in run.outcomes)
    return (
        f"\n{name}: {PEOPLE} clients, {WORKERS} workers x {THREADS} threads, fault after "
        f"{FAULT_AFTER} answers, burst over in {run.seconds:.1f} s"
        f"\n  requests answered by status: {statuses}"
        f"\n  connections dropped (retried): {len(run.log.dropped)}; hangs: {len(run.log.hangs)}"
        f"\n  final answer per client: {dict(told)}"
        f"\n  latency: median {statistics.median(run.log.latencies):.2f} s, "
        f"max {max(run.log.latencies):.2f} s"
    )


@dataclass(frozen=True)
class World:
    url: str
    sessions: tuple[int, int]  # one for each fault
    tokens: list[str]
    server_url: str
    server: object


@pytest.fixture(scope="module")
def world(cluster):
    """200 people with API tokens, two sessions of 21 seats, one server for both tests."""
    url = cluster.create_database("faults")
    seeded = seed(url)
    tokens = issue_tokens(url, [seeded.user_ids[e] for e in seeded.emails])
    second = another_session(url, seeded.session_id)
    with serve(url, workers=WORKERS, worker_class="gthread", threads=THREADS) as server:
        yield World(url, (seeded.session_id, second), tokens, server.url, server)


# --- the tests -------------------------------------------------------------------------------


@dataclass
class Outage:
    health: Response
    api: Response
    page: Response
    recovered_in: float  # from ``pg_ctl start`` returning to the first 200
    then: Counter  # statuses of the requests right after


def stopped_then_started(cluster: pg.PgCluster, base_url: str, token: str) -> Outage:
    """The database gone for as long as it takes to ask: what /healthz, the API and a page
    say, then how long after the database returns the app answers again."""
    options = server_options(cluster)
    client = HttpClient(base_url, timeout=REQUEST_TIMEOUT)
    pg_ctl(cluster, "-m", "fast", "stop")
    try:
        health = client.get("/healthz")
        api = client.api("GET", "/api/v1/events", token=token)
        page = client.get("/")
    finally:
        pg_ctl(cluster, "-o", options, "start")
    back = time.monotonic()
    while client.api("GET", "/api/v1/events", token=token).status != 200:
        assert time.monotonic() - back < 30, "the app did not serve again"
        time.sleep(0.05)
    recovered_in = time.monotonic() - back
    # Every worker, not only the one that answered first: each has its own pool.
    then = Counter(
        HttpClient(base_url).api("GET", "/api/v1/events", token=token).status for _ in range(24)
    )
    return Outage(health, api, page, recovered_in, then)


@pytest.mark.postgres
@pytest.mark.slow
def test_postgresql_restarted_mid_burst_every_request_answered_and_nothing_lost(cluster, world):
    session_id = world.sessions[0]
    path = f"/api/v1/sessions/{session_id}/registrations"
    health = Health()
    poller = threading.Thread(target=health.poll, args=(world.server_url,), daemon=True)
    poller.start()
    run = burst_with_fault(world.server_url, world.tokens, path, lambda: restart(cluster))
    health.stop.set()
    poller.join(REQUEST_TIMEOUT)
    check_every_registration(
        run, world.url, session_id, world.tokens, world.server_url, world.server.log()
    )
    outage = stopped_then_started(cluster, world.server_url, world.tokens[0])
    log = world.server.log()

    back = run.fault_done  # pg_ctl -w returned: the database accepts connections again
    served_again = min((t for t, s in run.log.answers if s in (201, 409) and t > back), default=0)
    print(summary("PostgreSQL restarted (pg_ctl restart -m fast)", run))
    print(
        f"  the restart took {back - run.fault_at:.2f} s; the first registration after it "
        f"was answered {served_again - back:.2f} s after the database returned"
    )
    samples = Counter(s for _, s in health.samples)
    print(f"  /healthz polled during the burst (queued behind it): {dict(samples)}")
    print(
        f"stopped (pg_ctl stop -m fast): /healthz {outage.health.status} "
        f"{outage.health.body.decode().strip()}, API {outage.api.status} "
        f"{outage.api.body.decode().strip()}, page {outage.page.status}"
        f"\n  after pg_ctl start: serving again in {outage.recovered_in:.2f} s, "
        f"then {dict(outage.then)}"
    )
    assert run.log.statuses[503] > 0, "the restart did not reach any request"
    assert 0 < served_again - back < RECOVERY_LIMIT
    assert run.log.dropped == []  # every worker lived: every connection got an answer
    assert outage.health.status == 503
    assert outage.health.json() == {"status": "unavailable", "database": "unreachable"}
    assert _json_unavailable(outage.api)
    assert outage.api.headers["retry-after"] == "5"
    assert outage.page.status == 503 and b"try again shortly" in outage.page.body
    assert outage.recovered_in < RECOVERY_LIMIT
    assert outage.then == {200: 24}
    assert "unhandled error" not in log, log[-3000:]


def _workers(master_pid: int) -> set[int]:
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text()
    return {int(pid) for pid in children.split()}


@pytest.mark.postgres
@pytest.mark.slow
def test_worker_killed_mid_burst_others_answer_and_nothing_lost(world):
    session_id, server = world.sessions[1], world.server
    path = f"/api/v1/sessions/{session_id}/registrations"
    before = _workers(server.pid)
    assert len(before) == WORKERS
    victim = sorted(before)[0]
    run = burst_with_fault(server.url, world.tokens, path, lambda: os.kill(victim, signal.SIGKILL))
    respawn_deadline = time.monotonic() + 30
    while len(_workers(server.pid) - {victim}) < WORKERS and time.monotonic() < respawn_deadline:
        time.sleep(0.05)
    after = _workers(server.pid)
    check_every_registration(run, world.url, session_id, world.tokens, server.url, server.log())
    log = server.log()

    answered_after = [t for t, _ in run.log.answers if t > run.fault_done]
    print(summary(f"worker {victim} killed (SIGKILL)", run))
    if answered_after:
        print(f"  first answer after the kill: {answered_after[0] - run.fault_done:.3f} s")
    print(f"  workers after: {len(after)} (the master replaced the killed one)")
    assert victim not in after and len(after) == WORKERS
    assert answered_after and answered_after[0] - run.fault_done < RECOVERY_LIMIT
    # Only the connections the dead worker held dropped, at once (their retries were answered).
    assert run.log.dropped and max(run.log.dropped) - run.fault_at < 3.0
    assert run.log.statuses[503] == 0  # the database never went away
    assert "unhandled error" not in log, log[-3000:]


def test_with_the_database_unreachable_the_api_and_pages_answer_503():
    """No server at all behind the URL (connection refused): what a client sees, fast."""
    app = create_app(make_config(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/gone"))
    client = app.test_client()

    api = client.get("/api/v1/events")
    page = client.get("/")
    with client.session_transaction() as cookie:
        cookie["_user_id"] = "1"  # a signed-in visitor, whose account cannot be loaded either
    signed_in = client.get("/me/")
    health = client.get("/healthz")

    assert api.status_code == 503 and api.headers["Retry-After"] == "5"
    assert api.get_json()["error"]["code"] == "unavailable"
    assert page.status_code == 503 and b"try again shortly" in page.data
    assert signed_in.status_code == 503 and b"try again shortly" in signed_in.data
    assert health.status_code == 503 and health.get_json()["status"] == "unavailable"
