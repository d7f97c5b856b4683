"""Named reads of the data-protection use cases."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select, union

from meetingapp.domain.retention import is_expired
from meetingapp.extensions import db
from meetingapp.models import (
    CheckIn,
    Event,
    EventSession,
    Registration,
    RegistrationStatus,
    Role,
    User,
)


def expired_event_ids(today: date) -> set[int]:
    """Every event past its retention period (purged already or not)."""
    rows = db.session.execute(select(Event.id, Event.ends_on, Event.retention_months))
    return {i for i, ends_on, months in rows if is_expired(ends_on, months, today)}


def events_to_purge(today: date) -> list[Event]:
    """Events past their retention whose participants were not purged yet, oldest first."""
    expired = expired_event_ids(today)
    if not expired:
        return []
    return list(
        db.session.scalars(
            select(Event)
            .where(Event.id.in_(expired), Event.personal_data_purged_at.is_(None))
            .order_by(Event.ends_on, Event.id)
        )
    )


def _people_by_event():
    """(user id, event id) of every registration and check-in."""
    return union(
        select(Registration.user_id, EventSession.event_id).join(
            EventSession, EventSession.id == Registration.session_id
        ),
        select(CheckIn.user_id, EventSession.event_id).join(
            EventSession, EventSession.id == CheckIn.session_id
        ),
    ).subquery()


def participants_to_anonymise(expired: set[int]) -> list[User]:
    """Participants (not organisers, not anonymised yet) whose every registration and
    check-in belongs to an expired event: their last event's retention is over."""
    if not expired:
        return []
    links = _people_by_event()
    in_expired = select(links.c.user_id).where(links.c.event_id.in_(expired))
    in_live = select(links.c.user_id).where(links.c.event_id.not_in(expired))
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.id.in_(in_expired),
                User.id.not_in(in_live),
                User.role == Role.PARTICIPANT,
                User.anonymised_at.is_(None),
            )
            .order_by(User.id)
        )
    )


def withdrawable_registrations(user_id: int, now: datetime) -> list[Registration]:
    """The person's seats and waitlist places in sessions not started yet, of published events,
    not cancelled: deleting the account withdraws them (and the waitlist moves up)."""
    regs = db.session.scalars(
        select(Registration)
        .join(EventSession, EventSession.id == Registration.session_id)
        .where(
            Registration.user_id == user_id,
            Registration.status != RegistrationStatus.CANCELLED,
            EventSession.starts_at > now,
        )
        .order_by(EventSession.starts_at)
    )
    return [r for r in regs if r.session.event.published and not r.session.is_cancelled]
