"""Registering, withdrawing and the waitlist: each use case one unit of work under the seat lock.

The seat count and the change it decides run in one transaction holding the session's lock
(``unit_of_work(lock_session=…)``), so no two registrations can take the last seat. This module
is the only code that changes who holds a seat and the only writer of a session's capacity.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from meetingapp.accounts import service as accounts
from meetingapp.domain import capacity as rules
from meetingapp.domain import overlap
from meetingapp.domain import reconfirmation as reconfirming
from meetingapp.domain.errors import NotFound, PermissionDenied
from meetingapp.domain.i18n import _
from meetingapp.domain.visibility import (
    can_act_for,
    can_manage,
    can_see_event,
    check_not_cancelled,
)
from meetingapp.extensions import db
from meetingapp.mail import service as mail
from meetingapp.mail.notices import (
    CONFIRMED,
    OFFERED,
    RECONFIRM_ASKED,
    RECONFIRM_LAPSED,
    SEAT_OPENED,
    notice,
)
from meetingapp.models import (
    EventSession,
    Notification,
    Registration,
    RegistrationLog,
    RegistrationStatus,
    User,
)
from meetingapp.models.audit import record_audit
from meetingapp.models.organisation import focal_entities
from meetingapp.registration.queries import (
    SeatState,
    active_registration,
    awaiting_reconfirmation,
    confirmed_count,
    confirmed_sessions_of_user,
    positions_for,
    seat_counts,
    seat_state,
    session_with_event,
    sessions_releasing_unreconfirmed,
    sessions_with_stale_offers,
    stale_offers,
    waitlist_for,
)
from meetingapp.uow import require_seat_lock, unit_of_work


@dataclass(frozen=True)
class RegistrationOutcome:
    registration_id: int
    status: str
    waitlist_position: int | None
    online: bool = False
    warnings: tuple[str, ...] = ()  # e.g. an overlap with a session the person is confirmed for
    # What the answer says about the session, read under the lock (no query after commit).
    session_title: str = ""
    event_id: int | None = None
    waitlist_mode: str = rules.AUTOMATIC
    session_translations: dict | None = None  # the title in other languages (domain.content)


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


def require_acting_for(actor: User, user: User) -> None:
    """Refuse unless ``actor`` may register ``user`` and see their registrations: themselves,
    an organiser, or a focal point of the person's entity (``can_act_for``)."""
    if actor.id == user.id or can_manage(actor):
        return
    if not can_act_for(
        actor,
        person_id=user.id,
        person_entity_id=user.organisation_id,
        focal_for=focal_entities(actor.id),
    ):
        raise PermissionDenied(_("You may register only colleagues of an entity you represent."))


def _open_session(session: EventSession | None, viewer: User) -> EventSession:
    """The locked session, if the viewer may see it and it takes registrations now."""
    if session is None or not can_see_event(
        session.event.published, session.event.is_cancelled, viewer
    ):
        raise NotFound(_("There is no such session."))
    if not session.registrable:
        raise rules.NotRegistrable(
            _("Register for the training day as a whole.")
            if session.parent_id
            else _("This part of the programme takes no registrations.")
        )
    check_not_cancelled(session.is_cancelled, event_cancelled=session.event.is_cancelled)
    return session


def register_participant(
    *,
    user: User,
    session_id: int,
    now: datetime,
    actor: User | None = None,
    check_window: bool = True,
    online: bool = False,
) -> RegistrationOutcome:
    """Confirm ``user`` while seats remain, otherwise put them on the waitlist.

    ``online``: attend a hybrid session online, on an online seat (refused with OnlineFull
    when those are taken: there is no online waitlist). An overlap with a session the person
    is confirmed for is a warning in the outcome, or SessionOverlap under the event's
    ``refuse`` policy.

    ``actor`` (default: the user) must be able to see the session: participants only see
    published events. Raises AlreadyRegistered, RegistrationClosed, NotRegistrable,
    SessionCancelled, NotFound, and EmailNotVerified when people register themselves before
    confirming their address (where the app can check it; organisers may register them).
    """
    actor = actor or user
    if actor.id == user.id:
        accounts.require_verified_email(user)
    else:
        require_acting_for(actor, user)
    user_id, actor_id = user.id, actor.id
    # Before the seat lock: every check and all the rendering that the seats do not decide, so
    # the lock is held for lock -> count -> insert -> commit only. What may change meanwhile
    # (the session's state, the seats) is looked at again under the lock.
    session = _registrable(_load_session(session_id), actor, now, check_window)
    if active_registration(session_id, user_id) is not None:
        raise rules.AlreadyRegistered(_("You are already registered for this session."))
    warnings = _overlap_warnings(session, user)
    guess = _decide(session, seat_state(session_id, now), online)
    draft = mail.compose_registration_message(
        user=user, session=session, status=guess, now=now, position=mail.POSITION
    )
    with unit_of_work(lock_session=session_id) as unit:
        session = _registrable(unit.locked(session_id), actor, now, check_window)
        if (not online and session.waitlist_mode == rules.OFFER) or reconfirming.releases_now(
            deadline=session.reconfirm_deadline,
            releases=session.reconfirm_releases,
            released_at=session.reconfirm_released_at,
            now=now,
        ):
            # Lapsed offers pass on first, and seats nobody reconfirmed go to the people
            # waiting, so a newcomer never takes a seat someone waits for.
            _promote(session, now, None)
        seats = seat_state(session_id, now)
        status = _decide(session, seats, online)
        if status == rules.WAITLISTED:
            rules.check_waitlist_room(session.waitlist_cap, seats.waitlisted)
        reg = Registration(
            session_id=session_id,
            user_id=user_id,
            created_at=now,
            status=RegistrationStatus(status),
            online=online,
        )
        if status == rules.CONFIRMED:
            reg.confirmed_at = now
        else:
            reg.waitlist_rank = seats.top_rank + 1  # last in the line
        db.session.add(reg)
        try:
            db.session.flush()
        except IntegrityError:
            # The partial unique index caught a double submission that slipped past the check.
            raise rules.AlreadyRegistered(
                _("You are already registered for this session.")
            ) from None
        reg_id = reg.id
        _log(reg, "register", None, actor_id, now)
        position = seats.waitlisted + 1 if status == rules.WAITLISTED else None
        if status != guess:  # the seats went while we rendered (rare): render what happened
            draft = mail.compose_registration_message(
                user=user, session=session, status=status, now=now, position=position
            )
        mail.queue(draft, position=position)
        about = (session.title, session.event_id, session.waitlist_mode, session.translations)
    return RegistrationOutcome(reg_id, status, position, online, tuple(warnings), *about)


def _load_session(session_id: int) -> EventSession | None:
    """The session with its event, unlocked: the checks made before the lock."""
    return session_with_event(session_id)


def _registrable(
    session: EventSession | None, actor: User, now: datetime, check_window: bool
) -> EventSession:
    """The session, if the actor may see it and register in it now (no query: the event is
    loaded with it)."""
    session = _open_session(session, actor)
    if check_window:
        rules.check_registration_window(
            now,
            starts_at=session.starts_at,
            opens_at=session.registration_opens_at,
            closes_at=session.registration_closes_at,
        )
    return session


def _decide(session: EventSession, seats: SeatState, online: bool) -> str:
    """Confirmed or waitlisted, by the seats (an online place is confirmed or refused)."""
    if online:
        rules.check_online_seat(
            hybrid=bool(session.online_url),
            online_capacity=session.online_capacity,
            online_confirmed=seats.online_confirmed,
        )
        return rules.CONFIRMED
    return rules.status_for_new_registration(session.capacity, seats.confirmed, seats.offered)


def _overlap_warnings(session: EventSession, user: User) -> list[str]:
    """Warnings for the sessions the user is confirmed for at the same time (or
    SessionOverlap under the event's ``refuse`` policy)."""
    booked = [
        overlap.Booked(s.title, s.starts_at, s.ends_at, s.event.timezone)
        for s in confirmed_sessions_of_user(user.id, session.id)
        if not s.is_cancelled
    ]
    return overlap.overlap_warnings(
        session.starts_at, session.ends_at, booked, session.event.overlap_policy
    )


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
    actor = actor or user
    require_acting_for(actor, user)
    with unit_of_work(lock_session=session_id) as unit:
        session = unit.locked(session_id)
        if session is None or not can_see_event(
            session.event.published, session.event.is_cancelled, actor
        ):
            raise NotFound(_("There is no such session."))
        if not can_manage(actor):
            check_not_cancelled(session.is_cancelled, event_cancelled=session.event.is_cancelled)
        if enforce_window:
            rules.check_cancellation_window(now, starts_at=session.starts_at)
        reg = active_registration(session_id, user.id)
        if reg is None:
            raise NotFound(_("There is no registration to cancel."))
        _withdraw(reg, session, actor.id, now)
        promoted = _promote(session, now, actor.id)
        if actor.id != user.id:
            record_audit(
                event_id=session.event_id,
                actor=actor,
                now=now,
                action="registration removed",
                target=session.title,
                detail=user.email,
            )
    return promoted


def _withdraw(reg: Registration, session: EventSession, actor_id: int, now: datetime) -> None:
    """Cancel one active registration (kept, never deleted) and tell the person."""
    before = reg.status.value
    reg.status = RegistrationStatus.CANCELLED
    reg.cancelled_at = now
    reg.waitlist_rank = None
    db.session.flush()
    _log(reg, "cancel", before, actor_id, now)
    if not session.is_cancelled:
        mail.registration_message(
            user=reg.user, session=session, status="cancelled", previous=before, now=now
        )


def _promote(session: EventSession, now: datetime, actor_id: int | None) -> list[int]:
    """Give freed seats to the head of the waitlist (under the caller's lock): confirm them, or
    in offer mode offer them the seats (after passing on the offers that lapsed).

    Returns the ids of the users confirmed (offers are not confirmations)."""
    require_seat_lock(session.id)
    if session.is_cancelled:
        return []
    _release_unreconfirmed(session, now)
    _expire_offers(session, now)
    if session.waitlist_mode == rules.OFFER:
        _offer_seats(session, now, actor_id)
        return []
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
                session_id=session.id,
            )
        )
        mail.registration_message(user=reg.user, session=session, status="promoted", now=now)
        promoted.append(reg.user_id)
    db.session.flush()
    return promoted


def _release_unreconfirmed(session: EventSession, now: datetime) -> int:
    """Once the reconfirmation deadline has passed, when silence frees seats: the confirmed
    who did not reconfirm are withdrawn (kept as cancelled) and told; once per session.
    Under the caller's seat lock; the caller fills the seats."""
    if not reconfirming.releases_now(
        deadline=session.reconfirm_deadline,
        releases=session.reconfirm_releases,
        released_at=session.reconfirm_released_at,
        now=now,
    ):
        return 0
    silent = awaiting_reconfirmation(session)
    for reg in silent:
        reg.status = RegistrationStatus.CANCELLED
        reg.cancelled_at = now
        _log(reg, "reconfirm_lapsed", RegistrationStatus.CONFIRMED.value, None, now)
        db.session.add(
            Notification(
                user_id=reg.user_id,
                created_at=now,
                message=notice(RECONFIRM_LAPSED, title=session.title),
                session_id=session.id,
            )
        )
        mail.reconfirmation_message(user=reg.user, session=session, status="lapsed", now=now)
    session.reconfirm_released_at = now
    db.session.flush()
    return len(silent)


def _expire_offers(session: EventSession, now: datetime) -> list[Registration]:
    """Take the people whose offer lapsed off the waitlist (kept as cancelled) and tell them."""
    lapsed = stale_offers(session.id, now)
    for reg in lapsed:
        reg.status = RegistrationStatus.CANCELLED
        reg.cancelled_at = now
        reg.waitlist_rank = None
        _log(reg, "offer_expired", RegistrationStatus.WAITLISTED.value, None, now)
        mail.offer_message(user=reg.user, session=session, status="offer_expired", now=now)
    if lapsed:
        db.session.flush()
    return lapsed


def _offer_seats(session: EventSession, now: datetime, actor_id: int | None) -> None:
    """Offer each seat nobody holds to the next person waiting without an offer."""
    waiting = waitlist_for(session.id)
    eligible = [r for r in waiting if r.offer_expires_at is None]
    confirmed, offered = seat_counts(session.id, now)
    n = rules.seats_to_promote(session.capacity, confirmed, len(eligible), offered)
    deadline = rules.offer_deadline(now, session.offer_hours, starts_at=session.starts_at)
    for reg in eligible[:n]:
        reg.offered_at = now
        reg.offer_expires_at = deadline
        _log(reg, "offer", reg.status.value, actor_id, now, note=f"until {deadline.isoformat()}")
        db.session.add(
            Notification(
                user_id=reg.user_id,
                created_at=now,
                message=notice(OFFERED, title=session.title),
                session_id=session.id,
            )
        )
        mail.offer_message(
            user=reg.user, session=session, status="offered", deadline=deadline, now=now
        )
    db.session.flush()


def expire_offers(*, now: datetime, session_ids=None) -> int:
    """Pass on every offer whose deadline has passed (of these sessions, or all): the cron
    command and any request that touches a session. One unit per session, under its lock.

    Returns how many offers lapsed."""
    lapsed = 0
    for session_id in sessions_with_stale_offers(now, session_ids):
        with unit_of_work(lock_session=session_id) as unit:
            session = unit.locked(session_id)
            if session is None:
                continue
            lapsed += len(stale_offers(session_id, now))
            _promote(session, now, None)
    return lapsed


def accept_offer(*, user: User, session_id: int, now: datetime) -> RegistrationOutcome:
    """Take the seat offered to ``user``: confirmed. Raises NoOffer (409) when they hold no
    live offer (none was made, it lapsed, or they are already confirmed)."""
    expire_offers(now=now, session_ids=[session_id])
    with unit_of_work(lock_session=session_id) as unit:
        session = _open_session(unit.locked(session_id), user)
        reg = active_registration(session_id, user.id)
        if (
            reg is None
            or reg.status != RegistrationStatus.WAITLISTED
            or not rules.offer_is_live(reg.offer_expires_at, now)
        ):
            raise rules.NoOffer(
                _("You have no seat on offer for this session (an offer lapses at its deadline).")
            )
        reg.status = RegistrationStatus.CONFIRMED
        reg.confirmed_at = now
        reg.waitlist_rank = None
        reg.offer_expires_at = None
        db.session.flush()
        _log(reg, "accept_offer", RegistrationStatus.WAITLISTED.value, user.id, now)
        mail.registration_message(user=user, session=session, status="confirmed", now=now)
    return RegistrationOutcome(reg.id, rules.CONFIRMED, None)


@dataclass(frozen=True)
class ReconfirmationAsked:
    asked: int  # people mailed now (confirmed, not yet reconfirmed)
    deadline: datetime
    releases: bool


def ask_reconfirmation(
    *, session_id: int, deadline: datetime, releases: bool, now: datetime, actor: User
) -> ReconfirmationAsked:
    """The organisers ask everyone confirmed to say they are still coming by ``deadline``; with
    ``releases``, those silent by then lose their seat to the waitlist. Asking again changes
    the deadline and the choice and asks again those who have not answered (the people who
    reconfirmed stay reconfirmed). Each person asked gets a mail and a notification."""
    with unit_of_work(lock_session=session_id) as unit:
        session = _managed_session(unit, session_id, actor)
        check_not_cancelled(session.is_cancelled, event_cancelled=session.event.is_cancelled)
        if not session.registrable:
            raise rules.NotRegistrable(_("This session takes no registrations."))
        reconfirming.check_deadline(deadline, now=now, starts_at=session.starts_at)
        if session.reconfirm_asked_at is None or session.reconfirm_released_at is not None:
            session.reconfirm_asked_at = now  # a first ask, or a new one after seats were freed
        session.reconfirm_deadline = deadline
        session.reconfirm_releases = releases
        session.reconfirm_released_at = None
        db.session.flush()
        asked = awaiting_reconfirmation(session)
        for reg in asked:
            db.session.add(
                Notification(
                    user_id=reg.user_id,
                    created_at=now,
                    message=notice(RECONFIRM_ASKED, title=session.title),
                    session_id=session.id,
                    url="/me/",
                )
            )
            mail.reconfirmation_message(user=reg.user, session=session, status="asked", now=now)
        record_audit(
            event_id=session.event_id,
            actor=actor,
            now=now,
            action="reconfirmation asked",
            target=session.title,
            detail=(
                f"{len(asked)} asked, by {deadline.isoformat()}"
                + (", silence frees the seat" if releases else "")
            ),
        )
    return ReconfirmationAsked(len(asked), deadline, releases)


def reconfirm(*, user: User, session_id: int, now: datetime) -> RegistrationOutcome:
    """``user`` say they are still coming. Raises NothingToReconfirm (409) when they were not asked,
    have reconfirmed already, or the deadline passed and their seat went."""
    release_unreconfirmed(now=now, session_ids=[session_id])
    with unit_of_work(lock_session=session_id) as unit:
        session = _open_session(unit.locked(session_id), user)
        reg = active_registration(session_id, user.id)
        asked = reg is not None and reconfirming.awaits_answer(
            confirmed=reg.status == RegistrationStatus.CONFIRMED,
            confirmed_at=reg.confirmed_at,
            reconfirmed_at=reg.reconfirmed_at,
            asked_at=session.reconfirm_asked_at,
        )
        if (
            not asked
            or session.starts_at <= now
            or not reconfirming.may_answer(
                deadline=session.reconfirm_deadline,
                releases=session.reconfirm_releases,
                now=now,
            )
        ):
            raise reconfirming.NothingToReconfirm(
                _("There is nothing to reconfirm for this session.")
            )
        reg.reconfirmed_at = now
        _log(reg, "reconfirm", reg.status.value, user.id, now)
        db.session.flush()
    return RegistrationOutcome(reg.id, rules.CONFIRMED, None, reg.online)


def release_unreconfirmed(*, now: datetime, session_ids=None) -> int:
    """Free the seats of everyone silent past a reconfirmation deadline whose silence frees
    them (of these sessions, or all), and give them to the people waiting: the cron command
    and the requests that touch a session. One unit per session, under its lock.

    Returns how many seats were freed."""
    freed = 0
    for session_id in sessions_releasing_unreconfirmed(now, session_ids):
        with unit_of_work(lock_session=session_id) as unit:
            session = unit.locked(session_id)
            if session is None:
                continue
            freed += _release_unreconfirmed(session, now)
            _promote(session, now, None)
    return freed


def change_capacity(
    *, session_id: int, new_capacity: int | None, now: datetime, actor: User
) -> list[int]:
    """Set a session's capacity, the one place that does: raising it promotes as many as fit;
    lowering it below the confirmed count fails. Audited once, with the old value."""
    with unit_of_work(lock_session=session_id) as unit:
        session = unit.locked(session_id)
        if session is None:
            raise NotFound(_("There is no such session."))
        rules.check_new_capacity(new_capacity, sum(seat_counts(session_id, now)))
        old = session.capacity
        if old == new_capacity:
            return []
        session.capacity = new_capacity
        db.session.flush()
        promoted = _promote(session, now, actor.id) if session.registrable else []
        record_audit(
            event_id=session.event_id,
            actor=actor,
            now=now,
            action="capacity changed",
            target=session.title,
            detail=f"{old or 'no limit'} → {new_capacity or 'no limit'}; {len(promoted)} promoted",
        )
    return promoted


# --- organiser tools ---------------------------------------------------------------------------


def confirm_with_override(*, registration_id: int, now: datetime, actor: User) -> None:
    """Confirm a waitlisted person past capacity: an explicit, logged override."""
    session_id = _session_of(registration_id)
    with unit_of_work(lock_session=session_id):
        reg = db.session.get(Registration, registration_id)
        if reg.status != RegistrationStatus.WAITLISTED:
            raise rules.NotRegistrable(
                _("Only people on the waitlist can be confirmed past capacity.")
            )
        _override(reg, actor, now)
        record_audit(
            event_id=reg.session.event_id,
            actor=actor,
            now=now,
            action="confirmed past capacity",
            target=reg.session.title,
            detail=reg.user.email,
        )


def _override(reg: Registration, actor: User, now: datetime) -> None:
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
            session_id=reg.session.id,
        )
    )
    mail.registration_message(user=reg.user, session=reg.session, status="promoted", now=now)


def _session_of(registration_id: int) -> int:
    from meetingapp.registration.queries import session_id_of_registration

    session_id = session_id_of_registration(registration_id)
    if session_id is None:
        raise NotFound(_("There is no such registration."))
    return session_id


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
    session_id = _session_of(registration_id)
    with unit_of_work(lock_session=session_id):
        waiting = waitlist_for(session_id)
        ids = [r.id for r in waiting]
        if registration_id not in ids:
            raise rules.NotRegistrable(_("This person is not on the waitlist."))
        i = ids.index(registration_id)
        j = i + direction
        if not 0 <= j < len(waiting):
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
        record_audit(
            event_id=moved.session.event_id,
            actor=actor,
            now=now,
            action="waitlist reordered",
            target=moved.session.title,
            detail=f"{moved.user.email} now {j + 1}",
        )


# --- several people at once (the roster's bulk actions) ---------------------------------------


@dataclass(frozen=True)
class BulkOutcome:
    """What a bulk action did: the names changed, how many chosen were left as they were (not
    in the state the action applies to), and who got a seat from the waitlist as a result."""

    changed: tuple[str, ...]
    skipped: int
    promoted: tuple[str, ...] = ()


def _managed_session(unit, session_id: int, actor: User) -> EventSession:
    if not can_manage(actor):
        raise PermissionDenied(_("Only organisers can change other people's registrations."))
    session = unit.locked(session_id)
    if session is None:
        raise NotFound(_("There is no such session."))
    return session


def _chosen(session_id: int, registration_ids, status: RegistrationStatus) -> list[Registration]:
    """The session's registrations among ``registration_ids`` that are in ``status``."""
    ids = sorted(set(registration_ids))
    if not ids:
        return []
    order = (
        (Registration.waitlist_rank, Registration.id)
        if status == RegistrationStatus.WAITLISTED
        else (Registration.confirmed_at, Registration.created_at, Registration.id)
    )
    return list(
        db.session.scalars(
            select(Registration)
            .where(
                Registration.session_id == session_id,
                Registration.id.in_(ids),
                Registration.status == status,
            )
            .options(selectinload(Registration.user))
            .order_by(*order)
        )
    )


def _names(user_ids: list[int]) -> tuple[str, ...]:
    if not user_ids:
        return ()
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(user_ids))).all())
    return tuple(names[i] for i in user_ids)


def _who(regs: list[Registration], promoted: list[int]) -> str:
    detail = ", ".join(r.user.email for r in regs)
    return (
        f"{len(regs)}: {detail}; {len(promoted)} promoted" if promoted else f"{len(regs)}: {detail}"
    )


def confirm_past_capacity(
    *, session_id: int, registration_ids, now: datetime, actor: User
) -> BulkOutcome:
    """Confirm the chosen people on the waitlist, past capacity (an explicit override each),
    in one unit under the seat lock: all of them or none. Audited once."""
    with unit_of_work(lock_session=session_id) as unit:
        session = _managed_session(unit, session_id, actor)
        check_not_cancelled(session.is_cancelled, event_cancelled=session.event.is_cancelled)
        regs = _chosen(session_id, registration_ids, RegistrationStatus.WAITLISTED)
        for reg in regs:
            _override(reg, actor, now)
        if regs:
            record_audit(
                event_id=session.event_id,
                actor=actor,
                now=now,
                action="confirmed past capacity",
                target=session.title,
                detail=_who(regs, []),
            )
    return BulkOutcome(tuple(r.user.name for r in regs), len(set(registration_ids)) - len(regs))


def remove_registrations(
    *, session_id: int, registration_ids, now: datetime, actor: User
) -> BulkOutcome:
    """An organiser removes the chosen people (kept as cancelled, each told by mail); the seats
    they free go to the head of the waitlist. One unit under the seat lock, audited once."""
    with unit_of_work(lock_session=session_id) as unit:
        session = _managed_session(unit, session_id, actor)
        regs = _chosen(session_id, registration_ids, RegistrationStatus.CONFIRMED)
        regs += _chosen(session_id, registration_ids, RegistrationStatus.WAITLISTED)
        for reg in regs:
            _withdraw(reg, session, actor.id, now)
        promoted = _promote(session, now, actor.id)
        if regs:
            record_audit(
                event_id=session.event_id,
                actor=actor,
                now=now,
                action="registrations removed",
                target=session.title,
                detail=_who(regs, promoted),
            )
        changed = tuple(r.user.name for r in regs)
        names = _names(promoted)
    return BulkOutcome(changed, len(set(registration_ids)) - len(regs), names)


def move_to_waitlist(
    *, session_id: int, registration_ids, now: datetime, actor: User
) -> BulkOutcome:
    """Move the chosen confirmed people to the end of the waitlist (in the order they were
    confirmed); the seats they free go to the head of the waitlist, as on any cancellation.

    Refused (NotRegistrable) when they would get their own seats straight back because nobody
    else is waiting for them: lower the capacity, or remove them, instead. One unit under the
    seat lock, logged per person and audited once.
    """
    with unit_of_work(lock_session=session_id) as unit:
        session = _managed_session(unit, session_id, actor)
        check_not_cancelled(session.is_cancelled, event_cancelled=session.event.is_cancelled)
        regs = _chosen(session_id, registration_ids, RegistrationStatus.CONFIRMED)
        rank = _next_rank(session_id)
        for offset, reg in enumerate(regs):
            reg.status = RegistrationStatus.WAITLISTED
            reg.waitlist_rank = rank + offset
            reg.confirmed_at = None
            reg.override = False
            _log(
                reg,
                "move_to_waitlist",
                RegistrationStatus.CONFIRMED.value,
                actor.id,
                now,
                note="moved to the end of the waitlist by an organiser",
            )
        db.session.flush()
        promoted = _promote(session, now, actor.id)
        if {r.user_id for r in regs} & set(promoted):
            raise rules.NotRegistrable(
                _(
                    "Nobody else is waiting for these seats, so the people moved would get them "
                    "straight back. Lower the capacity first, or remove them instead."
                )
            )
        positions = positions_for(regs)
        for reg in regs:
            mail.moved_to_waitlist_message(
                user=reg.user, session=session, position=positions.get(reg.id), now=now
            )
        if regs:
            record_audit(
                event_id=session.event_id,
                actor=actor,
                now=now,
                action="moved to the waitlist",
                target=session.title,
                detail=_who(regs, promoted),
            )
        changed = tuple(r.user.name for r in regs)
        names = _names(promoted)
    return BulkOutcome(changed, len(set(registration_ids)) - len(regs), names)
