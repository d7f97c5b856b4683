"""Named reads for the report draft's page: the events a draft may cover, and how far the
organiser's notes on each agenda item have got (the draft's "Discussions")."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from meetingapp.extensions import db
from meetingapp.models import Event, EventSession, SessionKind, User
from meetingapp.models.event import visible_event


@dataclass(frozen=True)
class AgendaNotes:
    """One meeting of the event: its agenda items, and how many of them have notes."""

    session: EventSession
    items: int
    with_notes: int


@dataclass(frozen=True)
class DraftChoices:
    event: Event | None  # the event the page was opened from (None: opened without one)
    events: list[Event]  # every event not cancelled, the newest first
    agenda: list[AgendaNotes]  # the meetings of ``event`` that have agenda items


def draft_choices(event_id: int | None, viewer: User) -> DraftChoices:
    """What the draft page offers: the events to tick and the notes still missing."""
    event = visible_event(event_id, viewer) if event_id is not None else None
    events = list(
        db.session.scalars(
            select(Event)
            .where(Event.cancelled_at.is_(None))
            .order_by(Event.starts_on.desc(), Event.id.desc())
        )
    )
    agenda = []
    if event is not None:
        for s in event.sessions:  # in time order (the relationship's order)
            if s.kind == SessionKind.MEETING and s.agenda_items and not s.is_cancelled:
                noted = sum(1 for item in s.agenda_items if item.notes.strip())
                agenda.append(AgendaNotes(s, len(s.agenda_items), noted))
    return DraftChoices(event, events, agenda)
