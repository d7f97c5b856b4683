"""Read side of the programme: an event's timetable grouped by local day."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime

from meetingapp.domain.i18n import _
from meetingapp.domain.timezones import utc_to_local, zone_label
from meetingapp.models import Event, EventSession, SessionKind
from meetingapp.models.event import event_with_programme
from meetingapp.models.registration import active_counts_by_session


@dataclass
class SessionRow:
    session: EventSession
    local_start: datetime
    local_end: datetime
    confirmed: int = 0
    waitlisted: int = 0
    parts: list[SessionRow] = field(default_factory=list)

    @property
    def seats_left(self) -> int | None:
        if self.session.capacity is None:
            return None
        return max(self.session.capacity - self.confirmed, 0)

    @property
    def availability(self) -> str:
        if not self.session.registrable:
            return ""
        if self.session.capacity is None:
            return _("Open seating")
        left = self.seats_left
        if left == 0:
            if self.waitlisted:
                return _("Full · waitlist (%(count)s)", count=self.waitlisted)
            return _("Full · waitlist open")
        return _("%(left)s of %(capacity)s seats left", left=left, capacity=self.session.capacity)


@dataclass
class Day:
    day: date
    zone: str
    rows: list[SessionRow]


@dataclass
class Timetable:
    event: Event
    days: list[Day]


def timetable_for(event_id: int) -> Timetable | None:
    """The event's programme by local day, with fill levels, in a constant number of queries."""
    event = event_with_programme(event_id)
    if event is None:
        return None
    tz = event.timezone
    counts = active_counts_by_session([s.id for s in event.sessions])

    def row(s: EventSession) -> SessionRow:
        c = counts.get(s.id, {})
        return SessionRow(
            session=s,
            local_start=utc_to_local(s.starts_at, tz),
            local_end=utc_to_local(s.ends_at, tz),
            confirmed=c.get("confirmed", 0),
            waitlisted=c.get("waitlisted", 0),
        )

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
