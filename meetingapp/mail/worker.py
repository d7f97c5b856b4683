"""The mail worker: ``flask --app meetingapp mail worker`` delivers the outbox continuously.

It runs ``delivery.deliver_due`` whenever there may be something to send:

* on PostgreSQL it holds ``LISTEN meetingapp_outbox`` (``mail.service.enqueue`` NOTIFYs in the
  change's own transaction, so the worker wakes as soon as the message is committed), and looks
  anyway every ``poll`` seconds (a retry falling due, a notification missed while the database
  was restarting);
* on SQLite (one machine) it looks every ``poll`` seconds.

Several workers, on one machine or many, may run at once: each message is claimed by one of
them with a conditional UPDATE before it is sent (``delivery._claim``), so none is sent twice.
SIGTERM (or SIGINT) stops it cleanly: the message being sent is sent and recorded, then it
exits with status 0. Web processes stop delivering themselves when ``MAIL_DELIVERY=worker``.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import func, or_, select
from sqlalchemy.exc import OperationalError

from meetingapp import clock
from meetingapp.extensions import db
from meetingapp.mail.delivery import DeliveryReport, deliver_due, mail_configured
from meetingapp.mail.service import NOTIFY_CHANNEL
from meetingapp.models import OutboxMessage

SQLITE_POLL_SECONDS = 1.0
POSTGRES_POLL_SECONDS = 30.0  # a safety net under LISTEN/NOTIFY
LISTEN_TIMEOUT_SECONDS = 1.0  # how often the listener looks at the stop flag


@dataclass
class WorkerTotals:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    passes: int = 0

    def add(self, report: DeliveryReport) -> None:
        self.sent += report.sent
        self.retried += report.retried
        self.failed += report.failed
        self.passes += 1


class Wakeup:
    """What the worker waits on: a NOTIFY, a signal to stop, or the poll interval."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self._wake = threading.Event()

    def set(self) -> None:
        self._wake.set()

    def request_stop(self, *_signal_args) -> None:
        self.stop.set()
        self._wake.set()

    def wait(self, seconds: float) -> None:
        self._wake.wait(max(seconds, 0.0))
        self._wake.clear()


def _listen(dsn: str, wakeup: Wakeup, log: Callable[[str], None]) -> None:
    """Hold LISTEN on its own connection; wake the worker on every NOTIFY and after each
    reconnection (what was queued while the connection was down is due now)."""
    import psycopg

    delay = 0.5
    while not wakeup.stop.is_set():
        try:
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
                wakeup.set()
                delay = 0.5
                while not wakeup.stop.is_set():
                    for _note in conn.notifies(timeout=LISTEN_TIMEOUT_SECONDS, stop_after=1):
                        wakeup.set()
        except psycopg.Error:
            log("mail worker: lost the LISTEN connection, reconnecting")
        wakeup.stop.wait(delay)
        delay = min(delay * 2, 10.0)


def _seconds_to_next_due(now: datetime, poll: float) -> float:
    """Until the earliest retry falls due, at most ``poll`` seconds."""
    due = db.session.scalar(
        select(func.min(OutboxMessage.next_attempt_at)).where(
            or_(OutboxMessage.status == "pending", OutboxMessage.status == "sending")
        )
    )
    db.session.rollback()
    if due is None:
        return poll
    return min(poll, max((due - now).total_seconds(), 0.0) + 0.05)


def run_worker(
    app: Flask,
    *,
    poll: float | None = None,
    wakeup: Wakeup | None = None,
    log: Callable[[str], None] = print,
) -> WorkerTotals:
    """Deliver the outbox until ``wakeup.stop`` is set (by SIGTERM or SIGINT when run from the
    command line). Runs inside ``app``'s application context."""
    wakeup = wakeup or Wakeup()
    totals = WorkerTotals()
    url = db.engine.url
    listening = url.get_backend_name() == "postgresql"
    if poll is None:
        poll = POSTGRES_POLL_SECONDS if listening else SQLITE_POLL_SECONDS
    if listening:
        dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        threading.Thread(
            target=_listen, args=(dsn, wakeup, app.logger.warning), name="mail-listen", daemon=True
        ).start()
    how = f"LISTEN {NOTIFY_CHANNEL}, and every {poll:g} s" if listening else f"every {poll:g} s"
    log(f"Mail worker delivering the outbox ({how}); SIGTERM stops it.")
    delay = 0.5
    while not wakeup.stop.is_set():
        try:
            totals.add(deliver_due(clock.now(), should_stop=wakeup.stop.is_set))
            wait = _seconds_to_next_due(clock.now(), poll)
            delay = 0.5
        except OperationalError:
            # The database is restarting or unreachable: the claims keep everything safe.
            db.session.rollback()
            app.logger.warning("mail worker: database unavailable, retrying in %.1f s", delay)
            wait, delay = delay, min(delay * 2, 10.0)
        finally:
            db.session.remove()
        if not wakeup.stop.is_set():
            wakeup.wait(wait)
    log(
        f"Mail worker stopped: sent {totals.sent}, retrying later {totals.retried}, "
        f"failed {totals.failed}."
    )
    return totals


def install_signal_handlers(wakeup: Wakeup) -> None:
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, wakeup.request_stop)


@click.command("worker")
@click.option(
    "--poll",
    type=click.FloatRange(min=0.05),
    default=None,
    help=f"Seconds between looks at the outbox (default {SQLITE_POLL_SECONDS:g} on SQLite, "
    f"{POSTGRES_POLL_SECONDS:g} on PostgreSQL, which wakes the worker at once anyway).",
)
@with_appcontext
def worker_command(poll: float | None) -> None:
    """Deliver the outbox continuously, until SIGTERM (run one or more, with MAIL_DELIVERY=worker
    on the web servers)."""
    if not mail_configured():
        raise click.ClickException("No MAIL_SERVER configured: there is nothing to deliver to.")
    wakeup = Wakeup()
    install_signal_handlers(wakeup)
    run_worker(current_app._get_current_object(), poll=poll, wakeup=wakeup, log=click.echo)
