"""Small factories for tests: real rows through the models, no SQL dumps."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

from werkzeug.security import generate_password_hash

from meetingapp.extensions import db
from meetingapp.models import Event, EventSession, Organisation, Role, SessionKind, User

PASSWORD = "correct-horse"
_counter = itertools.count(1)
_HASH: dict[str, str] = {}


def password_hash() -> str:
    if "h" not in _HASH:
        _HASH["h"] = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    return _HASH["h"]


def organisation(short_name: str | None = None, full_name: str | None = None) -> Organisation:
    n = next(_counter)
    org = Organisation(
        short_name=short_name or f"ORG{n}", full_name=full_name or f"Organisation {n}"
    )
    db.session.add(org)
    db.session.flush()
    return org


def user(
    email: str | None = None,
    *,
    role: Role = Role.PARTICIPANT,
    name: str | None = None,
    org: Organisation | None = None,
) -> User:
    n = next(_counter)
    u = User(
        email=email or f"user{n}@example.org",
        name=name or f"User {n}",
        role=role,
        organisation=org,
        password_hash=password_hash(),
    )
    db.session.add(u)
    db.session.flush()
    return u


def organiser(email: str | None = None) -> User:
    return user(email or f"organiser{next(_counter)}@example.org", role=Role.ORGANISER)


def event(
    *,
    title: str = "Test event",
    timezone: str = "Europe/Vienna",
    published: bool = True,
    starts_on: date = date(2024, 11, 20),
    days: int = 1,
) -> Event:
    e = Event(
        title=title,
        city="Vienna",
        timezone=timezone,
        starts_on=starts_on,
        ends_on=starts_on + timedelta(days=days - 1),
        published=published,
    )
    db.session.add(e)
    db.session.flush()
    return e


def session(
    ev: Event | None = None,
    *,
    kind: SessionKind = SessionKind.MEETING,
    capacity: int | None = None,
    title: str = "A session",
    starts_at: datetime = datetime(2024, 11, 20, 12, 0, tzinfo=UTC),
    minutes: int = 60,
) -> EventSession:
    ev = ev or event()
    s = EventSession(
        event=ev,
        kind=kind,
        title=title,
        capacity=capacity,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
    )
    db.session.add(s)
    db.session.flush()
    return s


_NAME_COLUMN = {"en": 0, "fr": 1, "es": 2, "ru": 3, "ar": 4, "zh_Hans": 5}


def official_name_of(short_name: str, language: str) -> str:
    """A demo entity's official name in ``language`` (meetingapp/demo/entity_names.py)."""
    from meetingapp.demo.entity_names import OFFICIAL_NAMES

    return OFFICIAL_NAMES[short_name][_NAME_COLUMN[language]]
