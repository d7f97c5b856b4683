"""Named reads of registrations: seats and waitlists as every page shows them, rosters.

``availability_for`` is the one answer to "how many seats are left, who waits, where am I":
the timetable, the dashboard, check-in, the roster and the API all ask it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, bindparam, case, func, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from meetingapp import clock
from meetingapp.domain.capacity import Availability, takes_registrations
from meetingapp.domain.visibility import Viewer, is_cancelled
from meetingapp.extensions import db
from meetingapp.models import Event, EventSession, Registration, RegistrationStatus, User

ACTIVE = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)


def availability_for(
    viewer: Viewer | None, session_ids: Iterable[int], now: datetime | None = None
) -> dict[int, Availability]:
    """{session id: Availability} for the sessions asked, with the viewer's own registration and
    waitlist position; a constant number of queries for any number of sessions. Offers count as
    held seats until their deadline (``now``: default the clock's), swept away or not."""
    ids = sorted(set(session_ids))
    if not ids:
        return {}
    now = now or clock.now()
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
            EventSession.online_url,
            EventSession.online_capacity,
        )
        .join(Event, Event.id == EventSession.event_id)
        .outerjoin(parent, parent.id == EventSession.parent_id)
        .where(EventSession.id.in_(ids))
    ).all()
    counts = active_counts_by_session(ids, now)
    mine: dict[int, tuple[str, int | None]] = {}
    offers: dict[int, datetime] = {}
    online_mine: set[int] = set()
    if viewer is not None and getattr(viewer, "id", None) is not None:
        mine = statuses_for_user(viewer.id, ids)
        offers = live_offers_of_user(viewer.id, ids, now)
        online_mine = online_sessions_of_user(viewer.id, ids)
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
        online_url,
        online_capacity,
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
            offered=c.get("offered", 0),
            my_offer_expires_at=offers.get(sid),
            hybrid=bool(online_url),
            online_capacity=online_capacity,
            online_confirmed=c.get("online", 0),
            my_online=sid in online_mine,
        )
    return out


def _live_offer(now):
    """1 for a waitlisted registration whose offer still holds a seat at ``now`` (a datetime,
    or a bound parameter in a statement built once), else 0."""
    return case(
        (
            (Registration.status == RegistrationStatus.WAITLISTED)
            & (Registration.offer_expires_at > now),
            1,
        ),
        else_=0,
    )


def active_counts_by_session(
    session_ids: list[int] | Select, now: datetime | None = None
) -> dict[int, dict[str, int]]:
    """{session_id: {"confirmed": n, "waitlisted": m, "offered": k, "online": o}} in one
    query; ``offered`` (live offers, among the waitlisted) as of ``now``, default the clock's;
    ``confirmed`` counts the room, ``online`` the confirmed online (hybrid sessions)."""
    if isinstance(session_ids, list) and not session_ids:  # a Select: the ids of a query
        return {}
    live = _live_offer(now or clock.now())
    stmt = (
        select(
            Registration.session_id,
            Registration.status,
            Registration.online,
            func.count(),
            func.sum(live),
        )
        .where(Registration.session_id.in_(session_ids))
        .where(Registration.status != RegistrationStatus.CANCELLED)
        .group_by(Registration.session_id, Registration.status, Registration.online)
    )
    counts: dict[int, dict[str, int]] = {}
    for session_id, status, online, n, offered in db.session.execute(stmt):
        c = counts.setdefault(
            session_id, {"confirmed": 0, "waitlisted": 0, "offered": 0, "online": 0}
        )
        if online and status == RegistrationStatus.CONFIRMED:
            c["online"] += n
        else:
            c[status.value] += n
        c["offered"] += int(offered or 0)
    return counts


def seat_counts(session_id: int, now: datetime) -> tuple[int, int]:
    """(confirmed, live offers) of one session in one statement: the room's seats held at
    ``now`` (online registrations hold online seats, counted by ``online_confirmed_count``)."""
    confirmed, offered = db.session.execute(
        select(
            func.count().filter(
                Registration.status == RegistrationStatus.CONFIRMED, Registration.online.is_(False)
            ),
            func.coalesce(func.sum(_live_offer(now)), 0),
        ).where(Registration.session_id == session_id)
    ).one()
    return confirmed or 0, int(offered or 0)


def online_confirmed_count(session_id: int) -> int:
    """The people confirmed to attend a hybrid session online."""
    return (
        db.session.scalar(
            select(func.count()).where(
                Registration.session_id == session_id,
                Registration.status == RegistrationStatus.CONFIRMED,
                Registration.online.is_(True),
            )
        )
        or 0
    )


def online_sessions_of_user(user_id: int, session_ids: list[int]) -> set[int]:
    """The sessions among these the user holds an active online registration for."""
    if not session_ids:
        return set()
    return set(
        db.session.scalars(
            select(Registration.session_id).where(
                Registration.user_id == user_id,
                Registration.session_id.in_(session_ids),
                Registration.status.in_(ACTIVE),
                Registration.online.is_(True),
            )
        )
    )


def confirmed_sessions_of_user(user_id: int, exclude_session_id: int) -> list[EventSession]:
    """The sessions (with their events) the user is confirmed for, but this one: what a new
    registration may overlap (domain/overlap.py)."""
    return list(
        db.session.scalars(
            select(EventSession)
            .join(Registration, Registration.session_id == EventSession.id)
            .where(
                Registration.user_id == user_id,
                Registration.status == RegistrationStatus.CONFIRMED,
                EventSession.id != exclude_session_id,
            )
            .options(selectinload(EventSession.event))
        )
    )


@dataclass(frozen=True)
class SeatState:
    """Everything a registration decides by, about one session, from one statement."""

    confirmed: int  # in the room
    offered: int  # live offers: held seats
    waitlisted: int
    online_confirmed: int
    top_rank: int  # the highest waitlist rank given so far (0: none)


def _seat_state_statement() -> Select:
    status = Registration.status
    return select(
        func.count().filter(status == RegistrationStatus.CONFIRMED, Registration.online.is_(False)),
        func.coalesce(func.sum(_live_offer(bindparam("now"))), 0),
        func.count().filter(status == RegistrationStatus.WAITLISTED),
        func.count().filter(status == RegistrationStatus.CONFIRMED, Registration.online.is_(True)),
        func.coalesce(func.max(Registration.waitlist_rank), 0),
    ).where(Registration.session_id == bindparam("session_id"))


# Built once: a registration runs it twice, and building and keying a statement of this size
# costs more than running it.
_SEAT_STATE = _seat_state_statement()


def seat_state(session_id: int, now: datetime) -> SeatState:
    """The session's seats as of ``now`` in one statement: what ``seat_counts``,
    a waitlist count, ``online_confirmed_count`` and the next waitlist rank would read in
    four (a live offer as ``_live_offer`` counts it). A registration runs it under the seat
    lock, so it must be one round trip."""
    row = db.session.execute(_SEAT_STATE, {"session_id": session_id, "now": now}).one()
    confirmed, offered, waitlisted, online, top = row
    return SeatState(confirmed or 0, int(offered or 0), waitlisted or 0, online or 0, top or 0)


def stale_offers(session_id: int, now: datetime) -> list[Registration]:
    """Offers of the session whose deadline has passed, still on the waitlist, in order."""
    return list(
        db.session.scalars(
            select(Registration)
            .where(
                Registration.session_id == session_id,
                Registration.status == RegistrationStatus.WAITLISTED,
                Registration.offer_expires_at <= now,
            )
            .order_by(Registration.waitlist_rank, Registration.id)
        )
    )


def sessions_with_stale_offers(
    now: datetime, session_ids: Iterable[int] | None = None
) -> list[int]:
    """The sessions (of those given, or all) holding an offer whose deadline has passed."""
    stmt = select(Registration.session_id).where(
        Registration.status == RegistrationStatus.WAITLISTED,
        Registration.offer_expires_at <= now,
    )
    if session_ids is not None:
        ids = sorted(set(session_ids))
        if not ids:
            return []
        stmt = stmt.where(Registration.session_id.in_(ids))
    return sorted(set(db.session.scalars(stmt.distinct())))


def live_offers_of_user(user_id: int, session_ids: list[int], now: datetime) -> dict[int, datetime]:
    """{session_id: deadline} of the user's live offers among these sessions."""
    if not session_ids:
        return {}
    return dict(
        db.session.execute(
            select(Registration.session_id, Registration.offer_expires_at).where(
                Registration.user_id == user_id,
                Registration.session_id.in_(session_ids),
                Registration.status == RegistrationStatus.WAITLISTED,
                Registration.offer_expires_at > now,
            )
        ).all()
    )


def confirmed_count(session_id: int) -> int:
    """The people confirmed for the room (online registrations hold online seats)."""
    return (
        db.session.scalar(
            select(func.count()).where(
                Registration.session_id == session_id,
                Registration.status == RegistrationStatus.CONFIRMED,
                Registration.online.is_(False),
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


_SESSION_WITH_EVENT = (  # built once: every registration asks it
    select(EventSession)
    .where(EventSession.id == bindparam("session_id"))
    .options(joinedload(EventSession.event, innerjoin=True))
)


def session_with_event(session_id: int) -> EventSession | None:
    """The session and its event in one query (None if there is no such session)."""
    return db.session.scalar(_SESSION_WITH_EVENT, {"session_id": session_id})


_ACTIVE_REGISTRATION = select(Registration).where(  # built once: every registration asks it
    Registration.session_id == bindparam("session_id"),
    Registration.user_id == bindparam("user_id"),
    Registration.status.in_(ACTIVE),
)


def active_registration(session_id: int, user_id: int) -> Registration | None:
    return db.session.scalar(_ACTIVE_REGISTRATION, {"session_id": session_id, "user_id": user_id})


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


def awaiting_reconfirmation(session: EventSession) -> list[Registration]:
    """The confirmed people asked to reconfirm (confirmed when the organisers asked) who have
    not yet (domain.reconfirmation.awaits_answer, as one query), in the order they registered."""
    if session.reconfirm_asked_at is None:
        return []
    return list(
        db.session.scalars(
            select(Registration)
            .where(
                Registration.session_id == session.id,
                Registration.status == RegistrationStatus.CONFIRMED,
                Registration.reconfirmed_at.is_(None),
                (Registration.confirmed_at.is_(None))
                | (Registration.confirmed_at <= session.reconfirm_asked_at),
            )
            .order_by(Registration.created_at, Registration.id)
        )
    )


def sessions_releasing_unreconfirmed(
    now: datetime, session_ids: Iterable[int] | None = None
) -> list[int]:
    """Sessions whose reconfirmation deadline has passed with silence freeing seats, not yet
    freed (domain.reconfirmation.releases_now, as one query)."""
    stmt = select(EventSession.id).where(
        EventSession.reconfirm_releases.is_(True),
        EventSession.reconfirm_released_at.is_(None),
        EventSession.reconfirm_deadline <= now,
        EventSession.cancelled_at.is_(None),
    )
    if session_ids is not None:
        ids = sorted(set(session_ids))
        if not ids:
            return []
        stmt = stmt.where(EventSession.id.in_(ids))
    return list(db.session.scalars(stmt.order_by(EventSession.id)))


@dataclass(frozen=True)
class ReconfirmationState:
    asked_at: datetime | None
    deadline: datetime | None
    releases: bool
    released_at: datetime | None
    awaiting: int  # asked, no answer yet
    reconfirmed: int

    @property
    def asked(self) -> bool:
        return self.asked_at is not None


def reconfirmation_state(session: EventSession) -> ReconfirmationState:
    """Where the session's reconfirmation stands, for its organisers."""
    awaiting = len(awaiting_reconfirmation(session))
    reconfirmed = (
        db.session.scalar(
            select(func.count()).where(
                Registration.session_id == session.id,
                Registration.status == RegistrationStatus.CONFIRMED,
                Registration.reconfirmed_at.is_not(None),
            )
        )
        or 0
    )
    return ReconfirmationState(
        session.reconfirm_asked_at,
        session.reconfirm_deadline,
        session.reconfirm_releases,
        session.reconfirm_released_at,
        awaiting,
        reconfirmed,
    )
