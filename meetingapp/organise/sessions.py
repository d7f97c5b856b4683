"""Organisers' use cases for sessions, training-day parts and topic tables.

A session's capacity changes only through ``registration.service.change_capacity``, called here
inside the same unit of work (which declares the seat lock when it opens), so a capacity raise
and its promotions, and the edit that caused them, are one transaction with one audit line each.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from meetingapp.domain import scheduling as rules
from meetingapp.domain.errors import NotFound, ValidationFailed
from meetingapp.domain.i18n import _, _n
from meetingapp.domain.networking import check_rounds_fit, round_times
from meetingapp.domain.timezones import local_to_utc
from meetingapp.extensions import db
from meetingapp.mail import service as mail
from meetingapp.mail.notices import cancelled_notice
from meetingapp.models import (
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
from meetingapp.models.audit import record_audit
from meetingapp.organise.agenda import set_agenda
from meetingapp.organise.mappers import SessionData, TableData
from meetingapp.organise.service import event_for_organiser, require_organiser
from meetingapp.registration.queries import online_confirmed_count
from meetingapp.registration.service import change_capacity
from meetingapp.uow import unit_of_work


@dataclass(frozen=True)
class SessionSaved:
    session: EventSession
    timing_changed: bool  # the rounds or times moved: a planned rotation must be re-planned


def session_for_organiser(session_id: int) -> EventSession:
    session = db.session.get(EventSession, session_id)
    if session is None:
        raise NotFound(_("There is no such session."))
    return session


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
    session: EventSession,
    event: Event,
    data: SessionData,
    parent: EventSession | None,
    now: datetime,
) -> bool:
    """Validate and copy everything but the capacity; True if the rounds or times changed."""
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
    opens = local_to_utc(data.registration_opens, tz) if data.registration_opens else None
    closes = local_to_utc(data.registration_closes, tz) if data.registration_closes else None
    if opens and opens >= starts_at:
        raise ValidationFailed(
            _("Registration must open before the session starts."), field="registration_opens"
        )
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
        # By default picks close the day before: time to plan the rotation and print the cards
        # (a session set up later than that takes picks until it starts).
        deadline = (
            local_to_utc(data.picks_deadline, tz)
            if data.picks_deadline
            else starts_at - timedelta(days=1)
        )
        if not data.picks_deadline and deadline <= now:
            deadline = starts_at
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
        or session.online_url != data.online_url  # the confirmed get the new link
    ):
        session.sequence = (session.sequence or 0) + 1  # calendars update instead of duplicating
    session.kind = data.kind
    session.title = data.title.strip()
    session.description = data.description.strip()
    session.translations = data.translations
    session.room = data.room.strip()
    session.starts_at, session.ends_at = starts_at, ends_at
    session.registration_opens_at, session.registration_closes_at = opens, closes
    session.open_seating = data.open_seating and data.kind == SessionKind.MEETING
    session.waitlist_mode = data.waitlist_mode
    session.offer_hours, session.waitlist_cap = data.offer_hours, data.waitlist_cap
    if session.online_url and not data.online_url and session.id is not None:
        _check_no_online_people(session.id)
    session.online_url, session.online_info = data.online_url, data.online_info
    session.online_capacity = data.online_capacity
    session.lead_organisation_id = data.lead_organisation_id
    session.chair = data.chair.strip()
    set_agenda(session, data.agenda)  # keeps the organiser's notes on items still there
    return timing_changed


def _check_no_online_people(session_id: int) -> None:
    """A session people attend online keeps its link: taking it away would strand them."""
    online = online_confirmed_count(session_id)
    if online:
        raise ValidationFailed(
            _n(
                "%(num)d person is registered to attend online; keep the online link "
                "(or remove their registration first).",
                "%(num)d people are registered to attend online; keep the online link "
                "(or remove their registrations first).",
                online,
            ),
            field="online_url",
        )


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
    event_id: int, data: SessionData, *, actor: User, now: datetime, parent_id: int | None = None
) -> EventSession:
    """Add a session (or, with ``parent_id``, a timed part of a training day)."""
    require_organiser(actor)
    with unit_of_work():
        event = event_for_organiser(event_id)
        parent = None
        if parent_id is not None:
            parent = db.session.get(EventSession, parent_id)
            if parent is None:
                raise ValidationFailed(
                    _("There is no training day with id %(id)s.", id=parent_id), field="parent"
                )
            if parent.kind != SessionKind.TRAINING or parent.event_id != event.id:
                raise ValidationFailed(
                    _("Sessions can only be added inside a training day."), field="kind"
                )
            data.kind = SessionKind.PART
        elif data.kind == SessionKind.PART:
            raise ValidationFailed(
                _("A training session belongs inside a training day."), field="kind"
            )
        position = (
            len(parent.parts) if parent else len([s for s in event.sessions if s.parent_id is None])
        )
        # Not attached to the event until it is known not to be a double submission.
        session = EventSession(
            event_id=event.id,
            parent_id=parent.id if parent else None,
            position=position,
            kind=data.kind,
            title="",
            starts_at=now,
            ends_at=now,
            created_at=now,
            updated_at=now,
        )
        with db.session.no_autoflush:
            _apply_session(session, event, data, parent, now)
            # A new session starts with its capacity; later changes go through change_capacity.
            session.capacity = data.capacity if data.kind != SessionKind.BREAK else None
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
        if twin is not None:
            return twin  # the same form posted twice: keep the first session only
        db.session.add(session)
        record_audit(
            event_id=event.id, actor=actor, now=now, action="session added", target=session.title
        )
    return session


def update_session(
    session_id: int, data: SessionData, *, actor: User, now: datetime
) -> SessionSaved:
    """Change a session. A new capacity goes through ``change_capacity`` (promoting from the
    waitlist when it grows); confirmed people are told of a new time or room."""
    require_organiser(actor)
    with unit_of_work(lock_session=session_id):
        session = session_for_organiser(session_id)
        sequence_before = session.sequence or 0
        if session.parent_id is not None:
            data.kind = SessionKind.PART
        elif data.kind == SessionKind.PART:
            raise ValidationFailed(
                _("A training session belongs inside a training day."), field="kind"
            )
        if session.kind != data.kind and session.kind == SessionKind.TRAINING and session.parts:
            raise ValidationFailed(
                _("Remove the training day's sessions before changing its kind."), field="kind"
            )
        with db.session.no_autoflush:
            changed = _apply_session(session, session.event, data, session.parent, now)
        session.updated_at = now
        record_audit(
            event_id=session.event_id,
            actor=actor,
            now=now,
            action="session edited",
            target=session.title,
            detail="time or rounds changed" if changed else "",
        )
        new_capacity = data.capacity if data.kind != SessionKind.BREAK else None
        if new_capacity != session.capacity:
            change_capacity(session_id=session.id, new_capacity=new_capacity, now=now, actor=actor)
        if (session.sequence or 0) != sequence_before:
            notified = session.parent or session  # people register for the training day as a whole
            for reg in _confirmed(notified.id):
                mail.session_changed_message(user=reg.user, session=notified, now=now)
    return SessionSaved(session, changed)


def _confirmed(session_id: int) -> list[Registration]:
    return list(
        db.session.scalars(
            select(Registration).where(
                Registration.session_id == session_id,
                Registration.status == RegistrationStatus.CONFIRMED,
            )
        )
    )


def delete_session(session_id: int, *, actor: User, now: datetime, note: str = "") -> str:
    """Delete a session nobody registered for; otherwise cancel it and notify the registrants
    (with the organiser's ``note`` in the mail)."""
    require_organiser(actor)
    with unit_of_work():
        session = session_for_organiser(session_id)
        regs = list(
            db.session.scalars(select(Registration).where(Registration.session_id == session.id))
        )
        if not regs:
            record_audit(
                event_id=session.event_id,
                actor=actor,
                action="session deleted",
                target=session.title,
                now=now,
            )
            db.session.delete(session)
            return "deleted"
        session.cancelled_at = now
        record_audit(
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
                        message=cancelled_notice(session.title, note),
                        session_id=session.id,
                    )
                )
                if reg.status == RegistrationStatus.CONFIRMED:
                    mail.session_cancelled_message(
                        user=reg.user, session=session, now=now, note=note.strip()
                    )
    return "cancelled"


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
    table.translations = data.translations


def add_table(session_id: int, data: TableData, *, actor: User, now: datetime) -> TopicTable:
    require_organiser(actor)
    with unit_of_work():
        session = session_for_organiser(session_id)
        if session.kind != SessionKind.SPEED_NETWORKING:
            raise ValidationFailed(
                _("Topic tables belong to speed-networking sessions."), field="code"
            )
        table = TopicTable(session_id=session.id)
        _apply_table(table, session, data)
        db.session.add(table)
        record_audit(
            event_id=session.event_id,
            actor=actor,
            now=now,
            action="table added",
            target=f"{session.title}: table {table.code}",
        )
    return table


def table_for_organiser(table_id: int) -> TopicTable:
    table = db.session.get(TopicTable, table_id)
    if table is None:
        raise NotFound(_("There is no such table."))
    return table


def update_table(table_id: int, data: TableData, *, actor: User, now: datetime) -> TopicTable:
    require_organiser(actor)
    with unit_of_work():
        table = table_for_organiser(table_id)
        _apply_table(table, table.session, data)
        record_audit(
            event_id=table.session.event_id,
            actor=actor,
            now=now,
            action="table edited",
            target=f"{table.session.title}: table {table.code}",
        )
    return table


def delete_table(table_id: int, *, actor: User, now: datetime) -> EventSession:
    require_organiser(actor)
    with unit_of_work():
        table = table_for_organiser(table_id)
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
        record_audit(
            event_id=session.event_id,
            actor=actor,
            now=now,
            action="table deleted",
            target=f"{session.title}: table {table.code}",
        )
        db.session.delete(table)
    return session
