"""The JSON API's view of events, sessions, rounds and topic tables, with their presenters."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from meetingapp.api.schemas import OrganisationOut, Out, Page, local, organisation
from meetingapp.domain.capacity import Availability
from meetingapp.domain.content import Translations
from meetingapp.domain.visibility import Viewer, can_see_online_link
from meetingapp.models import Event, EventSession, TopicTable


class EventOut(Out):
    id: int
    title: str
    description: str
    translations: Translations = Field(
        description="Title and description in other languages: "
        '{"fr": {"title": …, "description": …}}'
    )
    city: str
    venue: str
    timezone: str
    starts_on: date
    ends_on: date
    organisation: OrganisationOut | None
    co_organisers: str
    published: bool
    overlap_policy: Literal["warn", "refuse"] = Field(
        description="Registering for a session that overlaps one the person is confirmed for"
    )
    cancelled: bool = Field(description="Cancelled: kept for the record, nothing more happens")
    cancelled_at: datetime | None


class EventPage(Page[EventOut]):
    pass


class TableOut(Out):
    id: int
    session_id: int
    code: str
    topic: str
    translations: Translations = Field(
        description='The topic in other languages: {"fr": {"title": …}}'
    )
    host_organisation: OrganisationOut | None
    host_label: str
    host_user_id: int | None
    seats: int
    min_seats: int


class TablePage(Page[TableOut]):
    pass


class RoundOut(Out):
    round: int = Field(description="Numbered from 1")
    starts_at: datetime
    ends_at: datetime


class PartOut(Out):
    id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    room: str


class SessionOut(Out):
    id: int
    event_id: int
    parent_id: int | None
    kind: Literal["meeting", "training", "speed_networking", "break", "part"]
    title: str
    description: str
    translations: Translations = Field(description="Title and description in other languages")
    room: str
    timezone: str = Field(description="The event's IANA zone; every time here is in it")
    starts_at: datetime
    ends_at: datetime
    capacity: int | None
    confirmed: int
    waitlisted: int
    seats_left: int | None
    offered: int = Field(description="Seats held by live offers to people on the waitlist")
    waitlist_mode: Literal["automatic", "offer"] = Field(
        description="When a seat opens: confirm the head of the waitlist, or offer it the seat"
    )
    offer_hours: int | None = Field(description="Hours an offer holds its seat; null: 24")
    waitlist_cap: int | None = Field(description="Most people on the waitlist; null: no limit")
    hybrid: bool = Field(description="Can be attended online too (it has an online link)")
    online_url: str | None = Field(
        description="The link to join online: only for organisers and the caller confirmed for "
        "the session; null otherwise, or when the session has none"
    )
    online_info: str = Field(description="Dial-in and joining details, shown like online_url")
    online_capacity: int | None = Field(
        description="Online seats apart from capacity; null: no limit"
    )
    online_confirmed: int = Field(description="People confirmed to attend online")
    online_seats_left: int | None = Field(description="null: no online limit")
    my_attendance: Literal["in_person", "online"] | None = Field(
        description="How the caller attends, when registered"
    )
    registrable: bool = Field(description="Takes registrations (false once cancelled)")
    open_seating: bool = Field(description="Anyone may come, nobody registers")
    registration_opens: datetime | None
    registration_closes: datetime | None
    lead_organisation: OrganisationOut | None
    chair: str
    agenda: list[str]
    cancelled: bool = Field(description="The session, its training day or its event is cancelled")
    cancelled_at: datetime | None
    parts: list[PartOut]
    round_count: int | None
    round_minutes: int | None
    move_minutes: int | None
    min_tables: int | None
    max_picks: int | None
    picks_deadline: datetime | None
    rounds: list[RoundOut]
    tables: list[TableOut]


class SessionPage(Page[SessionOut]):
    pass


def event(ev: Event) -> EventOut:
    tz = ev.timezone
    return EventOut(
        id=ev.id,
        title=ev.title,
        description=ev.description,
        translations=ev.translations or {},
        city=ev.city,
        venue=ev.venue,
        timezone=tz,
        starts_on=ev.starts_on,
        ends_on=ev.ends_on,
        organisation=organisation(ev.organisation),
        co_organisers=ev.co_organisers,
        published=ev.published,
        overlap_policy=ev.overlap_policy,
        cancelled=ev.is_cancelled,
        cancelled_at=local(ev.cancelled_at, tz),
    )


def table(t: TopicTable) -> TableOut:
    return TableOut(
        id=t.id,
        session_id=t.session_id,
        code=t.code,
        topic=t.topic,
        translations=t.translations or {},
        host_organisation=organisation(t.host_organisation),
        host_label=t.host_label,
        host_user_id=t.host_user_id,
        seats=t.seats,
        min_seats=t.min_seats,
    )


def part(p: EventSession, tz: str) -> PartOut:
    return PartOut(
        id=p.id,
        title=p.title,
        starts_at=local(p.starts_at, tz),
        ends_at=local(p.ends_at, tz),
        room=p.room,
    )


def session(es: EventSession, seats: Availability, viewer: Viewer | None) -> SessionOut:
    """``seats`` as ``viewer`` sees them (their own registration): the online link and
    details only for organisers and the confirmed."""
    tz = es.event.timezone
    link = bool(es.online_url) and can_see_online_link(viewer, seats.my_status)
    return SessionOut(
        id=es.id,
        event_id=es.event_id,
        parent_id=es.parent_id,
        kind=es.kind.value,
        title=es.title,
        description=es.description,
        translations=es.translations or {},
        room=es.room,
        timezone=tz,
        starts_at=local(es.starts_at, tz),
        ends_at=local(es.ends_at, tz),
        capacity=es.capacity,
        confirmed=seats.confirmed,
        waitlisted=seats.waitlisted,
        seats_left=seats.seats_left,
        offered=seats.offered,
        waitlist_mode=es.waitlist_mode,
        offer_hours=es.offer_hours,
        waitlist_cap=es.waitlist_cap,
        hybrid=seats.hybrid,
        online_url=es.online_url if link else None,
        online_info=es.online_info if link else "",
        online_capacity=es.online_capacity,
        online_confirmed=seats.online_confirmed,
        online_seats_left=seats.online_seats_left if seats.hybrid else None,
        my_attendance=(("online" if seats.my_online else "in_person") if seats.my_status else None),
        registrable=seats.registrable and not seats.cancelled,
        open_seating=es.open_seating,
        registration_opens=local(es.registration_opens_at, tz),
        registration_closes=local(es.registration_closes_at, tz),
        lead_organisation=organisation(es.lead_organisation),
        chair=es.chair,
        agenda=[a.title for a in es.agenda_items],
        cancelled=seats.cancelled,
        cancelled_at=local(es.cancelled_at, tz),
        parts=[part(p, tz) for p in es.parts],
        round_count=es.round_count,
        round_minutes=es.round_minutes,
        move_minutes=es.move_minutes,
        min_tables=es.min_tables,
        max_picks=es.max_picks,
        picks_deadline=local(es.picks_deadline, tz),
        rounds=[
            RoundOut(
                round=r.number + 1, starts_at=local(r.starts_at, tz), ends_at=local(r.ends_at, tz)
            )
            for r in es.rounds
        ],
        tables=[table(t) for t in es.tables],
    )
