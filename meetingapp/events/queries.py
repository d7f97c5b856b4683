"""Named reads of the programme, and the one visibility query every entry point asks.

``visible_event`` and ``visible_session`` apply ``domain.visibility.can_see_event`` for pages, the
JSON API, calendar files, registration, picks and check-in alike: an unpublished event does not
exist for anyone but organisers (404 everywhere, never a different answer on another route).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from meetingapp.domain.errors import NotFound
from meetingapp.domain.i18n import _
from meetingapp.domain.timezones import utc_to_local, zone_label
from meetingapp.domain.visibility import Viewer, can_manage, can_see_event
from meetingapp.extensions import db
from meetingapp.models import Event, EventSession, SessionKind, TopicTable


def _programme_options():
    return (
        selectinload(Event.organisation),
        selectinload(Event.sessions).options(
            selectinload(EventSession.lead_organisation),
            selectinload(EventSession.agenda_items),
            selectinload(EventSession.rounds),
            selectinload(EventSession.parts),
            selectinload(EventSession.tables).options(
                selectinload(TopicTable.host_organisation),
                selectinload(TopicTable.host_user),
            ),
        ),
    )


def visible_event(event_id: int, viewer: Viewer | None, *, programme: bool = True) -> Event:
    """The event with its whole programme (a fixed number of queries), if ``viewer`` may see
    it; NotFound otherwise."""
    stmt = select(Event).where(Event.id == event_id)
    if programme:
        stmt = stmt.options(*_programme_options())
    event = db.session.scalar(stmt)
    if event is None or not can_see_event(event.published, event.is_cancelled, viewer):
        raise NotFound(_("There is no such event."))
    return event


def visible_session(session_id: int, viewer: Viewer | None) -> EventSession:
    """The session, if ``viewer`` may see its event; NotFound otherwise."""
    session = db.session.get(EventSession, session_id)
    if session is None or not can_see_event(
        session.event.published, session.event.is_cancelled, viewer
    ):
        raise NotFound(_("There is no such session."))
    return session


def visible_networking_session(session_id: int, viewer: Viewer | None) -> EventSession:
    session = db.session.get(EventSession, session_id)
    if (
        session is None
        or session.kind != SessionKind.SPEED_NETWORKING
        or not can_see_event(session.event.published, session.event.is_cancelled, viewer)
    ):
        raise NotFound(_("There is no such speed-networking session."))
    return session


def listed_events(viewer: Viewer | None) -> list[Event]:
    """The events ``viewer`` may see, latest first."""
    stmt = select(Event).options(selectinload(Event.organisation)).order_by(Event.starts_on.desc())
    if not can_manage(viewer):
        stmt = stmt.where(Event.published.is_(True))
    return list(db.session.scalars(stmt))


def ordered_sessions(event: Event) -> list[EventSession]:
    """Every session in time order, training-day parts after their day."""
    return sorted(
        event.sessions, key=lambda x: (x.starts_at, x.parent_id is not None, x.position, x.id)
    )


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
