"""The JSON API's view of a participant's itinerary."""

from datetime import datetime
from typing import Literal

from pydantic import Field

from meetingapp.api.schemas import Out, Page, local
from meetingapp.events.schemas import PartOut, TableOut, part, table
from meetingapp.models import EventSession


class StopOut(Out):
    round: int = Field(description="Numbered from 1")
    starts_at: datetime
    ends_at: datetime
    table: TableOut


class ItineraryItem(Out):
    session_id: int
    session_title: str
    kind: str
    event_id: int
    event_title: str
    status: Literal["confirmed", "waitlisted", "cancelled"] = Field(
        description="cancelled when the session, its training day or its event is cancelled"
    )
    cancelled: bool
    waitlist_position: int | None
    timezone: str
    starts_at: datetime
    ends_at: datetime
    room: str
    location: str
    parts: list[PartOut]
    rounds: list[StopOut] = Field(description="Published table rotation, when there is one")
    attendance: Literal["in_person", "online"]
    online_url: str | None = Field(
        description="A hybrid session's link to join online, while you are confirmed; else null"
    )
    online_info: str = Field(description="Dial-in and joining details, shown like online_url")


class ItineraryPage(Page[ItineraryItem]):
    pass


def location(es: EventSession) -> str:
    return ", ".join(p for p in (es.room, es.event.venue, es.event.city) if p)


def itinerary_item(
    es: EventSession,
    status: str,
    position: int | None,
    stops: list,
    *,
    online: bool = False,
    online_url: str | None = None,
) -> ItineraryItem:
    """``online_url``: the link if the person may see it (``MyRegistration.online_url``)."""
    tz = es.event.timezone
    cancelled = es.is_cancelled
    return ItineraryItem(
        session_id=es.id,
        session_title=es.title,
        kind=es.kind.value,
        event_id=es.event_id,
        event_title=es.event.title,
        status="cancelled" if cancelled else status,
        cancelled=cancelled,
        waitlist_position=None if cancelled else position,
        timezone=tz,
        starts_at=local(es.starts_at, tz),
        ends_at=local(es.ends_at, tz),
        room=es.room,
        location=location(es),
        parts=[part(p, tz) for p in es.parts],
        rounds=[
            StopOut(
                round=stop.round_number + 1,
                starts_at=local(stop.starts_at, tz),
                ends_at=local(stop.ends_at, tz),
                table=table(stop.table),
            )
            for stop in stops
        ],
        attendance="online" if online else "in_person",
        online_url=online_url,
        online_info=es.online_info if online_url else "",
    )
