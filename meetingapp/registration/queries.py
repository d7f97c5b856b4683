"""Named reads of registrations: seats and waitlists as every page shows them, rosters.

``availability_for`` is the one answer to "how many seats are left, who waits, where am I":
the timetable, the dashboard, check-in, the roster and the API all ask it.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import aliased, selectinload

from meetingapp.domain.capacity import Availability, takes_registrations
from meetingapp.domain.visibility import Viewer, is_cancelled
from meetingapp.extensions import db
from meetingapp.models import Event, EventSession, Registration, RegistrationStatus, User

ACTIVE = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)


def availability_for(viewer: Viewer | None, session_ids: Iterable[int]) -> dict[int, Availability]:
    """{session id: Availability} for the sessions asked, with the viewer's own registration and
    waitlist position; a constant number of queries for any number of sessions."""
    ids = sorted(set(session_ids))
    if not ids:
        return {}
    parent = aliased(EventSession)
    rows = db.session.execute(
        select(
            EventSession.id,
            EventSession.capacity,
            EventSession.parent_id,
            EventSession.kind,
            EventSession.open_seating,
            EventSession.cancelled_at,
            Event.cancelled_at,
            parent.cancelled_at,
        )
        .join(Event, Event.id == EventSession.event_id)
        .outerjoin(parent, parent.id == EventSession.parent_id)
        .where(EventSession.id.in_(ids))
    ).all()
    counts = active_counts_by_session(ids)
    mine: dict[int, tuple[str, int | None]] = {}
    if viewer is not None and getattr(viewer, "id", None) is not None:
        mine = statuses_for_user(viewer.id, ids)
    out = {}
    for (
        sid,
        capacity,
        parent_id,
        kind,
        open_seating,
        own_cancel,
        event_cancel,
        parent_cancel,
    ) in rows:
        c = counts.get(sid, {})
        status, position = mine.get(sid, (None, None))
        out[sid] = Availability(
            capacity=capacity,
            confirmed=c.get("confirmed", 0),
            waitlisted=c.get("waitlisted", 0),
            registrable=takes_registrations(
                kind.value, is_part=parent_id is not None, open_seating=bool(open_seating)
            ),
            cancelled=is_cancelled(event_cancel, own_cancel, parent_cancel),
            open_seating=bool(open_seating),
            my_status=status,
            my_position=position,
        )
    return out


def active_counts_by_session(session_ids: list[int]) -> dict[int, dict[str, int]]:
    """{session_id: {"confirmed": n, "waitlisted": m}} in one query."""
    if not session_ids:
        return {}
    stmt = (
        select(Registration.session_id, Registration.status, func.count())
        .where(Registration.session_id.in_(session_ids))
        .where(Registration.status != RegistrationStatus.CANCELLED)
        .group_by(Registration.session_id, Registration.status)
    )
    counts: dict[int, dict[str, int]] = {}
    for session_id, status, n in db.session.execute(stmt):
        counts.setdefault(session_id, {"confirmed": 0, "waitlisted": 0})[status.value] = n
    return counts


def confirmed_count(session_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count()).where(
                Registration.session_id == session_id,
                Registration.status == RegistrationStatus.CONFIRMED,
            )
        )
        or 0
    )


def waitlist_for(session_id: int) -> list[Registration]:
    stmt = (
        select(Registration)
        .where(
            Registration.session_id == session_id,
            Registration.status == RegistrationStatus.WAITLISTED,
        )
        .order_by(Registration.waitlist_rank, Registration.id)
    )
    return list(db.session.scalars(stmt))


def active_registration(session_id: int, user_id: int) -> Registration | None:
    return db.session.scalar(
        select(Registration).where(
            Registration.session_id == session_id,
            Registration.user_id == user_id,
            Registration.status.in_(ACTIVE),
        )
    )


def is_confirmed(session_id: int, user_id: int) -> bool:
    reg = active_registration(session_id, user_id)
    return reg is not None and reg.status == RegistrationStatus.CONFIRMED


def waitlist_position(registration: Registration) -> int | None:
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = db.session.scalar(
        select(func.count()).where(
            Registration.session_id == registration.session_id,
            Registration.status == RegistrationStatus.WAITLISTED,
            (Registration.waitlist_rank < registration.waitlist_rank)
            | (
                (Registration.waitlist_rank == registration.waitlist_rank)
                & (Registration.id < registration.id)
            ),
        )
    )
    return (ahead or 0) + 1


def positions_for(waiting: list[Registration]) -> dict[int, int]:
    """{registration id: 1-based waitlist position} for these waitlisted registrations."""
    if not waiting:
        return {}
    session_ids = {r.session_id for r in waiting}
    everyone = db.session.execute(
        select(Registration.id, Registration.session_id)
        .where(
            Registration.session_id.in_(session_ids),
            Registration.status == RegistrationStatus.WAITLISTED,
        )
        .order_by(Registration.session_id, Registration.waitlist_rank, Registration.id)
    ).all()
    positions: dict[int, int] = {}
    counter: dict[int, int] = {}
    for reg_id, session_id in everyone:
        counter[session_id] = counter.get(session_id, 0) + 1
        positions[reg_id] = counter[session_id]
    return positions


def statuses_for_user(user_id: int, session_ids: list[int]) -> dict[int, tuple[str, int | None]]:
    """{session_id: (status, waitlist position)} for the user's active registrations."""
    if not session_ids:
        return {}
    regs = list(
        db.session.scalars(
            select(Registration).where(
                Registration.user_id == user_id,
                Registration.session_id.in_(session_ids),
                Registration.status.in_(ACTIVE),
            )
        )
    )
    positions = positions_for([r for r in regs if r.status == RegistrationStatus.WAITLISTED])
    return {r.session_id: (r.status.value, positions.get(r.id)) for r in regs}


def session_roster(session_id: int) -> dict[str, list[Registration]]:
    """Confirmed, waitlisted (in order) and cancelled registrations of a session, with users."""
    regs = list(
        db.session.scalars(
            select(Registration)
            .where(Registration.session_id == session_id)
            .options(selectinload(Registration.user).selectinload(User.organisation))
            .order_by(Registration.waitlist_rank, Registration.created_at, Registration.id)
        )
    )
    roster: dict[str, list[Registration]] = {"confirmed": [], "waitlisted": [], "cancelled": []}
    for r in regs:
        roster[r.status.value].append(r)
    roster["confirmed"].sort(key=lambda r: (r.confirmed_at or r.created_at, r.id))
    roster["cancelled"].sort(key=lambda r: (r.cancelled_at or r.created_at, r.id))
    return roster


def confirmed_people(session_id: int) -> list[User]:
    """Everyone confirmed for the session, by id, with their organisations."""
    return list(
        db.session.scalars(
            select(User)
            .join(Registration, Registration.user_id == User.id)
            .where(
                Registration.session_id == session_id,
                Registration.status == RegistrationStatus.CONFIRMED,
            )
            .options(selectinload(User.organisation))
            .order_by(User.id)
        )
    )


def session_id_of_registration(registration_id: int) -> int | None:
    return db.session.scalar(
        select(Registration.session_id).where(Registration.id == registration_id)
    )


def active_registrations_of_event(event_id: int) -> list[Registration]:
    return list(
        db.session.scalars(
            select(Registration)
            .join(EventSession, EventSession.id == Registration.session_id)
            .where(
                EventSession.event_id == event_id,
                Registration.status != RegistrationStatus.CANCELLED,
            )
            .options(selectinload(Registration.user), selectinload(Registration.session))
        )
    )


def registration_count_of_event(event_id: int) -> int:
    """Every registration ever made for the event's sessions, cancelled ones included."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Registration)
            .join(EventSession, EventSession.id == Registration.session_id)
            .where(EventSession.event_id == event_id)
        )
        or 0
    )


def sessions_registered_in_event(user_id: int, event_id: int) -> list[int]:
    """The sessions of an event the user holds an active registration for (one query)."""
    return list(
        db.session.scalars(
            select(Registration.session_id)
            .join(EventSession, EventSession.id == Registration.session_id)
            .where(
                EventSession.event_id == event_id,
                Registration.user_id == user_id,
                Registration.status.in_(ACTIVE),
            )
        )
    )
