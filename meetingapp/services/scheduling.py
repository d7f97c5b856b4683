"""Organisers' use cases for events, sessions, training-day parts and topic tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from meetingapp.domain import scheduling as rules
from meetingapp.domain.capacity import check_new_capacity
from meetingapp.domain.errors import NotFound, ValidationFailed
from meetingapp.domain.i18n import _
from meetingapp.domain.networking import check_rounds_fit, round_times
from meetingapp.domain.timezones import local_to_utc, utc_to_local, zone
from meetingapp.extensions import db
from meetingapp.models import (
    AgendaItem,
    Event,
    EventSession,
    NetworkingRound,
    Notification,
    Registration,
    RegistrationStatus,
    SessionKind,
    TopicTable,
    User,
)
from meetingapp.orm import utcnow
from meetingapp.services import audit, mail
from meetingapp.services.notices import CANCELLED, notice


@dataclass
class EventData:
    title: str
    city: str
    venue: str
    timezone: str
    starts_on: date
    ends_on: date
    description: str = ""
    organisation_id: int | None = None
    co_organisers: str = ""


@dataclass
class SessionData:
    kind: SessionKind
    title: str
    day: date
    start_time: time
    end_time: time
    description: str = ""
    room: str = ""
    capacity: int | None = None
    registration_opens: datetime | None = None  # local, naive
    registration_closes: datetime | None = None  # local, naive
    lead_organisation_id: int | None = None
    chair: str = ""
    agenda: list[str] = field(default_factory=list)
    round_count: int | None = None
    round_minutes: int | None = None
    move_minutes: int | None = None
    min_tables: int | None = None
    max_picks: int | None = None
    picks_deadline: datetime | None = None  # local, naive


@dataclass
class TableData:
    code: str
    topic: str
    host_organisation_id: int | None
    host_label: str = ""
    host_user_id: int | None = None
    seats: int = 8
    min_seats: int = 0


# --- events ----------------------------------------------------------------------------------


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
    event.organisation_id = data.organisation_id
    event.co_organisers = data.co_organisers.strip()


def create_event(data: EventData, *, actor: User) -> Event:
    event = Event(created_by_id=actor.id, published=False)
    _apply_event(event, data)
    twin = recent_twin_event(actor, event.title, event.starts_on, city=event.city)
    if twin is not None:
        return twin  # a double submission of the same form creates nothing twice
    db.session.add(event)
    db.session.flush()
    audit.record(event_id=event.id, actor=actor, action="event created", target=event.title)
    db.session.commit()
    return event


DOUBLE_SUBMIT_WINDOW = timedelta(minutes=10)


def recent_twin_event(
    actor: User, title: str, starts_on: date, *, city: str | None = None
) -> Event | None:
    """The same organiser's event with the same title and dates created moments ago, if any."""
    stmt = select(Event).where(
        Event.created_by_id == actor.id,
        Event.title == title.strip(),
        Event.starts_on == starts_on,
        Event.cancelled_at.is_(None),
        Event.created_at >= utcnow() - DOUBLE_SUBMIT_WINDOW,
    )
    if city is not None:
        stmt = stmt.where(Event.city == city)
    return db.session.scalar(stmt.limit(1))


def update_event(event_id: int, data: EventData, *, actor: User) -> Event:
    event = _event(event_id)
    if event.timezone != (data.timezone.strip() or event.timezone) and event.sessions:
        raise ValidationFailed(
            _("The time zone cannot change once sessions are scheduled."), field="timezone"
        )
    _apply_event(event, data)
    audit.record(event_id=event.id, actor=actor, action="event edited", target=event.title)
    db.session.commit()
    return event


def set_published(event_id: int, published: bool, *, actor: User) -> Event:
    event = _event(event_id)
    event.published = published
    audit.record(
        event_id=event.id,
        actor=actor,
        action="event published" if published else "event unpublished",
        target=event.title,
    )
    db.session.commit()
    return event


def _active_registrations_of(event: Event) -> list[Registration]:
    ids = [s.id for s in event.sessions]
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(Registration).where(
                Registration.session_id.in_(ids),
                Registration.status != RegistrationStatus.CANCELLED,
            )
        )
    )


def delete_or_cancel_event(event_id: int, *, actor: User, now: datetime) -> str:
    """Delete an event nobody registered for; otherwise cancel it, keep the data and notify."""
    event = _event(event_id)
    any_registration = db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .join(EventSession)
        .where(EventSession.event_id == event.id)
    )
    if not any_registration:
        audit.record(
            event_id=None,
            actor=actor,
            action="event deleted",
            target=event.title,
            detail=f"event {event.id}",
            now=now,
        )
        db.session.delete(event)
        db.session.commit()
        return "deleted"
    event.cancelled_at = now
    audit.record(
        event_id=event.id, actor=actor, action="event cancelled", target=event.title, now=now
    )
    notified = set()
    for reg in _active_registrations_of(event):
        if reg.status == RegistrationStatus.CONFIRMED:
            mail.session_cancelled_message(user=reg.user, session=reg.session, now=now)
        if reg.user_id not in notified:
            notified.add(reg.user_id)
            db.session.add(
                Notification(
                    user_id=reg.user_id,
                    created_at=now,
                    message=notice(CANCELLED, title=event.title),
                )
            )
    db.session.commit()
    return "cancelled"


def _confirmed_registrations(session_id: int) -> list[Registration]:
    return list(
        db.session.scalars(
            select(Registration).where(
                Registration.session_id == session_id,
                Registration.status == RegistrationStatus.CONFIRMED,
            )
        )
    )


def _event(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None:
        raise NotFound(_("There is no such event."))
    return event


def _session(session_id: int) -> EventSession:
    session = db.session.get(EventSession, session_id)
    if session is None:
        raise NotFound(_("There is no such session."))
    return session


# --- sessions --------------------------------------------------------------------------------


def _bookings(
    event: Event, session: EventSession | None, parent: EventSession | None
) -> list[rules.Booking]:
    """Other sessions in rooms at the same venue (any event there), for the double-booking rule.

    A training day and its own parts share a room legitimately; two parts overlapping do not.
    """
    stmt = (
        select(EventSession)
        .join(Event)
        .where(
            Event.city == event.city,
            Event.venue == event.venue,
            EventSession.room != "",
            EventSession.kind != SessionKind.BREAK,
            EventSession.cancelled_at.is_(None),
            Event.cancelled_at.is_(None),
        )
    )
    own_id = session.id if session is not None else None
    bookings = []
    for other in db.session.scalars(stmt):
        if own_id is not None and other.id == own_id:
            continue
        related = (own_id is not None and other.parent_id == own_id) or (
            parent is not None and other.id == parent.id
        )
        bookings.append(
            rules.Booking(
                other.id, other.title, other.room, other.starts_at, other.ends_at, related
            )
        )
    return bookings


def _apply_session(
    session: EventSession, event: Event, data: SessionData, parent: EventSession | None
) -> bool:
    """Validate and copy the data; returns True if rounds or times changed."""
    tz = event.timezone
    if not data.title.strip():
        raise ValidationFailed(_("Give the session a title."), field="title")
    starts_at = local_to_utc(datetime.combine(data.day, data.start_time), tz)
    ends_at = local_to_utc(datetime.combine(data.day, data.end_time), tz)
    rules.check_slot(starts_at, ends_at, data.day, data.day, event.starts_on, event.ends_on)
    if parent is not None:
        rules.check_inside_parent(starts_at, ends_at, parent.starts_at, parent.ends_at)
    if data.kind != SessionKind.BREAK:
        own = session if session.id is not None else None
        rules.check_room_free(data.room, starts_at, ends_at, _bookings(event, own, parent))
    if data.capacity is not None and data.capacity < 1:
        raise ValidationFailed(
            _("Capacity must be at least 1 (leave it empty for no limit)."), field="capacity"
        )
    if session.id is not None and data.capacity != session.capacity:
        from meetingapp.services.registrations import confirmed_count

        check_new_capacity(data.capacity, confirmed_count(session.id))
    opens = local_to_utc(data.registration_opens, tz) if data.registration_opens else None
    closes = local_to_utc(data.registration_closes, tz) if data.registration_closes else None
    if opens and closes and closes <= opens:
        raise ValidationFailed(
            _("Registration must close after it opens."), field="registration_closes"
        )
    if closes and closes > ends_at:
        raise ValidationFailed(
            _("Registration cannot close after the session ends."), field="registration_closes"
        )
    timing_changed = session.id is not None and (
        session.starts_at != starts_at
        or session.ends_at != ends_at
        or session.round_count != data.round_count
        or session.round_minutes != data.round_minutes
        or session.move_minutes != data.move_minutes
    )
    if data.kind == SessionKind.SPEED_NETWORKING:
        rounds = data.round_count or 0
        minutes = data.round_minutes or 0
        move = data.move_minutes if data.move_minutes is not None else 0
        min_tables = data.min_tables or 3
        check_rounds_fit(
            starts_at,
            ends_at,
            rounds,
            minutes,
            move,
            min_tables,
            len(session.tables) if session.id is not None else None,
        )
        if data.max_picks is not None and data.max_picks < 1:
            raise ValidationFailed(
                _("Participants must be able to pick at least one table."), field="max_picks"
            )
        deadline = local_to_utc(data.picks_deadline, tz) if data.picks_deadline else starts_at
        if deadline > starts_at:
            raise ValidationFailed(
                _("The picks deadline must be before the session starts."), field="picks_deadline"
            )
        session.round_count, session.round_minutes, session.move_minutes = rounds, minutes, move
        session.min_tables, session.max_picks = min_tables, data.max_picks or 5
        session.picks_deadline = deadline
        _set_rounds(session, round_times(starts_at, rounds, minutes, move))
    elif session.rounds:
        _set_rounds(session, [])
    if session.id is not None and (
        session.starts_at != starts_at
        or session.ends_at != ends_at
        or session.room != data.room.strip()
    ):
        session.sequence = (session.sequence or 0) + 1  # calendars update instead of duplicating
    session.kind = data.kind
    session.title = data.title.strip()
    session.description = data.description.strip()
    session.room = data.room.strip()
    session.starts_at, session.ends_at = starts_at, ends_at
    session.capacity = data.capacity if data.kind != SessionKind.BREAK else None
    session.registration_opens_at, session.registration_closes_at = opens, closes
    session.lead_organisation_id = data.lead_organisation_id
    session.chair = data.chair.strip()
    session.agenda_items = [
        AgendaItem(position=i, title=item[:300])
        for i, item in enumerate([a.strip() for a in data.agenda if a.strip()], start=1)
    ]
    return timing_changed


def _set_rounds(session: EventSession, times: list[tuple[datetime, datetime]]) -> None:
    """Update round rows in place (their numbers are unique per session), add or drop the rest."""
    existing = sorted(session.rounds, key=lambda r: r.number)
    for n, (start, end) in enumerate(times):
        if n < len(existing):
            existing[n].starts_at, existing[n].ends_at = start, end
        else:
            session.rounds.append(NetworkingRound(number=n, starts_at=start, ends_at=end))
    for surplus in existing[len(times) :]:
        session.rounds.remove(surplus)


def create_session(
    event_id: int, data: SessionData, *, actor: User, parent_id: int | None = None
) -> EventSession:
    event = _event(event_id)
    parent = None
    if parent_id is not None:
        parent = _session(parent_id)
        if parent.kind != SessionKind.TRAINING or parent.event_id != event.id:
            raise ValidationFailed(
                _("Sessions can only be added inside a training day."), field="kind"
            )
        data.kind = SessionKind.PART
    elif data.kind == SessionKind.PART:
        raise ValidationFailed(_("A training session belongs inside a training day."), field="kind")
    position = (
        len(parent.parts) if parent else len([s for s in event.sessions if s.parent_id is None])
    )
    session = EventSession(
        event=event,
        parent=parent,
        position=position,
        kind=data.kind,
        title="",
        starts_at=event.created_at,
        ends_at=event.created_at,
    )
    db.session.add(session)
    try:
        with db.session.no_autoflush:
            _apply_session(session, event, data, parent)
            twin = db.session.scalar(
                select(EventSession).where(
                    EventSession.event_id == event.id,
                    EventSession.kind == session.kind,
                    (EventSession.parent_id == parent.id)
                    if parent
                    else EventSession.parent_id.is_(None),
                    EventSession.title == session.title,
                    EventSession.starts_at == session.starts_at,
                    EventSession.ends_at == session.ends_at,
                    EventSession.cancelled_at.is_(None),
                )
            )
    except Exception:
        db.session.rollback()
        raise
    if twin is not None:
        db.session.rollback()  # the same form posted twice: keep the first session only
        return twin
    audit.record(event_id=event.id, actor=actor, action="session added", target=session.title)
    db.session.commit()
    return session


def update_session(session_id: int, data: SessionData, *, actor: User) -> tuple[EventSession, bool]:
    """Returns (session, timing_changed) — the caller warns when a rotation must be re-planned."""
    session = _session(session_id)
    sequence_before = session.sequence or 0
    old_capacity = session.capacity
    if session.parent_id is not None:
        data.kind = SessionKind.PART
    elif data.kind == SessionKind.PART:
        raise ValidationFailed(_("A training session belongs inside a training day."), field="kind")
    if session.kind != data.kind and session.kind == SessionKind.TRAINING and session.parts:
        raise ValidationFailed(
            _("Remove the training day's sessions before changing its kind."), field="kind"
        )
    try:
        with db.session.no_autoflush:
            changed = _apply_session(session, session.event, data, session.parent)
    except Exception:
        db.session.rollback()
        raise
    audit.record(
        event_id=session.event_id,
        actor=actor,
        action="session edited",
        target=session.title,
        detail="time or rounds changed" if changed else "",
    )
    if (session.sequence or 0) != sequence_before:
        notified = session.parent or session  # people register for the training day as a whole
        now = session.updated_at or session.created_at
        for reg in _confirmed_registrations(notified.id):
            mail.session_changed_message(user=reg.user, session=notified, now=now)
    db.session.commit()
    if old_capacity is not None and (data.capacity is None or data.capacity > old_capacity):
        # More seats: promote from the waitlist under the seat lock, as the roster page does.
        from meetingapp.services.registrations import change_capacity

        change_capacity(
            session_id=session.id,
            new_capacity=data.capacity,
            now=session.updated_at or session.created_at,
            actor=actor,
        )
    return session, changed


def delete_session(session_id: int, *, actor: User, now: datetime) -> str:
    """Delete a session nobody registered for; otherwise cancel it and notify the registrants."""
    session = _session(session_id)
    regs = list(
        db.session.scalars(select(Registration).where(Registration.session_id == session.id))
    )
    if not regs:
        audit.record(
            event_id=session.event_id,
            actor=actor,
            action="session deleted",
            target=session.title,
            now=now,
        )
        db.session.delete(session)
        db.session.commit()
        return "deleted"
    session.cancelled_at = now
    audit.record(
        event_id=session.event_id,
        actor=actor,
        action="session cancelled",
        target=session.title,
        now=now,
    )
    for reg in regs:
        if reg.status != RegistrationStatus.CANCELLED:
            db.session.add(
                Notification(
                    user_id=reg.user_id,
                    created_at=now,
                    message=notice(CANCELLED, title=session.title),
                )
            )
            if reg.status == RegistrationStatus.CONFIRMED:
                mail.session_cancelled_message(user=reg.user, session=session, now=now)
    db.session.commit()
    return "cancelled"


def session_form_values(session: EventSession) -> dict:
    """The session's stored values as local wall-clock form data."""
    tz = session.event.timezone

    def local(dt):
        return utc_to_local(dt, tz).replace(tzinfo=None) if dt else None

    start, end = local(session.starts_at), local(session.ends_at)
    return {
        "kind": session.kind.value,
        "title": session.title,
        "description": session.description,
        "room": session.room,
        "day": start.date(),
        "start_time": start.time(),
        "end_time": end.time(),
        "capacity": session.capacity,
        "registration_opens": local(session.registration_opens_at),
        "registration_closes": local(session.registration_closes_at),
        "lead_organisation": session.lead_organisation_id or 0,
        "chair": session.chair,
        "agenda": "\n".join(a.title for a in session.agenda_items),
        "round_count": session.round_count,
        "round_minutes": session.round_minutes,
        "move_minutes": session.move_minutes,
        "min_tables": session.min_tables,
        "max_picks": session.max_picks,
        "picks_deadline": local(session.picks_deadline),
    }


# --- topic tables ----------------------------------------------------------------------------


def _apply_table(table: TopicTable, session: EventSession, data: TableData) -> None:
    code = data.code.strip().lower()
    if not code:
        raise ValidationFailed(_("Give the table a short code such as “a”."), field="code")
    if any(t.code == code and t.id != table.id for t in session.tables):
        raise ValidationFailed(
            _("Table %(code)s already exists in this session.", code=code), field="code"
        )
    if not data.topic.strip():
        raise ValidationFailed(_("Give the table a topic."), field="topic")
    rules.check_seats(data.seats, data.min_seats)
    table.code, table.topic = code, data.topic.strip()
    table.host_organisation_id = data.host_organisation_id
    table.host_label = data.host_label.strip()
    table.host_user_id = data.host_user_id
    table.seats, table.min_seats = data.seats, data.min_seats


def add_table(session_id: int, data: TableData, *, actor: User) -> TopicTable:
    session = _session(session_id)
    if session.kind != SessionKind.SPEED_NETWORKING:
        raise ValidationFailed(_("Topic tables belong to speed-networking sessions."), field="code")
    table = TopicTable(session_id=session.id)
    _apply_table(table, session, data)
    db.session.add(table)
    audit.record(
        event_id=session.event_id,
        actor=actor,
        action="table added",
        target=f"{session.title}: table {table.code}",
    )
    db.session.commit()
    return table


def update_table(table_id: int, data: TableData, *, actor: User) -> TopicTable:
    table = db.session.get(TopicTable, table_id)
    if table is None:
        raise NotFound(_("There is no such table."))
    _apply_table(table, table.session, data)
    audit.record(
        event_id=table.session.event_id,
        actor=actor,
        action="table edited",
        target=f"{table.session.title}: table {table.code}",
    )
    db.session.commit()
    return table


def delete_table(table_id: int, *, actor: User) -> EventSession:
    table = db.session.get(TopicTable, table_id)
    if table is None:
        raise NotFound(_("There is no such table."))
    session = table.session
    remaining = len(session.tables) - 1
    if session.min_tables and len(session.tables) >= session.min_tables > remaining:
        raise ValidationFailed(
            _(
                "Participants must reach %(count)s distinct tables: "
                "keep at least %(count)s tables.",
                count=session.min_tables,
            ),
            field="code",
        )
    audit.record(
        event_id=session.event_id,
        actor=actor,
        action="table deleted",
        target=f"{session.title}: table {table.code}",
    )
    db.session.delete(table)
    db.session.commit()
    return session


def has_rotation(session_id: int) -> bool:
    """Whether a rotation has been planned for this session."""
    from meetingapp.models.rotation import RotationPlan

    return (
        db.session.scalar(
            select(func.count())
            .select_from(RotationPlan)
            .where(RotationPlan.session_id == session_id)
        )
        > 0
    )
