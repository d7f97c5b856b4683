"""Delivering the outbox after commit: claim, send, record, in that order, each write its own
short unit of work.

1. **Claim**: a conditional UPDATE marks the message "sending" until the claim expires; only one
   process (or thread, or machine) wins it.
2. **Send** to the SMTP server, outside any transaction.
3. **Record** the outcome. Once the server has accepted a message, the "sent" record is retried
   through a busy or restarting database until it is written: the fact that a message left is
   never lost, so it is never sent again. Only a process killed between 2 and 3 leaves the
   message claimed; it is sent again when the claim expires (at-least-once in that one case).

Each message keeps one Message-ID across retries.
"""

from __future__ import annotations

import smtplib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from flask import Flask, current_app
from sqlalchemy import or_, select, update
from sqlalchemy.exc import OperationalError

from meetingapp import clock
from meetingapp.extensions import db
from meetingapp.models import DeliveryAttempt, OutboxMessage
from meetingapp.uow import unit_of_work

MAX_ATTEMPTS = 8
CLAIM_SECONDS = 1800
# How long the "sent" record is retried through a busy or unreachable database.
RECORD_RETRY_SECONDS = 600


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, … minutes, at most six hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def mail_configured(app: Flask | None = None) -> bool:
    return bool((app or current_app).config.get("MAIL_SERVER"))


def build_email(message: OutboxMessage, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = formataddr(("meetingapp", sender))
    email["To"] = formataddr((message.user.name if message.user else "", message.to_address))
    email["Message-ID"] = message.message_id
    email["Date"] = format_datetime(message.created_at)
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    if message.ics_body:
        email.add_alternative(
            message.ics_body, subtype="calendar", params={"method": message.ics_method or "PUBLISH"}
        )
    return email


def smtp_connection(config) -> smtplib.SMTP:
    host, port = config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25)
    if config.get("MAIL_USE_SSL"):
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=30)
    else:
        smtp = smtplib.SMTP(host, port, timeout=30)
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
    if config.get("MAIL_USERNAME"):
        smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    return smtp


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    retried: int = 0
    errors: list[str] = field(default_factory=list)


def _due_ids(now: datetime, limit: int) -> list[int]:
    stmt = (
        select(OutboxMessage.id)
        .where(
            or_(OutboxMessage.status == "pending", OutboxMessage.status == "sending"),
            OutboxMessage.next_attempt_at <= now,
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def _all_due(now: datetime, limit: int):
    """Due message ids, ``limit`` at a time, until none is left (others may take some)."""
    while True:
        batch = _due_ids(now, limit)
        db.session.rollback()  # the read transaction ends before the claims begin
        if not batch:
            return
        yield from batch
        if len(batch) < limit:
            return


def _claim(message_id: int, now: datetime) -> bool:
    with unit_of_work():
        result = db.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id,
                or_(OutboxMessage.status == "pending", OutboxMessage.status == "sending"),
                OutboxMessage.next_attempt_at <= now,
            )
            .values(status="sending", next_attempt_at=now + timedelta(seconds=CLAIM_SECONDS))
            .execution_options(synchronize_session=False)
        )
    return result.rowcount == 1


def _persistently(write: Callable[[], None], *, seconds: float) -> None:
    """Run ``write`` in its own unit of work, again and again while the database is busy or
    away (SQLite's lock, a PostgreSQL restart), for up to ``seconds``."""
    deadline = time.monotonic() + seconds
    delay = 0.05
    while True:
        try:
            with unit_of_work():
                write()
            return
        except OperationalError:
            if time.monotonic() + delay > deadline:
                raise
            current_app.logger.warning("outbox bookkeeping: database busy, retrying")
            time.sleep(delay)
            delay = min(delay * 2, 5.0)


def _record_sent(message_id: int, now: datetime) -> None:
    def write() -> None:
        message = db.session.get(OutboxMessage, message_id)
        message.attempts += 1
        message.status = "sent"
        message.sent_at = now
        message.last_error = ""
        db.session.add(DeliveryAttempt(message_id=message_id, at=now, ok=True))

    _persistently(write, seconds=RECORD_RETRY_SECONDS)


def _record_failure(message_id: int, now: datetime, error: str, report: DeliveryReport) -> None:
    outcome: list[str] = []

    def write() -> None:
        outcome.clear()
        message = db.session.get(OutboxMessage, message_id)
        message.attempts += 1
        message.last_error = error
        db.session.add(DeliveryAttempt(message_id=message_id, at=now, ok=False, error=error))
        if message.attempts >= MAX_ATTEMPTS:
            message.status = "failed"
            outcome.append("failed")
        else:
            message.status = "pending"
            message.next_attempt_at = now + backoff(message.attempts)
            outcome.append("retried")

    # A failure not recorded is retried when the claim expires: no need to insist as long.
    _persistently(write, seconds=30)
    if outcome == ["failed"]:
        report.failed += 1
    else:
        report.retried += 1
    report.errors.append(error)


def deliver_due(
    now: datetime,
    *,
    connect: Callable[[], smtplib.SMTP] | None = None,
    limit: int = 200,
    should_stop: Callable[[], bool] | None = None,
) -> DeliveryReport:
    """Send every due message once; failures are retried later with back-off.

    ``should_stop`` is asked before each message (the mail worker's SIGTERM): a message being
    sent is always sent and recorded first."""
    report = DeliveryReport()
    if not mail_configured() and connect is None:
        return report
    config = current_app.config
    sender = config.get("MAIL_DEFAULT_SENDER") or "meetingapp@localhost"
    connect = connect or (lambda: smtp_connection(config))
    smtp = None
    try:
        for message_id in _all_due(now, limit):
            if should_stop is not None and should_stop():
                break
            if not _claim(message_id, now):
                continue  # another process took it
            email = build_email(db.session.get(OutboxMessage, message_id), sender)
            db.session.rollback()  # no transaction stays open while we talk to the server
            try:
                if smtp is None:
                    smtp = connect()
                smtp.send_message(email)
            except (OSError, smtplib.SMTPException) as exc:
                smtp = None
                _record_failure(message_id, now, f"{type(exc).__name__}: {exc}"[:1000], report)
            else:
                _record_sent(message_id, now)
                report.sent += 1
    finally:
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass
    return report


_kick_lock = threading.Lock()
_kicked = threading.Event()


def drain_in_background(app: Flask) -> None:
    """Deliver due messages in a daemon thread, one thread at a time per process; a kick that
    arrives while it runs makes it look again before it stops. Not with ``MAIL_DELIVERY =
    "worker"``: then ``flask mail worker`` delivers (any other value keeps the thread, so a
    typo never leaves mail unsent; a worker running beside it is safe, claims decide)."""
    if app.config.get("MAIL_DELIVERY") == "worker":
        return
    _kicked.set()
    if not _kick_lock.acquire(blocking=False):
        return

    def run():
        try:
            with app.app_context():
                while _kicked.is_set():
                    _kicked.clear()
                    deliver_due(clock.now())
                    db.session.remove()
        except Exception:  # noqa: BLE001 - a background sender must never crash the worker
            app.logger.exception("background mail delivery failed")
        finally:
            _kick_lock.release()
            if _kicked.is_set():  # kicked between the last look and the release
                drain_in_background(app)

    threading.Thread(target=run, name="meetingapp-mailer", daemon=True).start()
