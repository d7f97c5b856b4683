"""Event editions: copy last year's programme to new dates at the same local wall-clock times."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.orm import selectinload

from meetingapp.domain.errors import NotFound, ValidationFailed
from meetingapp.domain.i18n import _
from meetingapp.domain.timezones import check_year, local_to_utc, utc_to_local
from meetingapp.extensions import db
from meetingapp.models import AgendaItem, Event, EventSession, NetworkingRound, TopicTable, User
from meetingapp.models.audit import record_audit
from meetingapp.organise.service import recent_twin_event, require_organiser
from meetingapp.uow import unit_of_work


def shift_local(instant: datetime | None, zone_name: str, days: int, what: str) -> datetime | None:
    """Move an instant by whole days keeping its local wall-clock time in ``zone_name``.

    A 09:30 session stays 09:30 local even when the copy lands on the other side of a DST change.
    """
    if instant is None:
        return None
    local = utc_to_local(instant, zone_name).replace(tzinfo=None) + timedelta(days=days)
    try:
        return local_to_utc(local, zone_name)
    except ValidationFailed as exc:
        raise ValidationFailed(
            _("%(what)s: %(reason)s", what=what, reason=exc.args[0]), field="starts_on"
        ) from None


def clone_event(
    *,
    event_id: int,
    title: str,
    starts_on: date,
    actor: User,
    now: datetime,
    description: str | None = None,
) -> Event:
    """Copy every session, part, room, capacity, agenda item, round and topic table.

    Registrations, picks, rotations and check-ins are not copied; the copy starts unpublished.
    """
    require_organiser(actor)
    with unit_of_work():
        copy = _clone(event_id, title, starts_on, actor, now)
        if description is not None:
            copy.description = description.strip()
        return copy


def _event_translations(source: Event, title: str) -> dict:
    """The source's translations; a new edition under a new title keeps the translated
    descriptions but not the old edition's translated titles (they would name the old one)."""
    if title == source.title:
        return dict(source.translations or {})
    kept = {}
    for language, fields in (source.translations or {}).items():
        rest = {k: v for k, v in fields.items() if k != "title"}
        if rest:
            kept[language] = rest
    return kept


def _clone(event_id: int, title: str, starts_on: date, actor: User, now: datetime) -> Event:
    source = db.session.get(
        Event,
        event_id,
        options=[
            selectinload(Event.sessions).options(
                selectinload(EventSession.agenda_items),
                selectinload(EventSession.rounds),
                selectinload(EventSession.tables),
                selectinload(EventSession.parts),
            )
        ],
    )
    if source is None:
        raise NotFound(_("There is no such event."))
    title = title.strip()
    if not title:
        raise ValidationFailed(_("Give the new edition a title."), field="title")
    twin = recent_twin_event(actor, title, starts_on, now)
    if twin is not None:
        return twin  # the same clone form posted twice
    check_year(starts_on.year)
    check_year((source.ends_on + (starts_on - source.starts_on)).year)
    days = (starts_on - source.starts_on).days
    tz = source.timezone
    copy = Event(
        title=title,
        description=source.description,
        translations=_event_translations(source, title),
        city=source.city,
        venue=source.venue,
        timezone=tz,
        starts_on=starts_on,
        ends_on=source.ends_on + timedelta(days=days),
        organisation_id=source.organisation_id,
        co_organisers=source.co_organisers,
        retention_months=source.retention_months,
        overlap_policy=source.overlap_policy,
        published=False,
        created_by_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    db.session.add(copy)
    copies: dict[int, EventSession] = {}
    with db.session.no_autoflush:  # build the whole copy before the first flush
        top_first = sorted(source.sessions, key=lambda s: (s.parent_id is not None, s.id))
        for s in top_first:

            def move(instant, label, _s=s):
                return shift_local(
                    instant, tz, days, _("“%(title)s” (%(label)s)", title=_s.title, label=label)
                )

            new = EventSession(
                event=copy,
                parent=copies.get(s.parent_id) if s.parent_id else None,
                kind=s.kind,
                position=s.position,
                title=s.title,
                description=s.description,
                translations=dict(s.translations or {}),
                room=s.room,
                starts_at=move(s.starts_at, _("start")),
                ends_at=move(s.ends_at, _("end")),
                capacity=s.capacity,
                open_seating=s.open_seating,
                waitlist_mode=s.waitlist_mode,
                offer_hours=s.offer_hours,
                waitlist_cap=s.waitlist_cap,
                online_url=s.online_url,
                online_info=s.online_info,
                online_capacity=s.online_capacity,
                registration_opens_at=move(s.registration_opens_at, _("registration opens")),
                registration_closes_at=move(s.registration_closes_at, _("registration closes")),
                lead_organisation_id=s.lead_organisation_id,
                chair=s.chair,
                round_count=s.round_count,
                round_minutes=s.round_minutes,
                move_minutes=s.move_minutes,
                min_tables=s.min_tables,
                max_picks=s.max_picks,
                picks_deadline=move(s.picks_deadline, _("picks deadline")),
                sequence=0,
                created_at=now,
                updated_at=now,
            )
            new.agenda_items = [
                AgendaItem(position=a.position, title=a.title) for a in s.agenda_items
            ]
            new.rounds = [
                NetworkingRound(
                    number=r.number,
                    starts_at=move(r.starts_at, _("round")),
                    ends_at=move(r.ends_at, _("round")),
                )
                for r in s.rounds
            ]
            new.tables = [
                TopicTable(
                    code=t.code,
                    topic=t.topic,
                    translations=dict(t.translations or {}),
                    host_label=t.host_label,
                    host_organisation_id=t.host_organisation_id,
                    host_user_id=t.host_user_id,
                    seats=t.seats,
                    min_seats=t.min_seats,
                )
                for t in s.tables
            ]
            db.session.add(new)
            copies[s.id] = new
    db.session.flush()
    record_audit(
        event_id=copy.id,
        actor=actor,
        now=now,
        action="event cloned",
        target=copy.title,
        detail=f"from “{source.title}”, {days:+d} days",
    )
    return copy
