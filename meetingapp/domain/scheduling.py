"""Scheduling rules: dates, slots, rooms. Plain data in, ValidationFailed out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from meetingapp.domain.errors import ValidationFailed
from meetingapp.domain.i18n import When, _
from meetingapp.domain.timezones import FIRST_YEAR, LAST_YEAR

# A venue's city suggests its zone when the organiser leaves the zone empty.
CITY_ZONES = {
    "new york": "America/New_York",
    "vienna": "Europe/Vienna",
    "geneva": "Europe/Zurich",
    "nairobi": "Africa/Nairobi",
    "bangkok": "Asia/Bangkok",
    "addis ababa": "Africa/Addis_Ababa",
    "santiago": "America/Santiago",
    "beirut": "Asia/Beirut",
    "rome": "Europe/Rome",
    "paris": "Europe/Paris",
    "bonn": "Europe/Berlin",
    "the hague": "Europe/Amsterdam",
    "montreal": "America/Toronto",
    "tokyo": "Asia/Tokyo",
    "washington": "America/New_York",
    "london": "Europe/London",
    "madrid": "Europe/Madrid",
    "copenhagen": "Europe/Copenhagen",
    "brindisi": "Europe/Rome",
    "valencia": "Europe/Madrid",
    "beijing": "Asia/Shanghai",
    "new delhi": "Asia/Kolkata",
    "panama": "America/Panama",
    "dakar": "Africa/Dakar",
}


def zone_for_city(city: str) -> str | None:
    return CITY_ZONES.get(city.strip().lower())


@dataclass(frozen=True)
class Booking:
    """Another session's claim on a room."""

    session_id: int
    title: str
    room: str
    starts_at: datetime
    ends_at: datetime
    related: bool = False  # a training day and its own parts share a room legitimately


MAX_EVENT_DAYS = 60


def check_event_dates(starts_on: date, ends_on: date) -> None:
    """Plausible dates: within the years any meeting is planned for, ending after starting,
    and no longer than two months."""
    for day, name in ((starts_on, "starts_on"), (ends_on, "ends_on")):
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise ValidationFailed(
                _(
                    "Dates must fall between the years %(first)s and %(last)s.",
                    first=FIRST_YEAR,
                    last=LAST_YEAR,
                ),
                field=name,
            )
    if ends_on < starts_on:
        raise ValidationFailed(
            _("The event must end on or after the day it starts."), field="ends_on"
        )
    if (ends_on - starts_on).days >= MAX_EVENT_DAYS:
        raise ValidationFailed(
            _("An event lasts at most %(days)s days.", days=MAX_EVENT_DAYS), field="ends_on"
        )


def is_past(ends_on: date, today: date) -> bool:
    """An event is past once its last day is over (both in the event's own zone)."""
    return ends_on < today


def check_slot(
    starts_at: datetime,
    ends_at: datetime,
    local_start_day: date,
    local_end_day: date,
    event_starts_on: date,
    event_ends_on: date,
) -> None:
    """End after start, and the session inside the event's dates (in the event's local time)."""
    if ends_at <= starts_at:
        raise ValidationFailed(_("The session must end after it starts."), field="end_time")
    if local_start_day < event_starts_on or local_end_day > event_ends_on:
        raise ValidationFailed(
            _(
                "Sessions must fall within the event's dates (%(first)s – %(last)s).",
                first=When(event_starts_on, "%d %b %Y"),
                last=When(event_ends_on, "%d %b %Y"),
            ),
            field="day",
        )


def check_inside_parent(
    starts_at: datetime, ends_at: datetime, parent_start: datetime, parent_end: datetime
) -> None:
    if starts_at < parent_start or ends_at > parent_end:
        raise ValidationFailed(
            _("A session of a training day must fall within the training day's hours."),
            field="start_time",
        )


def check_room_free(
    room: str, starts_at: datetime, ends_at: datetime, others: list[Booking]
) -> None:
    """A room is never double-booked: refuse an overlap with another session in the same room."""
    wanted = room.strip().lower()
    if not wanted:
        return
    for other in others:
        if other.related or other.room.strip().lower() != wanted:
            continue
        if other.starts_at < ends_at and starts_at < other.ends_at:
            raise ValidationFailed(
                _(
                    "%(room)s is already booked for “%(title)s” at an overlapping time.",
                    room=other.room,
                    title=other.title,
                ),
                field="room",
            )


def check_table_count(table_count: int, min_tables: int) -> None:
    if table_count and table_count < min_tables:
        raise ValidationFailed(
            _(
                "Only %(count)s tables for a minimum of %(minimum)s distinct tables "
                "per participant.",
                count=table_count,
                minimum=min_tables,
            ),
            field="min_tables",
        )


def check_seats(seats: int, min_seats: int) -> None:
    if seats < 1:
        raise ValidationFailed(_("A table needs at least one seat per round."), field="seats")
    if min_seats < 0 or min_seats > seats:
        raise ValidationFailed(
            _("The minimum to open a table must be between 0 and its seats."), field="min_seats"
        )
