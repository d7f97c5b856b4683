"""Delivering the outbox after commit: claim, send, record each attempt, retry with back-off.

A message is claimed by a conditional UPDATE (only one process wins it), sent, then marked sent in
its own transaction. A crash between claim and send leaves it claimed until the claim expires, and
the next run sends it. Each message keeps one Message-ID across retries.
"""

from __future__ import annotations

import smtplib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from flask import Flask, current_app
from sqlalchemy import or_, select, update

from meetingapp.extensions import db
from meetingapp.models import DeliveryAttempt, OutboxMessage

MAX_ATTEMPTS = 8
CLAIM_SECONDS = 600


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


def _claim(message_id: int, now: datetime) -> bool:
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            or_(OutboxMessage.status == "pending", OutboxMessage.status == "sending"),
            OutboxMessage.next_attempt_at <= now,
        )
        .values(status="sending", next_attempt_at=now + timedelta(seconds=CLAIM_SECONDS))
    )
    db.session.commit()
    return result.rowcount == 1


def deliver_due(
    now: datetime, *, connect: Callable[[], smtplib.SMTP] | None = None, limit: int = 200
) -> DeliveryReport:
    """Send every due message once; failures are retried later with back-off."""
    report = DeliveryReport()
    if not mail_configured() and connect is None:
        return report
    config = current_app.config
    sender = config.get("MAIL_DEFAULT_SENDER") or "meetingapp@localhost"
    connect = connect or (lambda: smtp_connection(config))
    smtp = None
    try:
        for message_id in _due_ids(now, limit):
            if not _claim(message_id, now):
                continue  # another process took it
            message = db.session.get(OutboxMessage, message_id)
            try:
                if smtp is None:
                    smtp = connect()
                smtp.send_message(build_email(message, sender))
            except (OSError, smtplib.SMTPException) as exc:
                smtp = None
                message.attempts += 1
                message.last_error = f"{type(exc).__name__}: {exc}"[:1000]
                db.session.add(
                    DeliveryAttempt(
                        message_id=message.id, at=now, ok=False, error=message.last_error
                    )
                )
                if message.attempts >= MAX_ATTEMPTS:
                    message.status = "failed"
                    report.failed += 1
                else:
                    message.status = "pending"
                    message.next_attempt_at = now + backoff(message.attempts)
                    report.retried += 1
                report.errors.append(message.last_error)
            else:
                message.attempts += 1
                message.status = "sent"
                message.sent_at = now
                message.last_error = ""
                db.session.add(DeliveryAttempt(message_id=message.id, at=now, ok=True))
                report.sent += 1
            db.session.commit()
    finally:
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass
    return report


_kick_lock = threading.Lock()


def drain_in_background(app: Flask) -> None:
    """Deliver due messages in a daemon thread, at most one at a time per process."""
    if not _kick_lock.acquire(blocking=False):
        return

    def run():
        from datetime import UTC

        try:
            with app.app_context():
                deliver_due(datetime.now(UTC))
                db.session.remove()
        except Exception:  # noqa: BLE001 - a background sender must never crash the worker
            app.logger.exception("background mail delivery failed")
        finally:
            _kick_lock.release()

    threading.Thread(target=run, name="meetingapp-mailer", daemon=True).start()
