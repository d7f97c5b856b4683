"""Attendance reports: per event and per session, and the paragraph for the official report.

Every function loads what it needs in a fixed number of statements, however many registrations
or check-ins there are: registrations (with users and entities), check-ins (with who recorded
them), and for speed networking the plan and its seats. Rows are selected as plain columns, not
ORM objects, so 10,000 registrations stay cheap.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import get_locale, gettext, ngettext
from sqlalchemy import select
from sqlalchemy.orm import aliased, selectinload

from meetingapp.domain.errors import NotFound
from meetingapp.domain.i18n import _
from meetingapp.domain.official_report import english_order, official_name, official_paragraph
from meetingapp.extensions import db
from meetingapp.i18n import content
from meetingapp.models import (
    CheckIn,
    Event,
    EventSession,
    Organisation,
    Registration,
    SessionKind,
    TopicTable,
    User,
)
from meetingapp.models.rotation import RotationAssignment, RotationPlan

STATUS_ORDER = {"confirmed": 0, "waitlisted": 1, "cancelled": 2, "": 3}


# --- the paragraph for the official report (pure) ------------------------------------------------


def join_names(names: list[str]) -> str:
    """'A', 'A and B', 'A, B and C' — the seed's style, no serial comma ('A、B和C' in Chinese)."""
    if len(names) <= 1:
        return "".join(names)
    separator = gettext(", ")
    return gettext("%(names)s and %(last)s", names=separator.join(names[:-1]), last=names[-1])


def entity_order(short_name: str) -> tuple[str, str]:
    """Entities are listed alphabetically by short name (case-insensitive): neutral and stable."""
    return (short_name.casefold(), short_name)


def report_subject(kind: SessionKind, title: str) -> tuple[str, str]:
    """The sentence's subject and the noun for the entities ('offices' as in the seed)."""
    if kind == SessionKind.TRAINING:
        return gettext("The training day"), "offices"
    if kind == SessionKind.SPEED_NETWORKING:
        return gettext("The speed-networking session “%(title)s”", title=title), "entities"
    return gettext("The session “%(title)s”", title=title), "entities"


def attendance_paragraph(
    subject: str,
    attended: int,
    entities: list[str],
    *,
    noun: str = "offices",
    without_entity: int = 0,
) -> str:
    """'The training day was attended by 21 participants from the following offices: A, B and C.'

    ``entities`` are short names, already ordered; ``without_entity`` counts attendees with no
    entity on record. Empty when nobody attended.
    """
    if attended <= 0:
        return ""
    people = ngettext("%(num)d participant", "%(num)d participants", attended)
    if not entities:
        return gettext("%(subject)s was attended by %(people)s.", subject=subject, people=people)
    many = len(entities) > 1
    nouns = {
        "offices": gettext("offices") if many else gettext("office"),
        "entities": gettext("entities") if many else gettext("entity"),
    }
    words = {
        "subject": subject,
        "people": people,
        "noun": nouns.get(noun, noun),
        "names": join_names(entities),
    }
    if without_entity:
        return gettext(
            "%(subject)s was attended by %(people)s from the following %(noun)s: "
            "%(names)s (%(count)s of them with no entity on record).",
            count=without_entity,
            **words,
        )
    return gettext(
        "%(subject)s was attended by %(people)s from the following %(noun)s: %(names)s.", **words
    )


# --- report data ---------------------------------------------------------------------------------


@dataclass
class Counts:
    registered: int = 0  # holding a confirmed seat (walk-ins included)
    waitlisted: int = 0
    cancelled: int = 0
    attended: int = 0
    no_shows: int = 0  # confirmed but never checked in
    # Hybrid sessions: online attendance counted apart (neither registered, attended nor
    # no-shows above, which are the room's).
    online: int = 0  # confirmed to attend online
    attended_online: int = 0  # of those, checked in (marked present)

    def add(self, status: str, present: bool, online: bool = False) -> None:
        if online and status == "confirmed":
            self.online += 1
            self.attended_online += int(present)
            return
        if status == "confirmed":
            self.registered += 1
            if not present:
                self.no_shows += 1
        elif status == "waitlisted":
            self.waitlisted += 1
        elif status == "cancelled":
            self.cancelled += 1
        if present:
            self.attended += 1


@dataclass
class Attendance:
    """One person in one session: their registration and whether (and when) they came."""

    session_id: int
    user_id: int
    name: str
    email: str
    entity: str
    entity_name: str
    status: str = ""  # confirmed | waitlisted | cancelled | "" (checked in, never registered)
    override: bool = False
    registered_at: datetime | None = None
    checked_in_at: datetime | None = None
    checked_in_by: str = ""
    method: str = ""
    rounds: list[int] = field(default_factory=list)  # speed networking: rounds present (from 0)
    online: bool = False  # attends a hybrid session online

    @property
    def present(self) -> bool:
        return self.checked_in_at is not None


@dataclass
class EntityCounts:
    entity: str
    entity_name: str
    counts: Counts


@dataclass
class TableRound:
    """Planned seats and people present at one table in one round ('' code: not in the plan)."""

    round_number: int
    round_starts_at: datetime | None
    table_code: str
    topic: str
    host: str
    seats: int
    planned: int
    present: int


@dataclass
class SessionReport:
    session: EventSession
    counts: Counts
    by_entity: list[EntityCounts]
    people: list[Attendance]
    tables: list[TableRound]
    paragraph: str
    plan_version: int | None = None

    @property
    def table_totals(self) -> list[TableTotal]:
        """Per table, seats planned and people present summed over the rounds."""
        totals: dict[str, TableTotal] = {}
        for t in self.tables:
            if t.table_code:
                label = gettext("Table %(code)s", code=t.table_code)
                total = totals.setdefault(t.table_code, TableTotal(label, 0, 0))
                total.planned += t.planned
                total.present += t.present
        return list(totals.values())


@dataclass
class TableTotal:
    label: str
    planned: int
    present: int


@dataclass
class EntityRow:
    """Event-wide: distinct people of one entity, and who attended each session."""

    entity: str
    entity_name: str
    attended_by_session: dict[int, int]
    attended: int  # distinct people who attended at least one session
    registered: int  # distinct people confirmed for at least one session


@dataclass
class EventReport:
    event: Event
    sessions: list[SessionReport]
    entities: list[EntityRow]

    @property
    def people(self) -> list[Attendance]:
        return [p for s in self.sessions for p in s.people]


def _event_for_report(event_id: int) -> Event | None:
    stmt = (
        select(Event)
        .where(Event.id == event_id)
        .options(
            selectinload(Event.sessions).options(
                selectinload(EventSession.rounds),
                selectinload(EventSession.tables).selectinload(TopicTable.host_organisation),
            )
        )
    )
    return db.session.scalar(stmt)


def report_sessions(event: Event) -> list[EventSession]:
    """The sessions a report covers: top-level ones that take registrations, in time order."""
    return sorted(
        (s for s in event.sessions if s.registrable), key=lambda s: (s.starts_at, s.position, s.id)
    )


def event_report(event_id: int) -> EventReport:
    """Every registrable session of the event with its counts, entities, tables and paragraph."""
    event = _event_for_report(event_id)
    if event is None:
        raise NotFound(_("There is no such event."))
    sessions = [_build(s, rows) for s, rows in _load(report_sessions(event)).items()]
    return EventReport(event, sessions, _entity_rows(sessions))


def session_report(session_id: int) -> SessionReport:
    """One session's report; a training-day part reports as its day."""
    session = db.session.get(EventSession, session_id)
    if session is not None and session.parent_id is not None:
        session = session.parent
    if session is None or not session.registrable:
        raise NotFound(_("There is no report for this part of the programme."))
    event = _event_for_report(session.event_id)
    session = next(s for s in event.sessions if s.id == session.id)
    return _build(session, _load([session])[session])


@dataclass(frozen=True)
class OfficialNames:
    """An entity's names for the official paragraph (``Organisation.official_name``)."""

    english: str
    others: dict[str, str]
    report_group: int

    def in_language(self, language: str) -> str:
        return official_name(self.english, self.others, language)

    @property
    def order(self) -> tuple:
        return english_order(self.report_group, self.english)


@dataclass
class _Loaded:
    people: dict[int, Attendance]
    official: dict[str, OfficialNames] = field(default_factory=dict)  # by short name
    plan_version: int | None = None
    seats: list[tuple[int, int, int]] = field(default_factory=list)  # (round, table, user)
    round_presence: dict[int, set[int]] = field(default_factory=dict)  # round -> user ids


def _load(sessions: list[EventSession]) -> dict[EventSession, _Loaded]:
    """Registrations, check-ins, entities and plans of these sessions in at most five statements."""
    ids = [s.id for s in sessions]
    loaded = {s: _Loaded({}) for s in sessions}
    by_id = {s.id: loaded[s] for s in sessions}
    if not ids:
        return loaded
    regs = (
        select(
            Registration.session_id,
            Registration.user_id,
            Registration.status,
            Registration.override,
            Registration.created_at,
            Registration.online,
            User.name,
            User.email,
            User.organisation_id,
        )
        .join(User, User.id == Registration.user_id)
        .where(Registration.session_id.in_(ids))
        .order_by(Registration.id)
    )
    # Entities once each, not once per row (their names are JSON, decoded on every read).
    entities = {
        org_id: (short, full, OfficialNames(full, names or {}, group or 0))
        for org_id, short, full, names, group in _rows(
            select(
                Organisation.id,
                Organisation.short_name,
                Organisation.full_name,
                Organisation.names,
                Organisation.report_group,
            )
        )
    }
    nobody = ("", "", None)
    for sid, uid, status, override, created, online, name, email, org_id in _rows(regs):
        short, full, official = entities.get(org_id, nobody)
        if official is not None:
            by_id[sid].official[short] = official
        people = by_id[sid].people
        known = people.get(uid)
        # An active registration wins over cancelled ones; otherwise the latest row wins.
        if known is not None and known.status != "cancelled" and status == "cancelled":
            continue
        people[uid] = Attendance(
            sid, uid, name, email, short, full, status.value, bool(override), created
        )
        people[uid].online = bool(online)
    by_user = aliased(User)
    checks = (
        select(
            CheckIn.session_id,
            CheckIn.user_id,
            CheckIn.round_number,
            CheckIn.action,
            CheckIn.method,
            CheckIn.at,
            by_user.name,
            User.name,
            User.email,
            User.organisation_id,
        )
        .join(User, User.id == CheckIn.user_id)
        .outerjoin(by_user, by_user.id == CheckIn.by_id)
        .where(CheckIn.session_id.in_(ids))
        .order_by(CheckIn.at, CheckIn.id)
    )
    latest: dict[tuple[int, int, int | None], tuple] = {}
    for sid, uid, rnd, *rest in _rows(checks):
        latest[(sid, uid, rnd)] = rest
    for (sid, uid, rnd), row in latest.items():
        action, method, at, by, name, email, org_id = row
        if action != "check_in":
            continue
        short, full, official = entities.get(org_id, nobody)
        if official is not None:
            by_id[sid].official[short] = official
        people = by_id[sid].people
        person = people.get(uid) or people.setdefault(
            uid, Attendance(sid, uid, name, email, short, full)
        )
        if rnd is not None:
            person.rounds.append(rnd)
            by_id[sid].round_presence.setdefault(rnd, set()).add(uid)
        if person.checked_in_at is None or at < person.checked_in_at:
            # The earliest check-in that still holds (speed networking: the first round present).
            person.checked_in_at, person.checked_in_by, person.method = at, by or "", method
    _load_plans([s for s in sessions if s.kind == SessionKind.SPEED_NETWORKING], by_id)
    return loaded


def _rows(stmt):
    """Plain rows through Core: the ORM's per-row bookkeeping is the bulk of the time otherwise."""
    return db.session.connection().execute(stmt)


def _load_plans(networking: list[EventSession], by_id: dict[int, _Loaded]) -> None:
    """The published plan of each session (else its latest draft), with its seats."""
    if not networking:
        return
    chosen: dict[int, tuple[bool, int, int]] = {}
    for plan_id, sid, status, version in _rows(
        select(
            RotationPlan.id, RotationPlan.session_id, RotationPlan.status, RotationPlan.version
        ).where(
            RotationPlan.session_id.in_([s.id for s in networking]),
            RotationPlan.status != "superseded",
        )
    ):
        key = (status == "published", version, plan_id)
        if sid not in chosen or key > chosen[sid]:
            chosen[sid] = key
    plans = {key[2]: sid for sid, key in chosen.items()}
    for sid, key in chosen.items():
        by_id[sid].plan_version = key[1]
    if not plans:
        return
    for plan_id, rnd, table_id, uid in _rows(
        select(
            RotationAssignment.plan_id,
            RotationAssignment.round_number,
            RotationAssignment.table_id,
            RotationAssignment.user_id,
        ).where(RotationAssignment.plan_id.in_(list(plans)))
    ):
        by_id[plans[plan_id]].seats.append((rnd, table_id, uid))


def _build(session: EventSession, loaded: _Loaded) -> SessionReport:
    people = sorted(
        loaded.people.values(), key=lambda p: (STATUS_ORDER[p.status], p.name.casefold(), p.user_id)
    )
    counts = Counts()
    entities: dict[str, EntityCounts] = {}
    for p in people:
        p.rounds.sort()
        counts.add(p.status, p.present, p.online)
        entry = entities.setdefault(p.entity, EntityCounts(p.entity, p.entity_name, Counts()))
        entry.counts.add(p.status, p.present, p.online)
    by_entity = sorted(entities.values(), key=lambda e: (e.entity == "", entity_order(e.entity)))
    came = [e.entity for e in by_entity if e.entity and e.counts.attended]
    subject, noun = report_subject(session.kind, session.title)
    no_entity = entities.get("")
    without_entity = no_entity.counts.attended if no_entity else 0
    paragraph = _official_paragraph(session, counts.attended, came, loaded) or attendance_paragraph(
        subject, counts.attended, came, noun=noun, without_entity=without_entity
    )
    tables = _table_rounds(session, loaded) if session.kind == SessionKind.SPEED_NETWORKING else []
    return SessionReport(session, counts, by_entity, people, tables, paragraph, loaded.plan_version)


def _official_paragraph(
    session: EventSession, attended: int, came: list[str], loaded: _Loaded
) -> str:
    """The official report's paragraph in the current language, naming each entity by its
    official name in the seed's order; empty when an attendee has no entity on record (the
    interface's sentence then says how many), so the list never claims more than it knows."""
    if sum(p.present for p in loaded.people.values() if not p.entity):
        return ""
    language = str(get_locale() or "en")
    entities = sorted((loaded.official[short] for short in came), key=lambda e: e.order)
    return official_paragraph(
        language,
        attended,
        [e.in_language(language) for e in entities],
        training=session.kind == SessionKind.TRAINING,
    )


def _table_rounds(session: EventSession, loaded: _Loaded) -> list[TableRound]:
    rounds = {r.number: r for r in session.rounds}
    planned: dict[tuple[int, int], set[int]] = defaultdict(set)
    seated: dict[int, set[int]] = defaultdict(set)
    for rnd, table_id, uid in loaded.seats:
        planned[(rnd, table_id)].add(uid)
        seated[rnd].add(uid)
    out = []
    for number in range(session.round_count or 0):
        here = loaded.round_presence.get(number, set())
        starts = rounds[number].starts_at if number in rounds else None
        for t in session.tables:
            people = planned.get((number, t.id), set())
            out.append(
                TableRound(
                    number,
                    starts,
                    t.code,
                    content(t),
                    t.host_display,
                    t.seats,
                    len(people),
                    len(people & here),
                )
            )
        unseated = len(here - seated[number])
        if unseated:
            out.append(
                TableRound(
                    number, starts, "", gettext("Present, not in the plan"), "", 0, 0, unseated
                )
            )
    return out


def _entity_rows(sessions: list[SessionReport]) -> list[EntityRow]:
    rows: dict[str, EntityRow] = {}
    attended: dict[str, set[int]] = defaultdict(set)
    registered: dict[str, set[int]] = defaultdict(set)
    for s in sessions:
        for p in s.people:
            row = rows.setdefault(p.entity, EntityRow(p.entity, p.entity_name, {}, 0, 0))
            if p.present:
                row.attended_by_session[s.session.id] = (
                    row.attended_by_session.get(s.session.id, 0) + 1
                )
                attended[p.entity].add(p.user_id)
            if p.status == "confirmed":
                registered[p.entity].add(p.user_id)
    for entity, row in rows.items():
        row.attended, row.registered = len(attended[entity]), len(registered[entity])
    return sorted(rows.values(), key=lambda r: (r.entity == "", entity_order(r.entity)))
