"""`flask demo load`: the customer's events, entities, accounts, registrations. Idempotent."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask import current_app
from sqlalchemy import event as sa_event
from sqlalchemy import select

from meetingapp import clock
from meetingapp.checkin.queries import presence_for_sessions
from meetingapp.checkin.service import check_in
from meetingapp.demo import data, entity_names
from meetingapp.demo.today import ensure_today
from meetingapp.demo.translations import session_translations, table_translations
from meetingapp.domain.networking import round_times
from meetingapp.domain.timezones import local_to_utc
from meetingapp.extensions import db
from meetingapp.mail.queries import HELD_PAST_SESSION
from meetingapp.models import (
    AgendaItem,
    Event,
    EventSession,
    FocalPoint,
    NetworkingRound,
    Organisation,
    OutboxMessage,
    Role,
    SessionKind,
    TopicTable,
    User,
)
from meetingapp.models.user import user_by_email
from meetingapp.organise.cloning import clone_event
from meetingapp.passwords import hash_password
from meetingapp.registration.queries import active_registration
from meetingapp.registration.service import register_participant
from meetingapp.rotation.queries import latest_plan, my_picks
from meetingapp.rotation.service import plan_rotation, publish_plan, save_picks
from meetingapp.uow import unit_of_work


@dataclass
class DemoSummary:
    created_events: int
    created_users: int
    created_registrations: int


def _local(day: str, hhmm: str, tz: str) -> datetime:
    return local_to_utc(datetime.fromisoformat(f"{day}T{hhmm}"), tz)


def participant_email(n: int) -> str:
    return f"participant{n:02d}@example.org"


def _participant_org(n: int) -> str:
    """Participants 1–21 are the trainees from the seed's 15 offices; the rest spread wider."""
    extra_trainees = ["DESA", "DOS", "OICT", "UNODA", "DPO", "UNFPA"]
    if n <= 15:
        return data.TRAINEE_OFFICES[n - 1]
    if n <= 21:
        return extra_trainees[n - 16]
    others = [o for o in data.SESSION_ENTITIES if o not in data.TRAINEE_OFFICES]
    pool = others + data.TRAINEE_OFFICES + ["WIPO", "IAEA", "UNODC", "CTBTO"]
    return pool[(n - 22) % len(pool)]


def _main_session_people(participants: list[User]) -> list[User]:
    """One person of each entity the seed lists at the main session (16), none of them a
    trainee: the first participant after the trainees from each."""
    return [
        next(p for p in participants[21:] if p.organisation.short_name == short)
        for short in data.SESSION_ENTITIES
    ]


def load_demo(now: datetime | None = None) -> DemoSummary:
    """Create what is missing of the demo; running it again changes nothing.

    The two 2024 events are the historical record (registrations, the published rotation and
    check-ins as the report tells them); an upcoming edition of each, cloned to dates a few
    weeks after ``now``, has open registration, a nearly full training day and open picks.
    Loaded in one unit of work: all of it, or nothing.
    """
    now = now or clock.now()
    with unit_of_work():
        return _load(now)


def _load(now: datetime) -> DemoSummary:
    orgs = _ensure_organisations()
    password_hash = hash_password(current_app.config["DEMO_PASSWORD"])
    users_before = len(db.session.scalars(select(User.id)).all())
    organiser = _ensure_user(
        data.ORGANISER_EMAIL, "Demo Organiser", orgs["UNOOSA"], Role.ORGANISER, password_hash
    )
    participants = [
        _ensure_user(
            participant_email(n),
            f"Participant {n:02d}",
            orgs[_participant_org(n)],
            Role.PARTICIPANT,
            password_hash,
        )
        for n in range(1, data.PARTICIPANT_COUNT + 1)
    ]
    hosts = {}
    for code, _topic, org, _label in data.VIENNA["sessions"][0]["tables"]:
        hosts[code] = _ensure_user(
            f"host-{code}@example.org",
            f"Table host {code} ({org})",
            orgs[org],
            Role.PARTICIPANT,
            password_hash,
        )
    db.session.flush()
    _ensure_focal_point(participants[data.FOCAL_POINT - 1], organiser, now)
    created_events = 0
    events = {}
    for spec in data.EVENTS:
        event, created = _ensure_event(spec, orgs, hosts, organiser)
        events[spec["title"]] = event
        created_events += created
    users_created = len(db.session.scalars(select(User.id)).all()) - users_before
    with _mail_held_if_ended(list(events.values()), now):
        registrations = _ensure_registrations(events, participants)
        _ensure_history(events, participants, organiser)
    upcoming, made = _ensure_upcoming(events, organiser, now)
    created_events += made
    registrations += _ensure_upcoming_registrations(upcoming, participants, now)
    created_events += ensure_today(
        organiser=organiser, participants=participants, hosts=hosts, orgs=orgs, now=now
    )
    return DemoSummary(created_events, users_created, registrations)


def _ensure_organisations() -> dict[str, Organisation]:
    existing = {o.short_name: o for o in db.session.scalars(select(Organisation))}
    for short, full in data.ORGANISATIONS:
        if short not in existing:
            existing[short] = Organisation(short_name=short, full_name=full)
            db.session.add(existing[short])
        org = existing[short]
        if not org.names:  # a demo made before the entities had their official names
            org.names = entity_names.names_of(short)
            org.report_group = entity_names.REPORT_GROUPS.get(short, 0)
    db.session.flush()
    return existing


def _ensure_focal_point(person: User, organiser: User, now: datetime) -> None:
    """One of the demo's people is their entity's focal point (My entity)."""
    if db.session.get(FocalPoint, (person.organisation_id, person.id)) is None:
        db.session.add(
            FocalPoint(
                organisation_id=person.organisation_id,
                user_id=person.id,
                created_at=now,
                created_by_id=organiser.id,
            )
        )


def _ensure_user(email, name, org, role, password_hash) -> User:
    user = user_by_email(email)
    if user is None:
        # Demo addresses are made up: verified, so they register on a server that sends mail.
        user = User(
            email=email,
            name=name,
            organisation=org,
            role=role,
            password_hash=password_hash,
            email_verified=True,
        )
        db.session.add(user)
    return user


def _ensure_event(spec, orgs, hosts, organiser) -> tuple[Event, bool]:
    found = db.session.scalar(select(Event).where(Event.title == spec["title"]))
    if found is not None:
        return found, False
    tz = spec["timezone"]
    event = Event(
        title=spec["title"],
        description=spec["description"],
        city=spec["city"],
        venue=spec["venue"],
        timezone=tz,
        starts_on=date.fromisoformat(spec["starts_on"]),
        ends_on=date.fromisoformat(spec["ends_on"]),
        organisation=orgs[spec["organisation"]],
        co_organisers=spec["co_organisers"],
        published=True,
        created_by=organiser,
    )
    db.session.add(event)
    for position, s in enumerate(spec["sessions"]):
        session = EventSession(
            event=event,
            kind=SessionKind(s["kind"]),
            position=position,
            title=s["title"],
            description=s.get("description", ""),
            translations=session_translations(s["title"]),
            room=s.get("room", ""),
            starts_at=_local(s["day"], s["start"], tz),
            ends_at=_local(s["day"], s["end"], tz),
            capacity=s.get("capacity"),
            open_seating=s.get("open_seating", False),
            lead_organisation=orgs.get(s.get("lead")),
            chair=s.get("chair", ""),
        )
        for i, item in enumerate(s.get("agenda", []), start=1):
            notes = data.AGENDA_NOTES.get(item, "")
            session.agenda_items.append(AgendaItem(position=i, title=item, notes=notes))
        for i, (start, end, title) in enumerate(s.get("parts", [])):
            session.parts.append(
                EventSession(
                    event=event,
                    kind=SessionKind.PART,
                    position=i,
                    title=title,
                    room=session.room,
                    starts_at=_local(s["day"], start, tz),
                    ends_at=_local(s["day"], end, tz),
                )
            )
        if s["kind"] == "speed_networking":
            session.round_count = s["rounds"]
            session.round_minutes = s["round_minutes"]
            session.move_minutes = s["move_minutes"]
            session.min_tables = s["min_tables"]
            session.max_picks = s["max_picks"]
            session.picks_deadline = session.starts_at
            for n, (start, end) in enumerate(
                round_times(session.starts_at, s["rounds"], s["round_minutes"], s["move_minutes"])
            ):
                session.rounds.append(NetworkingRound(number=n, starts_at=start, ends_at=end))
            for code, topic, org, label in s["tables"]:
                session.tables.append(
                    TopicTable(
                        code=code,
                        topic=topic,
                        translations=table_translations(topic),
                        host_organisation=orgs[org],
                        host_label=label,
                        host_user=hosts[code],
                        seats=8,
                        min_seats=2,
                    )
                )
        db.session.add(session)
    db.session.flush()
    return event, True


def _ensure_registrations(events: dict[str, Event], participants: list[User]) -> int:
    """The 21 trainees (plus four on the waitlist), the main session and the speed dating."""
    ny = events[data.NEW_YORK["title"]]
    vienna = events[data.VIENNA["title"]]
    by_title = {s.title: s for s in ny.sessions}
    training = next(s for s in ny.sessions if s.kind == SessionKind.TRAINING)
    morning = by_title["Main part of the session — morning"]
    speed = vienna.sessions[0]
    signed_up = datetime(2024, 10, 1, 9, 0, tzinfo=UTC)
    plan = [
        (training.id, participants[:25]),
        (morning.id, _main_session_people(participants)),
        (speed.id, participants[:44]),
    ]
    created = 0
    for session_id, people in plan:
        for person in people:
            if active_registration(session_id, person.id) is None:
                register_participant(
                    user=person, session_id=session_id, now=signed_up, check_window=False
                )
                created += 1
    return created


@contextmanager
def _mail_held_if_ended(history: list[Event], now: datetime) -> Iterator[None]:
    """Mail that building the 2024 record queues (confirmations, rotations) is about sessions
    that ended: keep it in the outbox as held, saying why, so that no real mail goes out."""
    queued: list[OutboxMessage] = []

    def collect(session, instance) -> None:
        if session is db.session() and isinstance(instance, OutboxMessage):
            queued.append(instance)

    sa_event.listen(db.session, "transient_to_pending", collect)
    try:
        yield
    finally:
        sa_event.remove(db.session, "transient_to_pending", collect)
    if all(s.ends_at <= now for e in history for s in e.sessions):
        for message in queued:
            message.status, message.last_error = "held", HELD_PAST_SESSION


# --- the 2024 record: picks, the published rotation and who came ------------------------------

HISTORY_PLANNED_AT = datetime(2024, 11, 19, 15, 0, tzinfo=UTC)


def _demo_picks(n: int, table_ids: list[int], max_picks: int) -> list[int]:
    """Deterministic, varied rankings: popular tables first for some, niche ones for others."""
    order = table_ids[n % len(table_ids) :] + table_ids[: n % len(table_ids)]
    step = 1 + (n % 3)
    picked: list[int] = []
    i = 0
    while len(picked) < max_picks and i < 50:
        candidate = order[(i * step) % len(order)]
        if candidate not in picked:
            picked.append(candidate)
        i += 1
    return picked


def _ensure_history(events: dict[str, Event], participants: list[User], organiser: User) -> None:
    ny = events[data.NEW_YORK["title"]]
    speed = events[data.VIENNA["title"]].sessions[0]
    if latest_plan(speed.id) is None:
        table_ids = [t.id for t in speed.tables]
        for n, person in enumerate(participants[:44], start=1):
            save_picks(
                user=person,
                session_id=speed.id,
                now=datetime(2024, 11, 1, tzinfo=UTC),
                table_ids=_demo_picks(n, table_ids, speed.max_picks or 5),
            )
        plan = plan_rotation(session_id=speed.id, actor=organiser, now=HISTORY_PLANNED_AT)
        publish_plan(plan_id=plan.id, actor=organiser, now=HISTORY_PLANNED_AT)
    training = next(s for s in ny.sessions if s.kind == SessionKind.TRAINING)
    morning = next(s for s in ny.sessions if s.title.endswith("morning"))
    sessions = [training.id, morning.id, speed.id]
    if any(presence_for_sessions(sessions).values()):
        return
    # The report: 21 trainees from 15 offices; the main session's entities; the tables filled.
    for person in participants[:21]:
        check_in(
            session_id=training.id,
            user_id=person.id,
            actor=organiser,
            now=training.starts_at + timedelta(minutes=5),
            enforce_day=False,
        )
    for person in _main_session_people(participants):
        check_in(
            session_id=morning.id,
            user_id=person.id,
            actor=organiser,
            now=morning.starts_at + timedelta(minutes=5),
            enforce_day=False,
        )
    plan = latest_plan(speed.id, published_only=True)
    rounds = {r.number: r for r in speed.rounds}
    no_shows = {participants[42].id, participants[43].id}  # two left before the last round
    for a in sorted(plan.assignments, key=lambda a: (a.round_number, a.user_id)):
        if a.round_number == (speed.round_count or 1) - 1 and a.user_id in no_shows:
            continue
        check_in(
            session_id=speed.id,
            user_id=a.user_id,
            actor=organiser,
            round_number=a.round_number,
            now=rounds[a.round_number].starts_at,
            enforce_day=False,
        )


# --- upcoming editions ------------------------------------------------------------------------

UPCOMING = {
    data.NEW_YORK["title"]: ("UN-Space, 44th session", 21),
    data.VIENNA["title"]: (
        "UN-Space, 21st open informal session “Getting to know the UN: speed dating”",
        23,
    ),
}
UPCOMING_NOTE = (
    "Demo edition: cloned from the 2024 event to dates a few weeks after the day the "
    "demo was loaded, so registration, the waitlist and table picks can be tried."
)


def _holiday(start: date, length: timedelta) -> bool:
    """Whether an edition starting on ``start`` would fall in the year-end holidays (24 December
    to 2 January), when no inter-agency meeting is held."""
    day = start
    while day <= start + length:
        if (day.month, day.day) >= (12, 24) or (day.month, day.day) <= (1, 2):
            return True
        day += timedelta(days=1)
    return False


def _ensure_upcoming(
    events: dict[str, Event], organiser: User, now: datetime
) -> tuple[dict[str, Event], int]:
    upcoming: dict[str, Event] = {}
    made = 0
    for source_title, (title, days_ahead) in UPCOMING.items():
        found = db.session.scalar(select(Event).where(Event.title == title))
        if found is None:
            source = events[source_title]
            start = now.date() + timedelta(days=days_ahead)
            start += timedelta(days=(source.starts_on.weekday() - start.weekday()) % 7)
            while _holiday(start, source.ends_on - source.starts_on):
                start += timedelta(days=7)  # the same weekday, a week later
            found = clone_event(
                event_id=source.id, title=title, starts_on=start, actor=organiser, now=now
            )
            found.description = UPCOMING_NOTE + "\n\n" + found.description
            found.published = True
            db.session.flush()
            made += 1
        upcoming[source_title] = found
    return upcoming, made


def _ensure_upcoming_registrations(
    upcoming: dict[str, Event], participants: list[User], now: datetime
) -> int:
    """18 of 21 training seats taken (the waitlist is three clicks away); 30 for speed dating."""
    ny = upcoming[data.NEW_YORK["title"]]
    speed = upcoming[data.VIENNA["title"]].sessions[0]
    training = next(s for s in ny.sessions if s.kind == SessionKind.TRAINING)
    created = 0
    for session_id, people in ((training.id, participants[2:20]), (speed.id, participants[10:40])):
        for person in people:
            if active_registration(session_id, person.id) is None:
                register_participant(user=person, session_id=session_id, now=now)
                created += 1
    table_ids = [t.id for t in speed.tables]
    for n, person in enumerate(participants[10:30], start=1):
        if not my_picks(speed.id, person.id):
            save_picks(
                user=person,
                session_id=speed.id,
                now=now,
                table_ids=_demo_picks(n, table_ids, speed.max_picks or 5),
            )
    return created
