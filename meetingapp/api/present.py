"""Rows and service results → response models. Times leave in the event's own zone."""

from __future__ import annotations

from datetime import datetime

from meetingapp.api import schemas as s
from meetingapp.domain.timezones import utc_to_local
from meetingapp.models import (
    ApiToken,
    CheckIn,
    Event,
    EventSession,
    Organisation,
    Registration,
    TopicTable,
    User,
)
from meetingapp.models.rotation import RotationPlan


def local(instant: datetime | None, zone_name: str) -> datetime | None:
    return utc_to_local(instant, zone_name) if instant is not None else None


def organisation(org: Organisation | None) -> s.OrganisationOut | None:
    return s.OrganisationOut.model_validate(org) if org is not None else None


def me(user: User) -> s.Me:
    return s.Me(
        id=user.id,
        email=user.email,
        name=user.name,
        role=user.role.value,
        organisation=organisation(user.organisation),
    )


def token_info(token: ApiToken) -> s.TokenInfo:
    return s.TokenInfo.model_validate(token)


def event(ev: Event) -> s.EventOut:
    tz = ev.timezone
    return s.EventOut(
        id=ev.id,
        title=ev.title,
        description=ev.description,
        city=ev.city,
        venue=ev.venue,
        timezone=tz,
        starts_on=ev.starts_on,
        ends_on=ev.ends_on,
        organisation=organisation(ev.organisation),
        co_organisers=ev.co_organisers,
        published=ev.published,
        cancelled_at=local(ev.cancelled_at, tz),
    )


def table(t: TopicTable) -> s.TableOut:
    return s.TableOut(
        id=t.id,
        session_id=t.session_id,
        code=t.code,
        topic=t.topic,
        host_organisation=organisation(t.host_organisation),
        host_label=t.host_label,
        host_user_id=t.host_user_id,
        seats=t.seats,
        min_seats=t.min_seats,
    )


def part(p: EventSession, tz: str) -> s.PartOut:
    return s.PartOut(
        id=p.id,
        title=p.title,
        starts_at=local(p.starts_at, tz),
        ends_at=local(p.ends_at, tz),
        room=p.room,
    )


def session(es: EventSession, counts: dict[str, int] | None = None) -> s.SessionOut:
    tz = es.event.timezone
    counts = counts or {}
    confirmed, waitlisted = counts.get("confirmed", 0), counts.get("waitlisted", 0)
    seats_left = None if es.capacity is None else max(es.capacity - confirmed, 0)
    return s.SessionOut(
        id=es.id,
        event_id=es.event_id,
        parent_id=es.parent_id,
        kind=es.kind.value,
        title=es.title,
        description=es.description,
        room=es.room,
        timezone=tz,
        starts_at=local(es.starts_at, tz),
        ends_at=local(es.ends_at, tz),
        capacity=es.capacity,
        confirmed=confirmed,
        waitlisted=waitlisted,
        seats_left=seats_left,
        registrable=es.registrable and es.cancelled_at is None,
        registration_opens=local(es.registration_opens_at, tz),
        registration_closes=local(es.registration_closes_at, tz),
        lead_organisation=organisation(es.lead_organisation),
        chair=es.chair,
        agenda=[a.title for a in es.agenda_items],
        cancelled_at=local(es.cancelled_at, tz),
        parts=[part(p, tz) for p in es.parts],
        round_count=es.round_count,
        round_minutes=es.round_minutes,
        move_minutes=es.move_minutes,
        min_tables=es.min_tables,
        max_picks=es.max_picks,
        picks_deadline=local(es.picks_deadline, tz),
        rounds=[
            s.RoundOut(
                round=r.number + 1, starts_at=local(r.starts_at, tz), ends_at=local(r.ends_at, tz)
            )
            for r in es.rounds
        ],
        tables=[table(t) for t in es.tables],
    )


def person(user: User) -> s.PersonOut:
    return s.PersonOut(
        id=user.id, name=user.name, email=user.email, organisation=user.organisation_label
    )


def registration(reg: Registration, position: int | None, tz: str) -> s.RegistrationEntry:
    return s.RegistrationEntry(
        id=reg.id,
        participant=person(reg.user),
        status=reg.status.value,
        waitlist_position=position,
        override=reg.override,
        timezone=tz,
        registered_at=local(reg.created_at, tz),
        confirmed_at=local(reg.confirmed_at, tz),
        cancelled_at=local(reg.cancelled_at, tz),
    )


def location(es: EventSession) -> str:
    return ", ".join(p for p in (es.room, es.event.venue, es.event.city) if p)


def itinerary_item(
    es: EventSession, status: str, position: int | None, stops: list
) -> s.ItineraryItem:
    tz = es.event.timezone
    return s.ItineraryItem(
        session_id=es.id,
        session_title=es.title,
        kind=es.kind.value,
        event_id=es.event_id,
        event_title=es.event.title,
        status=status,
        waitlist_position=position,
        timezone=tz,
        starts_at=local(es.starts_at, tz),
        ends_at=local(es.ends_at, tz),
        room=es.room,
        location=location(es),
        parts=[part(p, tz) for p in es.parts],
        rounds=[
            s.StopOut(
                round=stop.round_number + 1,
                starts_at=local(stop.starts_at, tz),
                ends_at=local(stop.ends_at, tz),
                table=table(stop.table),
            )
            for stop in stops
        ],
    )


def rotation(plan: RotationPlan, viewer: User | None = None) -> s.RotationOut:
    """The plan; for a ``viewer`` who is not an organiser, only their own seats and the people
    at the tables they host (as on the pages)."""
    shown = [
        a
        for a in plan.assignments
        if viewer is None
        or viewer.is_organiser
        or a.user_id == viewer.id
        or a.table.host_user_id == viewer.id
    ]
    return s.RotationOut(
        plan_id=plan.id,
        session_id=plan.session_id,
        version=plan.version,
        status=plan.status,
        from_round=plan.from_round + 1,
        stats=plan.stats,
        assignments=[
            s.AssignmentOut(
                participant_id=a.user_id,
                participant=a.user.name,
                round=a.round_number + 1,
                table_id=a.table_id,
                table_code=a.table.code,
                pinned=a.pinned,
            )
            for a in shown
        ],
    )


def check_in(entry: CheckIn, tz: str) -> s.CheckInOut:
    return s.CheckInOut(
        id=entry.id,
        session_id=entry.session_id,
        participant_id=entry.user_id,
        round=entry.round_number + 1 if entry.round_number is not None else None,
        method=entry.method,
        timezone=tz,
        at=local(entry.at, tz),
        by_id=entry.by_id,
    )
