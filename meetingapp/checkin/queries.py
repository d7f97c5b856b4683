"""Named reads of attendance: the check-in sheet behind the check-in page, and presence.

Presence is the latest action (check-in or undo) per person, session and round. The sheet loads
what it needs in a fixed number of statements, whatever the number of people.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import aliased

from meetingapp.domain import attendance as rules
from meetingapp.domain.errors import NotFound, PermissionDenied
from meetingapp.domain.i18n import _
from meetingapp.domain.timezones import utc_to_local
from meetingapp.domain.visibility import can_manage
from meetingapp.extensions import db
from meetingapp.models import (
    CheckIn,
    EventSession,
    Organisation,
    Registration,
    RegistrationStatus,
    SessionKind,
    TopicTable,
    User,
)
from meetingapp.models.event import visible_session
from meetingapp.rotation.queries import hosted_seats, seats_in_round


def may_open_check_in(actor: User, session: EventSession) -> bool:
    """Organisers, and the hosts of a speed-networking session's tables (for their people)."""
    return can_manage(actor) or (
        session.kind == SessionKind.SPEED_NETWORKING
        and any(t.host_user_id == actor.id for t in session.tables)
    )


def history(session_id: int, user_id: int, round_number: int | None) -> list[CheckIn]:
    stmt = select(CheckIn).where(CheckIn.session_id == session_id, CheckIn.user_id == user_id)
    stmt = stmt.where(
        CheckIn.round_number.is_(None)
        if round_number is None
        else CheckIn.round_number == round_number
    )
    return list(db.session.scalars(stmt.order_by(CheckIn.at, CheckIn.id)))


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


@dataclass
class SheetRow:
    user_id: int
    name: str
    email: str
    entity: str
    status: str  # confirmed | waitlisted | "" (present without a confirmed registration)
    present: bool = False
    at: datetime | None = None
    by: str = ""
    method: str = ""
    table: str = ""  # speed networking: the table code in this round

    @property
    def search(self) -> str:
        return " ".join((self.name, self.email, self.entity, self.table)).casefold()


@dataclass
class LogLine:
    at: datetime
    action: str
    name: str
    by: str
    method: str
    round_number: int | None


@dataclass
class CheckInSheet:
    session: EventSession
    round_number: int | None
    rows: list[SheetRow]  # the people to check in, filtered by the search
    waitlisted: list[SheetRow]  # organisers only: can be let in past capacity
    present: int  # of everyone expected, whatever the search
    expected: int
    hosted_codes: list[str]  # a host's own tables; empty for organisers
    day_note: str  # why check-in is refused today ('' on the session's day)
    log: list[LogLine]


def default_round(session: EventSession, now: datetime) -> int | None:
    """The round under way (or the next one) at ``now``; None for sessions without rounds."""
    if session.kind != SessionKind.SPEED_NETWORKING or not session.round_count:
        return None
    started = [r.number for r in session.rounds if r.starts_at <= now]
    return min(max(started, default=0), session.round_count - 1)


def check_in_sheet(
    *, session_id: int, actor: User, now: datetime, round_number: int | None, query: str = ""
) -> CheckInSheet:
    """Who to check in for a session (and round): organisers see everyone confirmed, table hosts
    the people seated at their tables in that round. Filtered by ``query`` (name, e-mail,
    entity or table), in five statements at most."""
    session = visible_session(session_id, actor)
    if not session.registrable:
        raise NotFound(_("There is no check-in for this part of the programme."))
    if not may_open_check_in(actor, session):
        raise PermissionDenied(_("Only organisers and table hosts check people in."))
    people: dict[int, SheetRow] = {}
    for uid, status, name, email, short in db.session.execute(
        select(
            Registration.user_id,
            Registration.status,
            User.name,
            User.email,
            Organisation.short_name,
        )
        .join(User, User.id == Registration.user_id)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .where(
            Registration.session_id == session_id,
            Registration.status != RegistrationStatus.CANCELLED,
        )
    ):
        people[uid] = SheetRow(uid, name, email, short or "", status.value)
    log = _apply_check_ins(session_id, round_number, people)
    organiser = can_manage(actor)
    hosted = [t for t in session.tables if t.host_user_id == actor.id]
    if session.kind == SessionKind.SPEED_NETWORKING:
        people = _seat(session, round_number, people, None if organiser else actor)
    expected = [p for p in people.values() if p.status == "confirmed" or p.present]
    waiting = [p for p in people.values() if p.status == "waitlisted" and not p.present]
    needle = query.strip().casefold()

    def shown(rows: list[SheetRow]) -> list[SheetRow]:
        return sorted(
            (p for p in rows if needle in p.search), key=lambda p: (p.name.casefold(), p.user_id)
        )

    day_note = ""
    try:
        tz = session.event.timezone
        rules.check_day(utc_to_local(now, tz).date(), utc_to_local(session.starts_at, tz).date())
    except rules.CheckInRefused as exc:
        day_note = exc.args[0]  # a domain Message: the page shows it in the reader's language
    return CheckInSheet(
        session,
        round_number,
        shown(expected),
        shown(waiting) if organiser else [],
        sum(p.present for p in expected),
        len(expected),
        [] if organiser else [t.code for t in hosted],
        day_note,
        log,
    )


def _apply_check_ins(
    session_id: int, round_number: int | None, people: dict[int, SheetRow]
) -> list[LogLine]:
    """Mark who is present in this round; return the round's latest twenty actions."""
    by_user = aliased(User)
    stmt = (
        select(
            CheckIn.user_id,
            CheckIn.action,
            CheckIn.method,
            CheckIn.at,
            CheckIn.round_number,
            by_user.name,
            User.name,
            User.email,
            Organisation.short_name,
        )
        .join(User, User.id == CheckIn.user_id)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .outerjoin(by_user, by_user.id == CheckIn.by_id)
        .where(
            CheckIn.session_id == session_id,
            CheckIn.round_number.is_(None)
            if round_number is None
            else CheckIn.round_number == round_number,
        )
        .order_by(CheckIn.at, CheckIn.id)
    )
    log = []
    for uid, action, method, at, rnd, by, name, email, short in db.session.execute(stmt):
        log.append(LogLine(at, action, name, by or "", method, rnd))
        row = people.get(uid) or people.setdefault(uid, SheetRow(uid, name, email, short or "", ""))
        row.present = action == "check_in"
        row.at, row.by, row.method = (at, by or "", method) if row.present else (None, "", "")
    return log[::-1][:20]


def _seat(
    session: EventSession,
    round_number: int | None,
    people: dict[int, SheetRow],
    host: User | None,
) -> dict[int, SheetRow]:
    """Add each person's table in the round (of the published plan, what people were told);
    for a ``host`` keep only the people at their tables, as the check-in service allows."""
    codes = {t.id: t.code for t in session.tables}
    seats: dict[int, int] = {}
    if round_number is not None:
        seats = seats_in_round(session.id, round_number, published_only=True)
    for uid, row in people.items():
        row.table = codes.get(seats.get(uid), "")
    if host is None:
        return people
    mine = hosted_seats(session, host.id, round_number)
    return {uid: row for uid, row in people.items() if uid in mine}
