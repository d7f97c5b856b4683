"""SQLite, the embedded default, under real concurrent load: no "database is locked", mail once.

Four gunicorn workers serve a SQLite file with mail delivered in the background to a real SMTP
server on loopback (aiosmtpd). Sixty clients spend a minute mixing what participants do at
once: registering and withdrawing (API and pages), ranking tables, asking for and revoking
tokens, reading itineraries and logging in. Every request must get an answer other than 5xx,
and every message the outbox holds must reach the SMTP server exactly once.

The control run switches off what makes this hold (``BEGIN IMMEDIATE`` for every unit of work
that may write; only the seat lock kept it before) and shows the same load failing.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from meetingapp import create_app
from meetingapp.api import tokens as api_tokens
from meetingapp.extensions import db
from meetingapp.models import OutboxMessage, SessionKind, TopicTable
from meetingapp.registration.service import register_participant
from tests import factories
from tests.conftest import make_config
from tests.serving import HttpClient, Response, serve
from tests.smtp import smtp_server

pytestmark = pytest.mark.slow

CLIENTS = 60
SECONDS = 60
CONTROL_SECONDS = 25
WORKERS = 4


@dataclass
class World:
    url: str
    plenary: int
    speed: int
    tables: list[int]
    people: list[tuple[str, str]]  # (e-mail, token)


def _seed(url: str) -> World:
    app = create_app(make_config(url))
    with app.app_context():
        db.create_all()
        starts = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0)
        event = factories.event(title="Load day", starts_on=starts.date())
        plenary = factories.session(event, capacity=21, title="Plenary", starts_at=starts)
        speed = factories.session(
            event,
            kind=SessionKind.SPEED_NETWORKING,
            capacity=None,
            title="Speed dating",
            starts_at=starts + timedelta(hours=3),
        )
        speed.round_count, speed.round_minutes, speed.min_tables, speed.max_picks = 3, 20, 3, 3
        tables = [
            TopicTable(session_id=speed.id, code=c, topic=f"Topic {c}", seats=8) for c in "abcdef"
        ]
        db.session.add_all(tables)
        users = [factories.user() for _ in range(CLIENTS)]
        db.session.commit()
        now = datetime.now(UTC)
        for user in users:
            register_participant(user=user, session_id=speed.id, now=now)
        people = [
            (u.email, api_tokens.issue_token(user=u, name="load", now=now).secret) for u in users
        ]
        world = World(url, plenary.id, speed.id, [t.id for t in tables], people)
        db.session.remove()
        db.engine.dispose()
    return world


@dataclass
class Tally:
    statuses: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    lock = threading.Lock()

    def add(self, action: str, response: Response | BaseException) -> None:
        with self.lock:
            if isinstance(response, BaseException):
                self.failures.append(f"{action}: {type(response).__name__}: {response}")
                return
            self.statuses[(action, response.status)] += 1
            if response.status >= 500:
                self.failures.append(f"{action}: {response.status} {response.body[:200]!r}")


def _participant(base_url: str, world: World, email: str, token: str, deadline: float, tally):
    rng = random.Random(email)
    api = HttpClient(base_url)
    web = HttpClient(base_url)
    web.post("/auth/login", {"email": email, "password": factories.PASSWORD})
    issued: list[int] = []

    def act(action: str) -> Response:
        if action == "register":
            return api.api("POST", f"/api/v1/sessions/{world.plenary}/registrations", token=token)
        if action == "cancel":
            return api.api(
                "DELETE", f"/api/v1/sessions/{world.plenary}/registrations/me", token=token
            )
        if action == "page register":
            return web.post(f"/registration/sessions/{world.plenary}")
        if action == "page cancel":
            return web.post(f"/registration/sessions/{world.plenary}/cancel")
        if action == "picks":
            picks = rng.sample(world.tables, 3)
            return api.api(
                "PUT", f"/api/v1/sessions/{world.speed}/picks", {"tables": picks}, token=token
            )
        if action == "token":
            response = api.api(
                "POST", "/api/v1/tokens", {"name": "again"}, basic=f"{email}:{factories.PASSWORD}"
            )
            if response.status == 201:
                issued.append(response.json()["id"])
            return response
        if action == "revoke" and issued:
            return api.api("DELETE", f"/api/v1/tokens/{issued.pop()}", token=token)
        if action == "itinerary" or action == "revoke":
            return api.api("GET", "/api/v1/me/itinerary", token=token)
        return web.post("/auth/login", {"email": email, "password": factories.PASSWORD})

    actions = [
        "register",
        "cancel",
        "page register",
        "page cancel",
        "picks",
        "token",
        "revoke",
        "itinerary",
        "log-in",
    ]
    while time.monotonic() < deadline:
        action = rng.choice(actions)
        try:
            tally.add(action, act(action))
        except BaseException as exc:  # noqa: BLE001 - a dropped connection is a failure too
            tally.add(action, exc)


def _load(server_url: str, world: World, seconds: float) -> Tally:
    tally = Tally()
    deadline = time.monotonic() + seconds
    threads = [
        threading.Thread(
            target=_participant, args=(server_url, world, email, token, deadline, tally)
        )
        for email, token in world.people
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return tally


def _outbox(url: str) -> list[tuple[str, str]]:
    app = create_app(make_config(url))
    with app.app_context():
        rows = db.session.execute(select(OutboxMessage.message_id, OutboxMessage.status)).all()
        db.session.remove()
        db.engine.dispose()
    return [tuple(r) for r in rows]


def _drained(url: str, timeout: float = 120.0) -> list[tuple[str, str]]:
    """The outbox once the background senders have nothing left to do."""
    deadline = time.monotonic() + timeout
    while True:
        rows = _outbox(url)
        if all(status in ("sent", "failed") for _, status in rows) or time.monotonic() > deadline:
            return rows
        time.sleep(0.5)


def _run(tmp_path, env: dict[str, str], seconds: float):
    url = f"sqlite:///{tmp_path / 'load.sqlite'}"
    world = _seed(url)
    with smtp_server() as inbox:
        env = {
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(inbox.port),
            "MEETINGAPP_MAIL_BACKGROUND": "1",
            **env,
        }
        with serve(url, workers=WORKERS, env=env) as server:
            tally = _load(server.url, world, seconds)
            # One more request that queues nothing: the senders finish what is due.
            rows = _drained(url)
            log = server.log()
        received = inbox.message_ids()
    return tally, rows, received, log


def test_sixty_clients_for_a_minute_get_no_5xx_and_every_message_arrives_once(tmp_path):
    tally, rows, received, log = _run(tmp_path, {}, SECONDS)
    answered = sum(tally.statuses.values())
    print(f"\n{answered} requests in {SECONDS} s by {CLIENTS} clients on {WORKERS} workers:")
    for (action, status), n in sorted(tally.statuses.items()):
        print(f"  {action:14} {status}: {n}")
    print(f"  outbox {len(rows)} messages, SMTP received {len(received)}")
    assert not tally.failures, "\n".join(tally.failures[:20]) + "\n" + log[-3000:]
    assert "database is locked" not in log
    assert answered > CLIENTS * 10  # the load was real
    statuses = Counter(status for _, status in rows)
    assert statuses == {"sent": len(rows)}, statuses
    counts = Counter(received)
    assert [mid for mid, n in counts.items() if n > 1] == []
    assert set(counts) == {mid for mid, _ in rows}


def test_control_without_begin_immediate_the_same_load_fails(tmp_path):
    """Only the seat lock begins IMMEDIATE (main before the unit of work): writes that read first
    fail with "database is locked" under the same load."""
    tally, rows, received, log = _run(
        tmp_path, {"MEETINGAPP_SQLITE_IMMEDIATE": "0"}, CONTROL_SECONDS
    )
    duplicates = [mid for mid, n in Counter(received).items() if n > 1]
    print(f"\ncontrol: {len(tally.failures)} failed requests, {len(duplicates)} duplicate messages")
    assert tally.failures or duplicates or "database is locked" in log
