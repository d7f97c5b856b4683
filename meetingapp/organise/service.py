"""Organisers' use cases for events: create, edit, publish, cancel or delete.

Sessions and topic tables are in ``sessions.py``; copying an edition in ``cloning.py``. Each use
case is one unit of work and takes the acting organiser and the time as arguments.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from meetingapp.domain import retention as rules_retention
from meetingapp.domain import scheduling as rules
from meetingapp.domain.errors import NotFound, PermissionDenied, ValidationFailed
from meetingapp.domain.i18n import _
from meetingapp.domain.timezones import utc_to_local, zone
from meetingapp.domain.visibility import can_manage
from meetingapp.extensions import db
from meetingapp.mail import service as mail
from meetingapp.mail.notices import RESTORED, cancelled_notice, notice
from meetingapp.models import Event, Notification, RegistrationStatus, User
from meetingapp.models.audit import record_audit
from meetingapp.organise.mappers import EventData
from meetingapp.registration.queries import (
    active_registrations_of_event,
    registration_count_of_event,
)
from meetingapp.uow import unit_of_work

DOUBLE_SUBMIT_WINDOW = timedelta(minutes=10)


def require_organiser(actor: User | None) -> None:
    if not can_manage(actor):
        raise PermissionDenied(_("Only organisers can do this."))


def event_for_organiser(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None:
        raise NotFound(_("There is no such event."))
    return event


def _apply_event(event: Event, data: EventData) -> None:
    # An empty zone keeps the event's own, or follows the city for a new event.
    tz = data.timezone.strip() or event.timezone or rules.zone_for_city(data.city) or ""
    if not tz:
        raise ValidationFailed(
            _("Choose the event's time zone (for example Europe/Vienna)."), field="timezone"
        )
    zone(tz)
    rules.check_event_dates(data.starts_on, data.ends_on)
    if event.id is not None and (event.starts_on, event.ends_on) != (data.starts_on, data.ends_on):
        outside = [
            s.title
            for s in event.sessions
            if not (data.starts_on <= utc_to_local(s.starts_at, tz).date() <= data.ends_on)
        ]
        if outside:
            raise ValidationFailed(
                _("“%(title)s” would fall outside the new dates; move it first.", title=outside[0]),
                field="starts_on",
            )
    event.title = data.title.strip()
    event.city = data.city.strip()
    event.venue = data.venue.strip()
    event.timezone = tz
    event.starts_on = data.starts_on
    event.ends_on = data.ends_on
    event.description = data.description.strip()
    event.translations = data.translations
    event.organisation_id = data.organisation_id
    event.co_organisers = data.co_organisers.strip()
    rules_retention.check_retention_months(data.retention_months)
    event.retention_months = data.retention_months
    event.overlap_policy = data.overlap_policy


def create_event(data: EventData, *, actor: User, now: datetime) -> Event:
    """A new, unpublished event (published at once when ``data.published``)."""
    require_organiser(actor)
    with unit_of_work():
        event = Event(created_by_id=actor.id, published=False, created_at=now, updated_at=now)
        _apply_event(event, data)
        twin = recent_twin_event(actor, event.title, event.starts_on, now, city=event.city)
        if twin is not None:
            return twin  # a double submission of the same form creates nothing twice
        db.session.add(event)
        db.session.flush()
        record_audit(
            event_id=event.id, actor=actor, now=now, action="event created", target=event.title
        )
        if data.published:
            _publish(event, True, actor, now)
    return event


def recent_twin_event(
    actor: User, title: str, starts_on: date, now: datetime, *, city: str | None = None
) -> Event | None:
    """The same organiser's event with the same title and dates created moments ago, if any."""
    stmt = select(Event).where(
        Event.created_by_id == actor.id,
        Event.title == title.strip(),
        Event.starts_on == starts_on,
        Event.cancelled_at.is_(None),
        Event.created_at >= now - DOUBLE_SUBMIT_WINDOW,
    )
    if city is not None:
        stmt = stmt.where(Event.city == city)
    return db.session.scalar(stmt.limit(1))


def update_event(event_id: int, data: EventData, *, actor: User, now: datetime) -> Event:
    """Change an event; ``data.published`` (when not None) publishes or unpublishes it too."""
    require_organiser(actor)
    with unit_of_work():
        event = event_for_organiser(event_id)
        if event.timezone != (data.timezone.strip() or event.timezone) and event.sessions:
            raise ValidationFailed(
                _("The time zone cannot change once sessions are scheduled."), field="timezone"
            )
        _apply_event(event, data)
        record_audit(
            event_id=event.id, actor=actor, now=now, action="event edited", target=event.title
        )
        if data.published is not None and data.published != event.published:
            _publish(event, data.published, actor, now)
    return event


def _publish(event: Event, published: bool, actor: User, now: datetime) -> None:
    event.published = published
    record_audit(
        event_id=event.id,
        actor=actor,
        now=now,
        action="event published" if published else "event unpublished",
        target=event.title,
    )


def set_published(event_id: int, published: bool, *, actor: User, now: datetime) -> Event:
    require_organiser(actor)
    with unit_of_work():
        event = event_for_organiser(event_id)
        _publish(event, published, actor, now)
    return event


@dataclass(frozen=True)
class EventRemoval:
    """What deleting or cancelling an event will do (the confirmation page says it)."""

    deletes: bool  # nobody ever registered: the event goes entirely
    people: int  # people holding a seat or waiting, who are told
    sessions: int


def removal_of_event(event_id: int) -> EventRemoval:
    event = event_for_organiser(event_id)
    people = {r.user_id for r in active_registrations_of_event(event.id)}
    return EventRemoval(
        deletes=not registration_count_of_event(event.id),
        people=len(people),
        sessions=len([s for s in event.sessions if s.parent_id is None]),
    )


def delete_or_cancel_event(event_id: int, *, actor: User, now: datetime, note: str = "") -> str:
    """Delete an event nobody registered for; otherwise cancel it, keep the data and tell the
    people registered (mail with a calendar cancellation and ``note``, and an in-app notice)."""
    require_organiser(actor)
    with unit_of_work():
        event = event_for_organiser(event_id)
        if not registration_count_of_event(event.id):
            record_audit(
                event_id=None,
                actor=actor,
                action="event deleted",
                target=event.title,
                detail=f"event {event.id}",
                now=now,
            )
            db.session.delete(event)
            return "deleted"
        if event.cancelled_at is not None:
            return "cancelled"
        event.cancelled_at = now
        record_audit(
            event_id=event.id, actor=actor, action="event cancelled", target=event.title, now=now
        )
        notified = set()
        for reg in active_registrations_of_event(event.id):
            if reg.status == RegistrationStatus.CONFIRMED and reg.session.cancelled_at is None:
                mail.session_cancelled_message(
                    user=reg.user, session=reg.session, now=now, note=note.strip()
                )
            if reg.user_id not in notified:
                notified.add(reg.user_id)
                db.session.add(
                    Notification(
                        user_id=reg.user_id,
                        created_at=now,
                        message=cancelled_notice(event.title, note),
                    )
                )
    return "cancelled"


def restore_event(event_id: int, *, actor: User, now: datetime) -> int:
    """Undo a cancellation: the event is on again, registrations stand as they were, and the
    people confirmed get their invitation back. Returns how many people were told."""
    require_organiser(actor)
    with unit_of_work():
        event = event_for_organiser(event_id)
        if event.cancelled_at is None:
            raise ValidationFailed(_("The event is not cancelled."))
        event.cancelled_at = None
        record_audit(
            event_id=event.id, actor=actor, action="event restored", target=event.title, now=now
        )
        told = set()
        for reg in active_registrations_of_event(event.id):
            if reg.status == RegistrationStatus.CONFIRMED and reg.session.cancelled_at is None:
                mail.event_restored_message(user=reg.user, session=reg.session, now=now)
            if reg.user_id not in told:
                told.add(reg.user_id)
                db.session.add(
                    Notification(
                        user_id=reg.user_id,
                        created_at=now,
                        message=notice(RESTORED, title=event.title),
                    )
                )
    return len(told)
