"""The day-before reminder, queued by ``flask mail reminders`` (run it from cron, e.g. hourly)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from meetingapp.domain.timezones import utc_to_local
from meetingapp.extensions import db
from meetingapp.mail import service as mail
from meetingapp.models import Event, EventSession, OutboxMessage, Registration, RegistrationStatus
from meetingapp.uow import unit_of_work


def queue_reminders(now: datetime) -> int:
    """One reminder per person and session starting tomorrow in the event's zone; never twice."""
    window = (now, now + timedelta(hours=48))
    with unit_of_work():
        return _queue(now, window)


def _queue(now: datetime, window: tuple[datetime, datetime]) -> int:
    sessions = db.session.scalars(
        select(EventSession)
        .join(Event, Event.id == EventSession.event_id)
        .where(
            EventSession.starts_at > window[0],
            EventSession.starts_at <= window[1],
            EventSession.parent_id.is_(None),
            EventSession.cancelled_at.is_(None),
            Event.cancelled_at.is_(None),
            Event.published.is_(True),
        )
        .options(selectinload(EventSession.event))
    )
    queued = 0
    for session in sessions:
        tz = session.event.timezone
        if utc_to_local(session.starts_at, tz).date() != utc_to_local(now, tz).date() + timedelta(
            days=1
        ):
            continue
        regs = db.session.scalars(
            select(Registration)
            .where(
                Registration.session_id == session.id,
                Registration.status == RegistrationStatus.CONFIRMED,
            )
            .options(selectinload(Registration.user))
        )
        for reg in regs:
            key = f"<reminder-{session.id}-{reg.user_id}@meetingapp>"
            if db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.message_id == key)):
                continue
            if mail.reminder_message(user=reg.user, session=session, now=now) is not None:
                queued += 1
    return queued
