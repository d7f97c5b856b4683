"""Named reads of the public programme: the timetable of an event, by local day."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import case, func, select

from meetingapp.domain.scheduling import is_past
from meetingapp.domain.timezones import utc_to_local, zone_label
from meetingapp.domain.visibility import Viewer
from meetingapp.extensions import db
from meetingapp.models import Event, EventSession, SessionKind
from meetingapp.models.event import listed_events, visible_event
from meetingapp.registration.queries import active_counts_by_session

# --- the timetable ---------------------------------------------------------------------------


@dataclass
class SessionRow:
    session: EventSession
    local_start: datetime
    local_end: datetime
    parts: list[SessionRow] = field(default_factory=list)


@dataclass
class Day:
    day: date
    zone: str
    rows: list[SessionRow]


@dataclass
class Timetable:
    event: Event
    days: list[Day]

    @property
    def session_ids(self) -> list[int]:
        return [s.id for s in self.event.sessions]


def timetable_for(event_id: int, viewer: Viewer | None) -> Timetable:
    """The event's programme by local day, in a constant number of queries."""
    event = visible_event(event_id, viewer)
    tz = event.timezone

    def row(s: EventSession) -> SessionRow:
        return SessionRow(s, utc_to_local(s.starts_at, tz), utc_to_local(s.ends_at, tz))

    by_day: OrderedDict[date, list[SessionRow]] = OrderedDict()
    top = [s for s in event.sessions if s.parent_id is None]
    for s in sorted(top, key=lambda s: (s.starts_at, s.position, s.id)):
        r = row(s)
        if s.kind == SessionKind.TRAINING:
            r.parts = [row(p) for p in sorted(s.parts, key=lambda p: (p.starts_at, p.position))]
        by_day.setdefault(r.local_start.date(), []).append(r)
    days = [
        Day(day=d, zone=zone_label(rows[0].session.starts_at, tz, event.city), rows=rows)
        for d, rows in by_day.items()
    ]
    return Timetable(event=event, days=days)


def seats_fingerprint(event_id: int, now: datetime) -> tuple:
    """What the seat counts on the event's pages are made of: every session's active
    registrations by status (live offers among them) as of ``now``. A cached programme is valid
    while this holds (registrations do not change the event's version: ``models/versioning``)."""
    ids = select(EventSession.id).where(EventSession.event_id == event_id)
    counts = active_counts_by_session(ids, now)  # one query
    return tuple(sorted((sid, tuple(sorted(c.items()))) for sid, c in counts.items()))


def time_state(event_id: int, now: datetime) -> int:
    """How many of the event's registration openings, closings and session starts are past.

    The programme page says "Register", "Registration opens …" or "Registration closed" by
    these instants: a cached page is valid while this number (and the event's version) holds.
    """

    def passed(column):
        return func.coalesce(func.sum(case((column <= now, 1), else_=0)), 0)

    row = db.session.execute(
        select(
            passed(EventSession.starts_at),
            passed(EventSession.registration_opens_at),
            passed(EventSession.registration_closes_at),
        ).where(EventSession.event_id == event_id)
    ).one()
    return sum(int(n) for n in row)


@dataclass
class EventLists:
    upcoming: list[Event]  # soonest first
    past: list[Event]  # latest first


def events_by_time(viewer: Viewer | None, now: datetime) -> EventLists:
    """The events ``viewer`` may see, upcoming (or under way) apart from past ones."""
    events = listed_events(viewer)
    upcoming, past = [], []
    for event in events:
        today = utc_to_local(now, event.timezone).date()
        (past if is_past(event.ends_on, today) else upcoming).append(event)
    upcoming.sort(key=lambda e: (e.starts_on, e.id))
    return EventLists(upcoming, past)
