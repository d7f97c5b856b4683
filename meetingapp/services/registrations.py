"""Registering, cancelling and promoting from the waitlist: one transaction each, under the lock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from meetingapp.domain import capacity as rules
from meetingapp.domain.errors import NotFound
from meetingapp.domain.i18n import _
from meetingapp.extensions import db
from meetingapp.models import (
    EventSession,
    Notification,
    Registration,
    RegistrationLog,
    RegistrationStatus,
    User,
)
from meetingapp.services import audit, mail
from meetingapp.services.locking import session_capacity_lock
from meetingapp.services.notices import CONFIRMED, SEAT_OPENED, notice

ACTIVE = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)


@dataclass(frozen=True)
class RegistrationOutcome:
    registration_id: int
    status: str
    waitlist_position: int | None


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


def _log(
    reg: Registration,
    action: str,
    before: str | None,
    actor_id: int | None,
    now: datetime,
    note: str = "",
) -> None:
    db.session.add(
        RegistrationLog(
            registration_id=reg.id,
            action=action,
            from_status=before,
            to_status=reg.status.value,
            actor_id=actor_id,
            at=now,
            note=note,
        )
    )


def _registrable(session: EventSession | None) -> EventSession:
    if session is None:
        raise NotFound(_("There is no such session."))
    if not session.registrable:
        raise rules.NotRegistrable(
            _("Register for the training day as a whole.")
            if session.parent_id
            else _("This part of the programme takes no registrations.")
        )
    if session.cancelled_at is not None:
        raise rules.RegistrationClosed(_("This session is cancelled."))
    return session


def register_participant(
    *,
    user: User,
    session_id: int,
    now: datetime,
    actor: User | None = None,
    check_window: bool = True,
) -> RegistrationOutcome:
    """Confirm ``user`` while seats remain, otherwise put them on the waitlist.

    The seat count and the insert happen in one transaction holding the session's lock.
    Raises AlreadyRegistered, RegistrationClosed, NotRegistrable, NotFound.
    """
    user_id = user.id
    actor_id = actor.id if actor is not None else user_id
    with session_capacity_lock(session_id) as session:
        session = _registrable(session)
        if check_window:
            rules.check_registration_window(
                now,
                starts_at=session.starts_at,
                opens_at=session.registration_opens_at,
                closes_at=session.registration_closes_at,
            )
        if active_registration(session_id, user_id) is not None:
            db.session.rollback()
            raise rules.AlreadyRegistered(_("You are already registered for this session."))
        status = rules.status_for_new_registration(session.capacity, confirmed_count(session_id))
        reg = Registration(
            session_id=session_id,
            user_id=user_id,
            created_at=now,
            status=RegistrationStatus(status),
        )
        if status == rules.CONFIRMED:
            reg.confirmed_at = now
        else:
            reg.waitlist_rank = _next_rank(session_id)
        db.session.add(reg)
        try:
            db.session.flush()
        except IntegrityError:
            # The partial unique index caught a double submission that slipped past the check.
            db.session.rollback()
            raise rules.AlreadyRegistered(
                _("You are already registered for this session.")
            ) from None
        _log(reg, "register", None, actor_id, now)
        position = waitlist_position(reg)
        mail.registration_message(
            user=reg.user, session=session, status=status, position=position, now=now
        )
        db.session.commit()
    return RegistrationOutcome(reg.id, status, position)


def _next_rank(session_id: int) -> int:
    top = db.session.scalar(
        select(func.max(Registration.waitlist_rank)).where(Registration.session_id == session_id)
    )
    return (top or 0) + 1


def cancel_registration(
    *,
    user: User,
    session_id: int,
    now: datetime,
    actor: User | None = None,
    enforce_window: bool = True,
) -> list[int]:
    """Withdraw the user's registration; promote from the waitlist in the same transaction.

    Returns the ids of the users who were promoted.
    """
    actor_id = actor.id if actor is not None else user.id
    user_id = user.id
    with session_capacity_lock(session_id) as session:
        if session is None:
            raise NotFound(_("There is no such session."))
        if enforce_window:
            rules.check_cancellation_window(now, starts_at=session.starts_at)
        reg = active_registration(session_id, user_id)
        if reg is None:
            db.session.rollback()
            raise NotFound(_("There is no registration to cancel."))
        before = reg.status.value
        reg.status = RegistrationStatus.CANCELLED
        reg.cancelled_at = now
        reg.waitlist_rank = None
        db.session.flush()
        _log(reg, "cancel", before, actor_id, now)
        mail.registration_message(
            user=reg.user, session=session, status="cancelled", previous=before, now=now
        )
        promoted = _promote(session, now, actor_id)
        if actor is not None and actor.id != user_id:
            audit.record(
                event_id=session.event_id,
                actor=actor,
                now=now,
                action="registration removed",
                target=session.title,
                detail=user.email,
            )
        db.session.commit()
    return promoted


def _promote(session: EventSession, now: datetime, actor_id: int | None) -> list[int]:
    waiting = waitlist_for(session.id)
    n = rules.seats_to_promote(session.capacity, confirmed_count(session.id), len(waiting))
    promoted = []
    for reg in waiting[:n]:
        reg.status = RegistrationStatus.CONFIRMED
        reg.confirmed_at = now
        reg.waitlist_rank = None
        _log(
            reg, "promote", RegistrationStatus.WAITLISTED.value, actor_id, now, note="a seat opened"
        )
        db.session.add(
            Notification(
                user_id=reg.user_id,
                created_at=now,
                message=notice(SEAT_OPENED, title=session.title),
            )
        )
        mail.registration_message(user=reg.user, session=session, status="promoted", now=now)
        promoted.append(reg.user_id)
    db.session.flush()
    return promoted


def change_capacity(
    *, session_id: int, new_capacity: int | None, now: datetime, actor: User
) -> list[int]:
    """Set a session's capacity: raising it promotes as many as fit; lowering it below the
    confirmed count fails."""
    with session_capacity_lock(session_id) as session:
        if session is None:
            raise NotFound(_("There is no such session."))
        try:
            rules.check_new_capacity(new_capacity, confirmed_count(session_id))
        except rules.CapacityBelowConfirmed:
            db.session.rollback()
            raise
        old = session.capacity
        session.capacity = new_capacity
        db.session.flush()
        promoted = _promote(session, now, actor.id)
        audit.record(
            event_id=session.event_id,
            actor=actor,
            now=now,
            action="capacity changed",
            target=session.title,
            detail=f"{old or 'no limit'} → {new_capacity or 'no limit'}; {len(promoted)} promoted",
        )
        db.session.commit()
    return promoted


# --- read side -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MyRegistration:
    registration: Registration
    session: EventSession
    position: int | None


def my_registrations(user_id: int) -> list[MyRegistration]:
    """The user's active and cancelled registrations with waitlist positions, in two queries."""
    from sqlalchemy.orm import selectinload

    regs = list(
        db.session.scalars(
            select(Registration)
            .where(Registration.user_id == user_id)
            .options(selectinload(Registration.session).selectinload(EventSession.event))
            .order_by(Registration.created_at.desc(), Registration.id.desc())
        )
    )
    waiting = [r for r in regs if r.status == RegistrationStatus.WAITLISTED]
    positions = _positions_for(waiting)
    rows = [MyRegistration(r, r.session, positions.get(r.id)) for r in regs]
    rows.sort(
        key=lambda row: (
            row.registration.status == RegistrationStatus.CANCELLED,
            row.session.starts_at,
        )
    )
    return rows


def _positions_for(waiting: list[Registration]) -> dict[int, int]:
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
    positions = _positions_for([r for r in regs if r.status == RegistrationStatus.WAITLISTED])
    return {r.session_id: (r.status.value, positions.get(r.id)) for r in regs}


def session_roster(session_id: int) -> dict[str, list[Registration]]:
    """Confirmed, waitlisted (in order) and cancelled registrations of a session, with users."""
    from sqlalchemy.orm import selectinload

    from meetingapp.models import User as _User

    regs = list(
        db.session.scalars(
            select(Registration)
            .where(Registration.session_id == session_id)
            .options(selectinload(Registration.user).selectinload(_User.organisation))
            .order_by(Registration.waitlist_rank, Registration.created_at, Registration.id)
        )
    )
    roster: dict[str, list[Registration]] = {"confirmed": [], "waitlisted": [], "cancelled": []}
    for r in regs:
        roster[r.status.value].append(r)
    roster["confirmed"].sort(key=lambda r: (r.confirmed_at or r.created_at, r.id))
    roster["cancelled"].sort(key=lambda r: (r.cancelled_at or r.created_at, r.id))
    return roster


def unread_notifications(user_id: int) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user_id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(50)
        )
    )


# --- organiser tools ---------------------------------------------------------------------------


def confirm_with_override(*, registration_id: int, now: datetime, actor: User) -> None:
    """Confirm a waitlisted person past capacity: an explicit, logged override."""
    reg = db.session.get(Registration, registration_id)
    if reg is None:
        raise NotFound(_("There is no such registration."))
    with session_capacity_lock(reg.session_id):
        reg = db.session.get(Registration, registration_id)
        if reg.status != RegistrationStatus.WAITLISTED:
            raise rules.NotRegistrable(
                _("Only people on the waitlist can be confirmed past capacity.")
            )
        reg.status = RegistrationStatus.CONFIRMED
        reg.confirmed_at = now
        reg.waitlist_rank = None
        reg.override = True
        _log(
            reg,
            "override_confirm",
            RegistrationStatus.WAITLISTED.value,
            actor.id,
            now,
            note="confirmed past capacity by an organiser",
        )
        db.session.add(
            Notification(
                user_id=reg.user_id,
                created_at=now,
                message=notice(CONFIRMED, title=reg.session.title),
            )
        )
        mail.registration_message(user=reg.user, session=reg.session, status="promoted", now=now)
        audit.record(
            event_id=reg.session.event_id,
            actor=actor,
            now=now,
            action="confirmed past capacity",
            target=reg.session.title,
            detail=reg.user.email,
        )
        db.session.commit()


def remove_registration(*, registration_id: int, now: datetime, actor: User) -> list[int]:
    """An organiser removes someone (kept as cancelled); the waitlist moves up."""
    reg = db.session.get(Registration, registration_id)
    if reg is None or reg.status == RegistrationStatus.CANCELLED:
        raise NotFound(_("There is no active registration to remove."))
    return cancel_registration(
        user=reg.user, session_id=reg.session_id, now=now, actor=actor, enforce_window=False
    )


def move_on_waitlist(*, registration_id: int, direction: int, now: datetime, actor: User) -> None:
    """Swap a waitlisted person with the one before (direction −1) or after (+1)."""
    reg = db.session.get(Registration, registration_id)
    if reg is None:
        raise NotFound(_("There is no such registration."))
    with session_capacity_lock(reg.session_id):
        waiting = waitlist_for(reg.session_id)
        ids = [r.id for r in waiting]
        if registration_id not in ids:
            raise rules.NotRegistrable(_("This person is not on the waitlist."))
        i = ids.index(registration_id)
        j = i + direction
        if not 0 <= j < len(waiting):
            db.session.rollback()
            return
        # Renumber densely so equal ranks can never tie after a swap.
        waiting[i], waiting[j] = waiting[j], waiting[i]
        for rank, r in enumerate(waiting, start=1):
            r.waitlist_rank = rank
        moved = waiting[j]
        _log(
            moved,
            "move_up" if direction < 0 else "move_down",
            moved.status.value,
            actor.id,
            now,
            note=f"now {j + 1} on the waitlist",
        )
        audit.record(
            event_id=moved.session.event_id,
            actor=actor,
            now=now,
            action="waitlist reordered",
            target=moved.session.title,
            detail=f"{moved.user.email} now {j + 1}",
        )
        db.session.commit()


def session_id_of_registration(registration_id: int) -> int | None:
    return db.session.scalar(
        select(Registration.session_id).where(Registration.id == registration_id)
    )
