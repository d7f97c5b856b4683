"""Checking people in (by list, QR code or as walk-ins), undoing, and reading presence."""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from meetingapp.domain import attendance as rules
from meetingapp.domain.errors import NotFound, PermissionDenied
from meetingapp.domain.i18n import _
from meetingapp.domain.timezones import utc_to_local
from meetingapp.extensions import db
from meetingapp.models import (
    CheckIn,
    EventSession,
    Registration,
    RegistrationStatus,
    SessionKind,
    TopicTable,
    User,
)
from meetingapp.services import audit
from meetingapp.services.registrations import active_registration, register_participant

QR_PREFIX = "MTG1"


def qr_code_for(user: User, secret_key: str) -> str:
    """The text in a participant's QR code: ``MTG1-<user id>-<HMAC>``, unforgeable."""
    mac = hmac.new(secret_key.encode(), f"checkin:{user.id}".encode(), hashlib.sha256).hexdigest()[
        :24
    ]
    return f"{QR_PREFIX}-{user.id}-{mac.upper()}"


def user_for_qr_code(code: str, secret_key: str) -> User:
    """The participant behind a scanned or pasted code; CheckInRefused for anything else."""
    parts = code.strip().split("-")
    if (
        len(parts) != 3
        or parts[0].upper() != QR_PREFIX
        or not re.fullmatch(r"[0-9]{1,9}", parts[1])
    ):
        raise rules.CheckInRefused(_("This is not a meetingapp check-in code."))
    user = db.session.get(User, int(parts[1]))
    if user is None or not hmac.compare_digest(
        qr_code_for(user, secret_key).encode(), code.strip().upper().encode()
    ):
        raise rules.CheckInRefused(_("This check-in code is not valid (unknown or altered)."))
    return user


def _session(session_id: int) -> EventSession:
    session = db.session.get(EventSession, session_id)
    if session is None:
        raise NotFound(_("There is no such session."))
    return session


def can_check_in(actor: User, session: EventSession, round_number: int | None) -> bool:
    """Organisers everywhere; a table host for their own table's people (checked per person)."""
    if actor.is_organiser:
        return True
    return session.kind == SessionKind.SPEED_NETWORKING and any(
        t.host_user_id == actor.id for t in session.tables
    )


def _history(session_id: int, user_id: int, round_number: int | None) -> list[CheckIn]:
    stmt = select(CheckIn).where(CheckIn.session_id == session_id, CheckIn.user_id == user_id)
    stmt = stmt.where(
        CheckIn.round_number.is_(None)
        if round_number is None
        else CheckIn.round_number == round_number
    )
    return list(db.session.scalars(stmt.order_by(CheckIn.at, CheckIn.id)))


def _host_scope(actor: User, session: EventSession, user_id: int, round_number: int | None) -> None:
    if actor.is_organiser:
        return
    from meetingapp.models.rotation import latest_plan

    hosted = {t.id for t in session.tables if t.host_user_id == actor.id}
    plan = latest_plan(session.id, published_only=True)  # hosts work from what was published
    seated = plan is not None and any(
        a.user_id == user_id and a.round_number == round_number and a.table_id in hosted
        for a in plan.assignments
    )
    if not hosted or not seated:
        raise PermissionDenied(_("Table hosts check in the people seated at their own table."))


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
    """Record that a registered person is present. Refuses double check-ins and wrong days."""
    session = _session(session_id)
    if session.parent_id is not None:
        session = session.parent  # training-day sessions are attended through the day
        session_id = session.id
    if not can_check_in(actor, session, round_number):
        raise PermissionDenied(_("Only organisers and table hosts check people in."))
    networking = session.kind == SessionKind.SPEED_NETWORKING
    rules.check_round(round_number, session.round_count, networking)
    if enforce_day:
        tz = session.event.timezone
        rules.check_day(utc_to_local(now, tz).date(), utc_to_local(session.starts_at, tz).date())
    _host_scope(actor, session, user_id, round_number)
    person = db.session.get(User, user_id)
    if person is None:
        raise NotFound(_("There is no such participant."))
    reg = active_registration(session_id, user_id)
    if reg is None or reg.status != RegistrationStatus.CONFIRMED:
        raise rules.CheckInRefused(
            _(
                "%(name)s is not confirmed for “%(title)s”; register them as a walk-in.",
                name=person.name,
                title=session.title,
            )
        )
    if rules.present([c.action for c in _history(session_id, user_id, round_number)]):
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
        session_id=session_id,
        user_id=user_id,
        round_number=round_number,
        action="check_in",
        method=method,
        at=now,
        by_id=actor.id,
    )
    db.session.add(entry)
    audit.record(
        event_id=session.event_id,
        actor=actor,
        now=now,
        action="checked in",
        target=session.title,
        detail=_who(person, round_number, method),
    )
    db.session.commit()
    return entry


def undo_check_in(
    *, session_id: int, user_id: int, actor: User, now: datetime, round_number: int | None = None
) -> CheckIn:
    session = _session(session_id)
    if session.parent_id is not None:
        session = session.parent  # training-day sessions are attended through the day
        session_id = session.id
    if not can_check_in(actor, session, round_number):
        raise PermissionDenied(_("Only organisers and table hosts check people in."))
    _host_scope(actor, session, user_id, round_number)
    if not rules.present([c.action for c in _history(session_id, user_id, round_number)]):
        raise rules.CheckInRefused(_("This person is not checked in."))
    entry = CheckIn(
        session_id=session_id,
        user_id=user_id,
        round_number=round_number,
        action="undo",
        method="list",
        at=now,
        by_id=actor.id,
    )
    db.session.add(entry)
    person = db.session.get(User, user_id)
    audit.record(
        event_id=session.event_id,
        actor=actor,
        now=now,
        action="check-in undone",
        target=session.title,
        detail=_who(person, round_number, "list"),
    )
    db.session.commit()
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
    """Register someone on the spot (capacity permitting, or an explicit override) and check in.

    Refusals change nothing: the day and the capacity are checked before anything is written.
    """
    from meetingapp.services.registrations import confirmed_count

    if not actor.is_organiser:
        raise PermissionDenied(_("Only organisers register walk-ins."))
    session = _session(session_id)
    if enforce_day:
        tz = session.event.timezone
        rules.check_day(utc_to_local(now, tz).date(), utc_to_local(session.starts_at, tz).date())
    reg = active_registration(session_id, user.id)
    full = session.capacity is not None and confirmed_count(session_id) >= session.capacity
    if (reg is None or reg.status == RegistrationStatus.WAITLISTED) and full and not override:
        raise rules.CheckInRefused(
            _(
                "The session is full (%(seats)s seats): confirm %(name)s past capacity to let them "
                "in.",
                seats=session.capacity,
                name=user.name,
            )
        )
    if reg is None:
        outcome = register_participant(
            user=user, session_id=session_id, now=now, actor=actor, check_window=False
        )
        reg = db.session.get(Registration, outcome.registration_id)
    if reg.status == RegistrationStatus.WAITLISTED:
        if not override:
            raise rules.CheckInRefused(
                _(
                    "The session is full: %(name)s is on the waitlist. "
                    "Confirm past capacity to let them in.",
                    name=user.name,
                )
            )
        from meetingapp.services.registrations import confirm_with_override

        confirm_with_override(registration_id=reg.id, now=now, actor=actor)
    return check_in(
        session_id=session_id,
        user_id=user.id,
        actor=actor,
        now=now,
        round_number=round_number,
        method="walk_in",
        enforce_day=False,
    )


@dataclass(frozen=True)
class Presence:
    user_id: int
    round_number: int | None
    at: datetime
    by_id: int | None


def presence_for_sessions(session_ids: list[int]) -> dict[int, list[Presence]]:
    """{session_id: people present (latest action check_in)}; one query for any number."""
    if not session_ids:
        return {}
    latest: dict[tuple[int, int, int | None], CheckIn] = {}
    stmt = (
        select(CheckIn).where(CheckIn.session_id.in_(session_ids)).order_by(CheckIn.at, CheckIn.id)
    )
    for c in db.session.scalars(stmt):
        latest[(c.session_id, c.user_id, c.round_number)] = c
    out: dict[int, list[Presence]] = {sid: [] for sid in session_ids}
    for (sid, uid, rnd), c in latest.items():
        if c.action == "check_in":
            out[sid].append(Presence(uid, rnd, c.at, c.by_id))
    return out


def hosted_tables(user_id: int) -> list[TopicTable]:
    return list(db.session.scalars(select(TopicTable).where(TopicTable.host_user_id == user_id)))
