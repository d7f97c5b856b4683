"""The organiser's dashboard: events, fill levels and open actions, in constant queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from meetingapp.domain.i18n import _
from meetingapp.extensions import db
from meetingapp.models import Event, EventSession, Role, SessionKind, User
from meetingapp.models.registration import active_counts_by_session


@dataclass
class SessionFill:
    session: EventSession
    confirmed: int
    waitlisted: int


@dataclass
class EventSummary:
    event: Event
    mine: bool
    sessions: list[SessionFill]
    actions: list[str] = field(default_factory=list)


@dataclass
class Dashboard:
    events: list[EventSummary]

    @property
    def open_actions(self) -> int:
        return sum(len(e.actions) for e in self.events)


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
    counts = active_counts_by_session(session_ids)
    planned = _sessions_with_rotation(session_ids)
    summaries = []
    for event in events:
        fills = []
        actions = []
        if not event.published and not event.cancelled_at:
            actions.append(_("Not published yet."))
        for s in event.sessions:
            if not s.registrable:
                continue
            c = counts.get(s.id, {})
            fills.append(SessionFill(s, c.get("confirmed", 0), c.get("waitlisted", 0)))
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
            if (
                s.capacity
                and c.get("waitlisted", 0)
                and c.get("confirmed", 0) < s.capacity
                and s.starts_at > now
            ):
                actions.append(
                    _(
                        "“%(title)s”: seats free while people wait — check the waitlist.",
                        title=s.title,
                    )
                )
        mine = event.created_by_id == user.id
        summaries.append(EventSummary(event, mine, fills, actions))
    summaries.sort(key=lambda e: (not e.mine, -e.event.starts_on.toordinal()))
    return Dashboard(summaries)


def _sessions_with_rotation(session_ids: list[int]) -> set[int]:
    from meetingapp.models.rotation import RotationPlan

    if not session_ids:
        return set()
    return set(
        db.session.scalars(
            select(RotationPlan.session_id).where(RotationPlan.session_id.in_(session_ids))
        )
    )


def host_choices() -> list[tuple[int, str]]:
    """Accounts that can host a table (everyone but organisers first? all accounts, by name)."""
    users = db.session.scalars(
        select(User).where(User.role == Role.PARTICIPANT).order_by(User.name)
    )
    return [(u.id, f"{u.name} ({u.email})") for u in users]
