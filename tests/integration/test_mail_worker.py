"""``flask mail worker``: the outbox delivered continuously by separate processes, to a real SMTP
server on loopback.

On PostgreSQL three workers run at once with a poll of a minute, so only LISTEN/NOTIFY can
explain a message that arrives in a second; every message arrives exactly once, and a worker
stopped with SIGTERM in the middle of a batch exits 0 without leaving a message claimed. On
SQLite one worker polls. A web process with ``MAIL_DELIVERY=worker`` only queues.
"""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from meetingapp import create_app
from meetingapp.extensions import db
from meetingapp.models import DeliveryAttempt, OutboxMessage, User
from meetingapp.registration.service import register_participant
from meetingapp.uow import unit_of_work
from tests.conftest import make_config
from tests.integration.test_registration_races import _with_app, seed
from tests.serving import ROOT
from tests.smtp import Inbox, smtp_server

# ``python -m flask`` from the repository: the package of this tree, whatever is installed.
FLASK = [sys.executable, "-m", "flask"]
LONG_POLL = "60"  # seconds: far longer than any wait below, so a quick delivery is a NOTIFY's

_databases = itertools.count(1)


class Worker:
    """One ``flask mail worker`` process, its output collected line by line."""

    def __init__(self, url: str, inbox: Inbox, *args: str) -> None:
        env = {
            **os.environ,
            "MEETINGAPP_CONFIG": "testing",
            "DATABASE_URL": url,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(inbox.port),
            "PYTHONUNBUFFERED": "1",
        }
        self.process = subprocess.Popen(
            [*FLASK, "--app", "meetingapp", "mail", "worker", *args],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        with self.process.stdout:
            for line in self.process.stdout:
                self.lines.append(line.rstrip())

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while not any(line.startswith("Mail worker delivering") for line in self.lines):
            assert self.process.poll() is None, "\n".join(self.lines)
            assert time.monotonic() < deadline, "the worker did not start:\n" + "\n".join(
                self.lines
            )
            time.sleep(0.05)

    def terminate(self, timeout: float = 30.0) -> float:
        """SIGTERM; the seconds until it said it stopped (it must then exit 0; the interpreter's
        own exit takes seconds more on a busy machine)."""
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        while not any(line.startswith("Mail worker stopped") for line in self.lines):
            assert time.monotonic() - started < timeout, "\n".join(self.lines)
            time.sleep(0.02)
        took = time.monotonic() - started
        assert self.process.wait(timeout) == 0, "\n".join(self.lines)
        return took

    def sent(self) -> int:
        last = [line for line in self.lines if line.startswith("Mail worker stopped: sent ")]
        assert last, "\n".join(self.lines)
        return int(last[-1].removeprefix("Mail worker stopped: sent ").split(",")[0])

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)


def register(url: str, user_ids: list[int], session_id: int, *, one_unit: bool = False) -> None:
    """Register people in-process: a unit (and a commit, and a NOTIFY) each, or one for all."""

    def run() -> None:
        now = datetime.now(UTC)
        if one_unit:
            with unit_of_work():
                for uid in user_ids:
                    register_participant(
                        user=db.session.get(User, uid), session_id=session_id, now=now
                    )
            return
        for uid in user_ids:
            register_participant(user=db.session.get(User, uid), session_id=session_id, now=now)

    _with_app(url, run)


def outbox(url: str) -> tuple[Counter, set[str], int]:
    def read():
        statuses = Counter(
            dict(
                db.session.execute(
                    select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
                ).all()
            )
        )
        ids = set(db.session.scalars(select(OutboxMessage.message_id)))
        attempts = db.session.scalar(select(func.count()).select_from(DeliveryAttempt))
        return statuses, ids, attempts

    return _with_app(url, read)


@pytest.fixture
def pg_mail_url(pg_cluster):
    name = f"meetingapp_mail_worker_{next(_databases)}"
    yield pg_cluster.create_database(name)
    pg_cluster.drop_database(name)


@pytest.mark.slow
@pytest.mark.postgres
def test_three_workers_on_postgresql_wake_on_notify_and_send_each_message_once(pg_mail_url):
    seeded = seed(pg_mail_url, people=60, seats=100)
    ids = [seeded.user_ids[e] for e in seeded.emails]
    with smtp_server() as inbox:
        workers = [Worker(pg_mail_url, inbox, "--poll", LONG_POLL) for _ in range(3)]
        try:
            for worker in workers:
                worker.wait_ready()

            # One registration: its confirmation arrives long before any poll would look.
            started = time.monotonic()
            register(pg_mail_url, ids[:1], seeded.session_id)
            inbox.wait_for(1, timeout=10)
            first = time.monotonic() - started

            # 19 more, one commit each, while the three workers race for every message.
            started = time.monotonic()
            register(pg_mail_url, ids[1:20], seeded.session_id)
            inbox.wait_for(20, timeout=30)
            twenty = time.monotonic() - started

            # 40 in one unit; one worker is stopped in the middle of the batch.
            register(pg_mail_url, ids[20:60], seeded.session_id, one_unit=True)
            inbox.wait_for(30, timeout=30)
            stopped_in = workers[0].terminate()
            inbox.wait_for(60, timeout=30)
            time.sleep(0.5)  # nothing more arrives
            took = [stopped_in] + [w.terminate() for w in workers[1:]]
        finally:
            for worker in workers:
                worker.kill()
        received = inbox.message_ids()
        duplicates = inbox.duplicates()

    per_worker = [w.sent() for w in workers]
    statuses, queued, attempts = outbox(pg_mail_url)
    print(
        f"\nmail worker x3 on PostgreSQL (poll {LONG_POLL} s): first message in {first:.2f} s, "
        f"19 more in {twenty:.2f} s; sent per worker {per_worker}; stopped after SIGTERM in "
        f"{', '.join(f'{t:.2f} s' for t in took)}; outbox {dict(statuses)}"
    )
    assert first < 5  # NOTIFY woke a worker; a poll would have taken a minute
    assert duplicates == {}
    assert len(received) == 60 and set(received) == queued
    assert statuses == {"sent": 60}  # none left claimed by the worker that stopped
    assert attempts == 60  # one attempt each: no message was sent twice
    assert sum(per_worker) == 60
    assert all(t < 10 for t in took)


@pytest.mark.slow
def test_a_worker_on_sqlite_polls_and_stops_on_sigterm(tmp_path):
    url = f"sqlite:///{tmp_path / 'mail.sqlite'}"
    seeded = seed(url, people=5, seats=10)
    with smtp_server() as inbox:
        worker = Worker(url, inbox, "--poll", "0.2")
        try:
            worker.wait_ready()
            register(url, [seeded.user_ids[e] for e in seeded.emails], seeded.session_id)
            inbox.wait_for(5, timeout=15)
            took = worker.terminate()
        finally:
            worker.kill()
        assert inbox.duplicates() == {}
    assert worker.sent() == 5
    assert outbox(url)[0] == {"sent": 5}
    assert took < 10


def test_with_mail_delivery_worker_the_web_process_only_queues(tmp_path):
    url = f"sqlite:///{tmp_path / 'queue.sqlite'}"
    seeded = seed(url, people=1, seats=10)
    with smtp_server() as inbox:
        config = make_config(
            url,
            MAIL_SERVER="127.0.0.1",
            MAIL_PORT=inbox.port,
            MAIL_BACKGROUND=True,
            MAIL_DELIVERY="worker",
        )
        app = create_app(config)
        with app.app_context():
            from meetingapp.api import tokens

            user = db.session.get(User, seeded.user_ids[seeded.emails[0]])
            secret = tokens.issue_token(user=user, name="t", now=datetime.now(UTC)).secret
            response = app.test_client().post(
                f"/api/v1/sessions/{seeded.session_id}/registrations",
                headers={"Authorization": f"Bearer {secret}"},
            )
            assert response.status_code == 201
            time.sleep(1.0)
            assert inbox.message_ids() == []
            db.session.remove()
            db.engine.dispose()
    assert outbox(url)[0] == {"pending": 1}
