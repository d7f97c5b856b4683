"""One mapper per entity between plain values and the use cases' input.

*Values* are plain dicts named as the JSON API names them (``starts_at``, ``organisation``,
``agenda`` as a list …): the API's body is values, and the organiser forms convert to and from
values (``forms.py``). ``EventData.from_values`` and friends check what does not depend on the
stored state (a known zone, an existing organisation, one day per session) and are the only
place that builds the use cases' input; ``event_values(event)`` reads an entity back as values,
so a PATCH (or a form) changes only what it sends.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from meetingapp.domain.capacity import AUTOMATIC, check_online_capacity, check_waitlist_settings
from meetingapp.domain.content import Translations, clean_translations
from meetingapp.domain.errors import ValidationFailed
from meetingapp.domain.i18n import _
from meetingapp.domain.online import clean_online_url
from meetingapp.domain.overlap import WARN, check_overlap_policy
from meetingapp.domain.retention import DEFAULT_RETENTION_MONTHS
from meetingapp.domain.timezones import utc_to_local, zone
from meetingapp.extensions import db
from meetingapp.models import Event, EventSession, Organisation, SessionKind, TopicTable, User

Values = dict[str, Any]


def _must_exist(model, ident: int | None, field_name: str) -> None:
    if ident is not None and db.session.get(model, ident) is None:
        messages = {
            Organisation: _("There is no organisation with id %(id)s.", id=ident),
            User: _("There is no account with id %(id)s.", id=ident),
        }
        raise ValidationFailed(messages[model], field=field_name)


def _local_naive(value: datetime | None, tz: str) -> datetime | None:
    """An aware instant in the event's wall-clock time; naive values already are."""
    if value is None or value.tzinfo is None:
        return value
    return utc_to_local(value, tz).replace(tzinfo=None)


# --- events ----------------------------------------------------------------------------------


@dataclass
class EventData:
    title: str
    city: str
    venue: str
    timezone: str
    starts_on: date
    ends_on: date
    description: str = ""
    translations: Translations = field(default_factory=dict)
    organisation_id: int | None = None
    co_organisers: str = ""
    published: bool | None = None  # None: leave as it is
    retention_months: int = DEFAULT_RETENTION_MONTHS
    overlap_policy: str = WARN  # or "refuse" overlapping registrations (domain/overlap.py)

    @classmethod
    def from_values(cls, values: Values, *, current_timezone: str = "") -> EventData:
        # An empty zone keeps the event's own (or, for a new event, follows the city).
        timezone = (values.get("timezone") or "").strip() or current_timezone
        if timezone:
            zone(timezone)
        _must_exist(Organisation, values.get("organisation"), "organisation")
        overlap_policy = values.get("overlap_policy") or WARN
        check_overlap_policy(overlap_policy)
        return cls(
            title=values["title"],
            city=values["city"],
            venue=values.get("venue") or "",
            timezone=timezone,
            starts_on=values["starts_on"],
            ends_on=values["ends_on"],
            description=values.get("description") or "",
            translations=clean_translations(values.get("translations")),
            organisation_id=values.get("organisation"),
            co_organisers=values.get("co_organisers") or "",
            published=values.get("published"),
            retention_months=values.get("retention_months") or DEFAULT_RETENTION_MONTHS,
            overlap_policy=overlap_policy,
        )


def event_values(event: Event) -> Values:
    return {
        "title": event.title,
        "city": event.city,
        "venue": event.venue,
        "timezone": event.timezone,
        "starts_on": event.starts_on,
        "ends_on": event.ends_on,
        "description": event.description,
        "translations": event.translations,
        "organisation": event.organisation_id,
        "co_organisers": event.co_organisers,
        "published": event.published,
        "retention_months": event.retention_months,
        "overlap_policy": event.overlap_policy,
    }


# --- sessions --------------------------------------------------------------------------------


@dataclass
class SessionData:
    kind: SessionKind
    title: str
    day: date
    start_time: time
    end_time: time
    description: str = ""
    translations: Translations = field(default_factory=dict)
    room: str = ""
    capacity: int | None = None
    open_seating: bool = False
    waitlist_mode: str = AUTOMATIC  # or "offer": a freed seat is offered for offer_hours
    offer_hours: int | None = None
    waitlist_cap: int | None = None
    online_url: str | None = None  # hybrid: the link, for the confirmed and organisers only
    online_info: str = ""  # dial-in numbers, meeting code …
    online_capacity: int | None = None  # online seats apart from the room's; None: no limit
    registration_opens: datetime | None = None  # local, naive
    registration_closes: datetime | None = None  # local, naive
    lead_organisation_id: int | None = None
    chair: str = ""
    agenda: list[str] = field(default_factory=list)
    round_count: int | None = None
    round_minutes: int | None = None
    move_minutes: int | None = None
    min_tables: int | None = None
    max_picks: int | None = None
    picks_deadline: datetime | None = None  # local, naive

    @classmethod
    def from_values(cls, values: Values, tz: str) -> SessionData:
        """Times without an offset are the event's wall-clock time; with one, converted."""
        zone(tz)
        start = _local_naive(values["starts_at"], tz)
        end = _local_naive(values["ends_at"], tz)
        if end.date() != start.date():
            raise ValidationFailed(
                _("A session starts and ends on the same day (in the event's time zone)."),
                field="ends_at",
            )
        _must_exist(Organisation, values.get("lead_organisation"), "lead_organisation")
        waitlist_mode = values.get("waitlist_mode") or AUTOMATIC
        check_waitlist_settings(
            waitlist_mode, values.get("offer_hours"), values.get("waitlist_cap")
        )
        check_online_capacity(values.get("online_capacity"))
        return cls(
            kind=SessionKind(values.get("kind") or SessionKind.MEETING.value),
            title=values["title"],
            day=start.date(),
            start_time=start.time(),
            end_time=end.time(),
            description=values.get("description") or "",
            translations=clean_translations(values.get("translations")),
            room=values.get("room") or "",
            capacity=values.get("capacity"),
            open_seating=bool(values.get("open_seating")),
            waitlist_mode=waitlist_mode,
            offer_hours=values.get("offer_hours"),
            waitlist_cap=values.get("waitlist_cap"),
            online_url=clean_online_url(values.get("online_url")),
            online_info=(values.get("online_info") or "").strip(),
            online_capacity=values.get("online_capacity"),
            registration_opens=_local_naive(values.get("registration_opens"), tz),
            registration_closes=_local_naive(values.get("registration_closes"), tz),
            lead_organisation_id=values.get("lead_organisation"),
            chair=values.get("chair") or "",
            agenda=list(values.get("agenda") or []),
            round_count=values.get("round_count"),
            round_minutes=values.get("round_minutes"),
            move_minutes=values.get("move_minutes"),
            min_tables=values.get("min_tables"),
            max_picks=values.get("max_picks"),
            picks_deadline=_local_naive(values.get("picks_deadline"), tz),
        )


def session_values(session: EventSession) -> Values:
    """The stored session as values, times in the event's wall-clock time (naive)."""
    tz = session.event.timezone
    kind = session.kind.value if session.kind != SessionKind.PART else "meeting"
    return {
        "kind": kind,
        "title": session.title,
        "description": session.description,
        "translations": session.translations,
        "room": session.room,
        "starts_at": _local_naive(session.starts_at, tz),
        "ends_at": _local_naive(session.ends_at, tz),
        "capacity": session.capacity,
        "open_seating": session.open_seating,
        "waitlist_mode": session.waitlist_mode,
        "offer_hours": session.offer_hours,
        "waitlist_cap": session.waitlist_cap,
        "online_url": session.online_url,
        "online_info": session.online_info,
        "online_capacity": session.online_capacity,
        "registration_opens": _local_naive(session.registration_opens_at, tz),
        "registration_closes": _local_naive(session.registration_closes_at, tz),
        "lead_organisation": session.lead_organisation_id,
        "chair": session.chair,
        "agenda": [a.title for a in session.agenda_items],
        "round_count": session.round_count,
        "round_minutes": session.round_minutes,
        "move_minutes": session.move_minutes,
        "min_tables": session.min_tables,
        "max_picks": session.max_picks,
        "picks_deadline": _local_naive(session.picks_deadline, tz),
    }


# --- topic tables ----------------------------------------------------------------------------


@dataclass
class TableData:
    code: str
    topic: str
    host_organisation_id: int | None
    host_label: str = ""
    host_user_id: int | None = None
    seats: int = 8
    min_seats: int = 0
    translations: Translations = field(default_factory=dict)

    @classmethod
    def from_values(cls, values: Values) -> TableData:
        _must_exist(Organisation, values.get("host_organisation"), "host_organisation")
        _must_exist(User, values.get("host_user"), "host_user")
        return cls(
            code=values["code"],
            topic=values["topic"],
            host_organisation_id=values.get("host_organisation"),
            host_label=values.get("host_label") or "",
            host_user_id=values.get("host_user"),
            seats=values.get("seats") or 8,
            min_seats=values.get("min_seats") or 0,
            translations=clean_translations(values.get("translations")),
        )


def table_values(table: TopicTable) -> Values:
    return {
        "code": table.code,
        "topic": table.topic,
        "host_organisation": table.host_organisation_id,
        "host_label": table.host_label,
        "host_user": table.host_user_id,
        "seats": table.seats,
        "min_seats": table.min_seats,
        "translations": table.translations,
    }
