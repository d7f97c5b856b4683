"""Checking people in (by list, QR code or as walk-ins) and undoing: one unit of work each.

A walk-in (register on the spot, confirm past capacity if the organiser says so, check in) is
one transaction under the session's seat lock: refused, it leaves nothing behind.
"""

from __future__ import annotations

from datetime import datetime

from meetingapp.checkin.qr import user_for_qr_code
from meetingapp.checkin.queries import history, may_open_check_in
from meetingapp.domain import attendance as rules
from meetingapp.domain.capacity import has_free_seat
from meetingapp.domain.errors import NotFound, PermissionDenied, ValidationFailed
from meetingapp.domain.i18n import _
from meetingapp.domain.timezones import utc_to_local
from meetingapp.domain.visibility import can_check_in, can_manage, check_not_cancelled
from meetingapp.extensions import db
from meetingapp.models import (
    CheckIn,
    EventSession,
    Registration,
    RegistrationStatus,
    SessionKind,
    User,
)
from meetingapp.models.audit import record_audit
from meetingapp.models.event import visible_session
from meetingapp.registration.queries import active_registration, confirmed_count
from meetingapp.registration.service import confirm_with_override, register_participant
from meetingapp.rotation.queries import hosted_seats
from meetingapp.uow import unit_of_work


def _attended(session_id: int, actor: User) -> EventSession:
    """The session people attend: a training day's parts are attended through the day."""
    session = visible_session(session_id, actor)
    return session.parent if session.parent_id is not None else session


def _check_actor(actor: User, session: EventSession, user_id: int, round_number: int | None):
    if not may_open_check_in(actor, session):
        raise PermissionDenied(_("Only organisers and table hosts check people in."))
    hosts_them = not can_manage(actor) and user_id in hosted_seats(session, actor.id, round_number)
    if not can_check_in(actor, hosts_the_persons_table=hosts_them):
        raise PermissionDenied(_("Table hosts check in the people seated at their own table."))


def _check_day(session: EventSession, now: datetime) -> None:
    tz = session.event.timezone
    rules.check_day(utc_to_local(now, tz).date(), utc_to_local(session.starts_at, tz).date())


def check_in(
    *,
    session_id: int,
    user_id: int,
    actor: User,
    now: datetime,
    round_number: int | None = None,
    method: str = "list",
    enforce_day: bool = True,
) -> CheckIn:
    """Record that a confirmed person is present. Refuses double check-ins and wrong days."""
    with unit_of_work():
        session = _attended(session_id, actor)
        check_not_cancelled(session.is_cancelled, event_cancelled=session.event.is_cancelled)
        networking = session.kind == SessionKind.SPEED_NETWORKING
        rules.check_round(round_number, session.round_count, networking)
        if enforce_day:
            _check_day(session, now)
        _check_actor(actor, session, user_id, round_number)
        person = db.session.get(User, user_id)
        if person is None:
            raise NotFound(_("There is no such participant."))
        reg = active_registration(session.id, user_id)
        if reg is None or reg.status != RegistrationStatus.CONFIRMED:
            raise rules.CheckInRefused(
                _(
                    "%(name)s is not confirmed for “%(title)s”; register them as a walk-in.",
                    name=person.name,
                    title=session.title,
                )
            )
        if rules.present([c.action for c in history(session.id, user_id, round_number)]):
            raise rules.CheckInRefused(
                _(
                    "%(name)s is already checked in for round %(round)s.",
                    name=person.name,
                    round=round_number + 1,
                )
                if networking
                else _("%(name)s is already checked in.", name=person.name)
            )
        entry = CheckIn(
            session_id=session.id,
            user_id=user_id,
            round_number=round_number,
            action="check_in",
            method=method,
            at=now,
            by_id=actor.id,
        )
        db.session.add(entry)
        record_audit(
            event_id=session.event_id,
            actor=actor,
            now=now,
            action="checked in",
            target=session.title,
            detail=_who(person, round_number, method),
        )
    return entry


def undo_check_in(
    *, session_id: int, user_id: int, actor: User, now: datetime, round_number: int | None = None
) -> CheckIn:
    with unit_of_work():
        session = _attended(session_id, actor)
        _check_actor(actor, session, user_id, round_number)
        if not rules.present([c.action for c in history(session.id, user_id, round_number)]):
            raise rules.CheckInRefused(_("This person is not checked in."))
        entry = CheckIn(
            session_id=session.id,
            user_id=user_id,
            round_number=round_number,
            action="undo",
            method="list",
            at=now,
            by_id=actor.id,
        )
        db.session.add(entry)
        record_audit(
            event_id=session.event_id,
            actor=actor,
            now=now,
            action="check-in undone",
            target=session.title,
            detail=_who(db.session.get(User, user_id), round_number, "list"),
        )
    return entry


def _who(person: User | None, round_number: int | None, method: str) -> str:
    name = person.email if person else "?"
    where = f", round {round_number + 1}" if round_number is not None else ""
    return f"{name}{where} ({method})"


def check_in_by_code(
    *,
    session_id: int,
    code: str,
    secret_key: str,
    actor: User,
    now: datetime,
    round_number: int | None = None,
) -> CheckIn:
    user = user_for_qr_code(code, secret_key)
    return check_in(
        session_id=session_id,
        user_id=user.id,
        actor=actor,
        now=now,
        round_number=round_number,
        method="qr",
    )


def walk_in(
    *,
    session_id: int,
    user: User,
    actor: User,
    now: datetime,
    override: bool = False,
    round_number: int | None = None,
    enforce_day: bool = True,
) -> CheckIn:
    """Register someone on the spot (seats permitting, or an explicit override) and check in:
    one transaction under the seat lock; a refusal changes nothing."""
    if not can_manage(actor):
        raise PermissionDenied(_("Only organisers register walk-ins."))
    attended = _attended(session_id, actor)
    with unit_of_work(lock_session=attended.id) as unit:
        session = unit.locked(attended.id)
        check_not_cancelled(session.is_cancelled, event_cancelled=session.event.is_cancelled)
        if enforce_day:
            _check_day(session, now)
        reg = active_registration(session.id, user.id)
        full = not has_free_seat(session.capacity, confirmed_count(session.id))
        if (reg is None or reg.status == RegistrationStatus.WAITLISTED) and full and not override:
            raise rules.CheckInRefused(
                _(
                    "The session is full (%(seats)s seats): confirm %(name)s past capacity to "
                    "let them in.",
                    seats=session.capacity,
                    name=user.name,
                )
            )
        if reg is None:
            outcome = register_participant(
                user=user, session_id=session.id, now=now, actor=actor, check_window=False
            )
            reg = db.session.get(Registration, outcome.registration_id)
        if reg.status == RegistrationStatus.WAITLISTED:
            confirm_with_override(registration_id=reg.id, now=now, actor=actor)
        return check_in(
            session_id=session.id,
            user_id=user.id,
            actor=actor,
            now=now,
            round_number=round_number,
            method="walk_in",
            enforce_day=False,
        )


def walk_in_person(
    *,
    session_id: int,
    email: str,
    name: str,
    organisation_id: int | None,
    actor: User,
    now: datetime,
    override: bool = False,
    round_number: int | None = None,
) -> CheckIn:
    """A walk-in by e-mail: their account, or a new one made for them (with a random password
    they can reset), registered and checked in, all in one transaction."""
    import secrets

    from meetingapp.models.user import normalise_email, user_by_email
    from meetingapp.passwords import hash_password

    with unit_of_work():
        person = user_by_email(email)
        if person is None:
            if not name.strip():
                raise ValidationFailed(_("Give the name of the person walking in."), field="name")
            person = User(
                email=normalise_email(email),
                name=name.strip()[:120],
                organisation_id=organisation_id,
                password_hash=hash_password(secrets.token_urlsafe(24)),
            )
            db.session.add(person)
            db.session.flush()
            record_audit(
                event_id=visible_session(session_id, actor).event_id,
                actor=actor,
                now=now,
                action="account made at the door",
                target=person.email,
            )
        return walk_in(
            session_id=session_id,
            user=person,
            actor=actor,
            now=now,
            override=override,
            round_number=round_number,
        )
