"""Named reads for organisers: the dashboard (events, fill levels, open actions, in constant
queries), host choices and the audit trail."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from meetingapp.domain.capacity import Availability
from meetingapp.domain.i18n import _
from meetingapp.domain.scheduling import is_past
from meetingapp.domain.timezones import utc_to_local
from meetingapp.extensions import db
from meetingapp.models import AuditEntry, Event, EventSession, Role, SessionKind, User
from meetingapp.registration.queries import availability_for
from meetingapp.rotation.queries import sessions_with_rotation


@dataclass
class SessionFill:
    session: EventSession
    availability: Availability

    @property
    def confirmed(self) -> int:
        return self.availability.confirmed

    @property
    def waitlisted(self) -> int:
        return self.availability.waitlisted


@dataclass
class EventSummary:
    event: Event
    mine: bool
    sessions: list[SessionFill]
    actions: list[str] = field(default_factory=list)
    past: bool = False


@dataclass
class Dashboard:
    events: list[EventSummary]

    @property
    def open_actions(self) -> int:
        return sum(len(e.actions) for e in self.events)

    @property
    def upcoming(self) -> list[EventSummary]:
        return [e for e in self.events if not e.past]

    @property
    def past(self) -> list[EventSummary]:
        return [e for e in self.events if e.past]


def dashboard_for(user: User, now: datetime) -> Dashboard:
    events = list(
        db.session.scalars(
            select(Event)
            .options(
                selectinload(Event.sessions).selectinload(EventSession.tables),
                selectinload(Event.organisation),
            )
            .order_by(Event.starts_on.desc())
        )
    )
    session_ids = [s.id for e in events for s in e.sessions]
    seats = availability_for(None, session_ids)
    planned = sessions_with_rotation(session_ids)
    summaries = []
    for event in events:
        fills = []
        actions = []
        if not event.published and not event.cancelled_at:
            actions.append(_("Not published yet."))
        for s in event.sessions:
            if not s.registrable:
                continue
            available = seats[s.id]
            fills.append(SessionFill(s, available))
            if s.kind == SessionKind.SPEED_NETWORKING:
                if len(s.tables) < (s.min_tables or 1):
                    actions.append(
                        _(
                            "“%(title)s”: %(count)s tables for a minimum of %(minimum)s "
                            "per participant — add tables.",
                            title=s.title,
                            count=len(s.tables),
                            minimum=s.min_tables,
                        )
                    )
                elif (
                    s.picks_deadline
                    and s.picks_deadline <= now
                    and s.id not in planned
                    and s.starts_at > now
                ):
                    actions.append(
                        _(
                            "“%(title)s”: the picks deadline has passed and the "
                            "rotation is not planned yet.",
                            title=s.title,
                        )
                    )
            if available.free_while_waiting and not available.cancelled and s.starts_at > now:
                actions.append(
                    _(
                        "“%(title)s”: seats free while people wait — check the waitlist.",
                        title=s.title,
                    )
                )
        mine = event.created_by_id == user.id
        past = is_past(event.ends_on, utc_to_local(now, event.timezone).date())
        summaries.append(EventSummary(event, mine, fills, [] if past else actions, past))
    summaries.sort(key=lambda e: (not e.mine, -e.event.starts_on.toordinal()))
    return Dashboard(summaries)


def host_choices() -> list[tuple[int, str]]:
    """Accounts that can host a table (everyone but organisers first? all accounts, by name)."""
    users = db.session.scalars(
        select(User).where(User.role == Role.PARTICIPANT).order_by(User.name)
    )
    return [(u.id, f"{u.name} ({u.email})") for u in users]


def trail_for_event(event_id: int, limit: int = 500) -> list[AuditEntry]:
    stmt = (
        select(AuditEntry)
        .where(AuditEntry.event_id == event_id)
        .options(selectinload(AuditEntry.actor))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))
