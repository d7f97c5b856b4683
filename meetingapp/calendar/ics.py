"""iCalendar (RFC 5545) export, free of any web framework.

``build_calendar`` turns plain :class:`CalendarEntry` values into the bytes of
an ``.ics`` file that Outlook, Google, Apple Calendar and Thunderbird all read
at the right local hour:

* DTSTART/DTEND carry ``TZID=<IANA name>`` and the local wall time of the
  event's zone, and every TZID used gets a VTIMEZONE of the same name.
* The VTIMEZONEs are written here, not by icalendar: icalendar 7's
  ``Timezone.from_tzid`` / ``add_missing_timezones`` writes comma-separated
  RDATE lists, of which ical.js (Thunderbird) reads only the first date of
  each line, so it shows every summer-time event one hour off (see
  tests/unit/test_ics_clients.py). Ours are derived from zoneinfo's
  transitions over the years the entries span and use a yearly RRULE per
  observance (``BYMONTH`` + ``BYDAY``, the form every client understands)
  wherever that rule reproduces zoneinfo's transitions exactly; transitions
  no such rule reproduces (a zone that changed its rules, Morocco's Ramadan
  breaks, ...) get one sub-component each. The result is checked against the
  transitions before it is used.
* A local time that occurs twice (the hour repeated when summer time ends)
  cannot be told apart in ``TZID=`` form, so such a DTSTART/DTEND is written
  in UTC (``...Z``), which every client reads unambiguously.
* ``TZID=UTC`` is written as a UTC time (``...Z``) by icalendar; it then needs
  no VTIMEZONE. Other zone names always get one.
* Output is deterministic: events are sorted by start, end and UID, time zones
  by TZID, and nothing depends on the clock except the ``now`` you pass
  (the VTIMEZONEs do depend on the installed tzdata version).

Escaping of TEXT values, RFC 6868 parameter quoting, CRLF line ends and
folding at 75 octets (never inside a UTF-8 sequence) are icalendar's; control
characters that RFC 5545 forbids in TEXT are removed here, and CR/CRLF become
LF (written as ``\\n``).
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import (
    Calendar,
    Event,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vCalAddress,
    vText,
    vUri,
)

__all__ = [
    "METHODS",
    "STATUSES",
    "CalendarEntry",
    "build_calendar",
    "timezone_component",
]

STATUSES = frozenset({"CONFIRMED", "CANCELLED", "TENTATIVE"})
METHODS = frozenset({"PUBLISH", "REQUEST", "CANCEL"})

# RFC 5545 3.3.11: TEXT may hold any character but the CONTROLs other than
# HTAB (LF is written escaped; CR is folded into LF before this applies).
_FORBIDDEN_CONTROLS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_EMAIL = re.compile(r"[^\s@:;,<>\"\\]+@[^\s@:;,<>\"\\]+")
_URL_FORBIDDEN = re.compile(r"[\s\x00-\x1f\x7f\"<>\\^`{|}]")


def _text(value: str) -> str:
    """Normalise line ends to LF and drop the control characters TEXT forbids."""
    lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(_FORBIDDEN_CONTROLS.sub("", line) for line in lines)


def _zone(tzid: str) -> ZoneInfo:
    try:
        return ZoneInfo(tzid)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise ValueError(f"unknown IANA time zone {tzid!r}") from err


def _utc(name: str, value: datetime) -> datetime:
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (UTC), got naive {value!r}")
    # iCalendar DATE-TIME has whole seconds.
    return value.astimezone(UTC).replace(microsecond=0)


def _address(role: str, value: object) -> tuple[str, str]:
    if not (isinstance(value, tuple | list) and len(value) == 2):
        raise ValueError(f"{role} must be a (name, email) pair, got {value!r}")
    name, email = value
    if not isinstance(name, str) or not isinstance(email, str):
        raise ValueError(f"{role} must be a (name, email) pair of str, got {value!r}")
    if not _EMAIL.fullmatch(email):
        raise ValueError(f"{role} has an invalid e-mail address {email!r}")
    return name, email


@dataclass(frozen=True)
class CalendarEntry:
    """One VEVENT. Times are aware (UTC); ``tzid`` is the event's IANA zone."""

    uid: str
    summary: str
    start: datetime
    end: datetime
    tzid: str
    location: str = ""
    description: str = ""
    url: str = ""
    # RFC 7986 CONFERENCE: a hybrid session's link (personal calendars only) and its label.
    conference: str = ""
    conference_label: str = ""
    sequence: int = 0
    last_modified: datetime | None = None
    status: str = "CONFIRMED"
    categories: tuple[str, ...] = ()
    organizer: tuple[str, str] | None = None
    attendees: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.uid, str) or not self.uid.strip():
            raise ValueError("uid must be a non-empty string")
        start = _utc("start", self.start)
        end = _utc("end", self.end)
        if end < start:
            raise ValueError(f"{self.uid}: end {end} is before start {start}")
        _zone(self.tzid)
        if self.status not in STATUSES:
            raise ValueError(f"{self.uid}: status must be one of {sorted(STATUSES)}")
        if isinstance(self.sequence, bool) or not isinstance(self.sequence, int):
            raise ValueError(f"{self.uid}: sequence must be an int")
        if self.sequence < 0:
            raise ValueError(f"{self.uid}: sequence must be >= 0")
        if self.last_modified is not None:
            _utc("last_modified", self.last_modified)
        if self.url and _URL_FORBIDDEN.search(self.url):
            raise ValueError(f"{self.uid}: url must be an encoded URI, got {self.url!r}")
        if self.conference and _URL_FORBIDDEN.search(self.conference):
            raise ValueError(f"{self.uid}: conference must be an encoded URI")
        if isinstance(self.categories, str):
            raise ValueError(f"{self.uid}: categories must be a sequence of str, not a str")
        # Accept lists from callers but keep the frozen value hashable.
        object.__setattr__(self, "categories", tuple(self.categories))
        if not all(isinstance(c, str) for c in self.categories):
            raise ValueError(f"{self.uid}: categories must be str")
        if self.organizer is not None:
            object.__setattr__(self, "organizer", _address("organizer", self.organizer))
        object.__setattr__(
            self, "attendees", tuple(_address("attendee", a) for a in self.attendees)
        )


# --------------------------------------------------------------------------
# VTIMEZONE from zoneinfo


class _Transition(NamedTuple):
    at: int  # UTC, seconds since the epoch
    offset_from: int  # seconds east of UTC before
    offset_to: int  # seconds east of UTC after
    name: str  # abbreviation after (TZNAME)
    daylight: bool  # DST in force after


class _Rule(NamedTuple):
    kind: str  # "nth" (n-th weekday), "last" (last weekday), "date" (fixed day)
    month: int
    weekday: int  # Monday == 0; unused for "date"
    n: int  # 1..4 for "nth", -1 for "last", the day of month for "date"


class _Observance(NamedTuple):
    daylight: bool
    start: datetime  # naive, local time in terms of offset_from (RFC 5545 3.6.5)
    offset_from: int
    offset_to: int
    name: str
    rule: _Rule | None = None
    until: int | None = None  # UTC seconds of the last onset the rule makes


# Scan step. A change and its reversal less than this apart would be missed;
# tzdata has none in the years a meeting can be in.
_STEP = 6 * 3600
_EPOCH = datetime(1970, 1, 1)
_ZERO = timedelta(0)
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _state(zone: ZoneInfo, at: int) -> tuple[int, str, int]:
    """(UTC offset in seconds, abbreviation, sign of the DST amount) at ``at``."""
    local = datetime.fromtimestamp(at, zone)
    offset = local.utcoffset() or timedelta(0)
    dst = local.dst() or timedelta(0)
    return int(offset.total_seconds()), local.tzname() or "", (dst > _ZERO) - (dst < _ZERO)


def _is_daylight(before: tuple[int, str, int], after: tuple[int, str, int]) -> bool:
    """Whether the onset from ``before`` to ``after`` is a DAYLIGHT one.

    Summer time per zoneinfo (positive DST) is. tzdata models Europe/Dublin
    (and Morocco's Ramadan breaks) as negative DST in winter; there, leaving
    the negative DST for a larger offset counts as DAYLIGHT too, so such a
    zone still gets the usual STANDARD/DAYLIGHT pair that Outlook expects.
    """
    if after[2] > 0:
        return True
    return after[2] == 0 and before[2] < 0 and after[0] > before[0]


def _transitions(zone: ZoneInfo, lo: int, hi: int) -> list[_Transition]:
    """Every change of UTC offset, abbreviation or DST in [lo, hi)."""
    found = []
    at, state = lo, _state(zone, lo)
    while at < hi:
        step_end = min(at + _STEP, hi)
        after = _state(zone, step_end)
        if after == state:
            at = step_end
            continue
        before_at, after_at = at, step_end  # bisect to the exact second
        while after_at - before_at > 1:
            middle = (before_at + after_at) // 2
            if _state(zone, middle) == state:
                before_at = middle
            else:
                after_at = middle
        after = _state(zone, after_at)
        found.append(
            _Transition(after_at, state[0], after[0], after[1], _is_daylight(state, after))
        )
        at, state = after_at, after
    return found


def _local(at: int, offset: int) -> datetime:
    return _EPOCH + timedelta(seconds=at + offset)


def _epoch(local: datetime, offset: int) -> int:
    return int((local - _EPOCH).total_seconds()) - offset


def _candidate_rules(local: datetime) -> list[_Rule]:
    day, month, weekday = local.day, local.month, local.weekday()
    rules = []
    if day <= 28:
        rules.append(_Rule("nth", month, weekday, (day - 1) // 7 + 1))
    if day + 7 > monthrange(local.year, month)[1]:
        rules.append(_Rule("last", month, weekday, -1))
    rules.append(_Rule("date", month, weekday, day))
    return rules


def _rule_date(rule: _Rule, year: int) -> date | None:
    if rule.kind == "date":
        try:
            return date(year, rule.month, rule.n)
        except ValueError:
            return None
    if rule.kind == "last":
        last = date(year, rule.month, monthrange(year, rule.month)[1])
        return last - timedelta(days=(last.weekday() - rule.weekday) % 7)
    first = date(year, rule.month, 1)
    day = 1 + (rule.weekday - first.weekday()) % 7 + 7 * (rule.n - 1)
    return date(year, rule.month, day)  # n <= 4: always inside the month


def _onset(rule: _Rule, template: datetime, year: int, offset_from: int) -> int | None:
    """UTC seconds of the rule's onset in ``year`` at the template's wall time."""
    day = _rule_date(rule, year)
    if day is None:
        return None
    return _epoch(datetime.combine(day, template.time()), offset_from)


def _rrule(rule: _Rule, until: int | None) -> dict:
    value: dict = {"FREQ": "YEARLY"}
    if until is not None:
        value["UNTIL"] = datetime.fromtimestamp(until, UTC)
    value["BYMONTH"] = rule.month
    if rule.kind == "date":
        value["BYMONTHDAY"] = rule.n
    else:
        value["BYDAY"] = f"{rule.n}{_WEEKDAYS[rule.weekday]}"
    return value


def _rule_observances(transitions: list[_Transition], hi: int) -> list[_Observance]:
    """Group transitions into yearly-RRULE observances where a rule fits."""
    groups: dict[tuple, list[_Transition]] = {}
    for transition in transitions:
        key = (transition.daylight, transition.offset_from, transition.offset_to, transition.name)
        groups.setdefault(key, []).append(transition)

    observances = []
    for group in groups.values():
        i = 0
        while i < len(group):
            first = group[i]
            local = _local(first.at, first.offset_from)
            best_rule, best_end = None, i
            for rule in _candidate_rules(local):
                end = i
                while end + 1 < len(group) and group[end + 1].at == _onset(
                    rule, local, local.year + end + 1 - i, first.offset_from
                ):
                    end += 1
                if end > best_end:
                    best_rule, best_end = rule, end
            until = None
            if best_rule is not None:
                following = _onset(
                    best_rule, local, local.year + best_end + 1 - i, first.offset_from
                )
                if following is None or following < hi:
                    until = group[best_end].at
            observances.append(
                _Observance(
                    first.daylight,
                    local,
                    first.offset_from,
                    first.offset_to,
                    first.name,
                    best_rule,
                    until,
                )
            )
            i = best_end + 1
    return observances


def _single_observances(transitions: list[_Transition]) -> list[_Observance]:
    return [
        _Observance(t.daylight, _local(t.at, t.offset_from), t.offset_from, t.offset_to, t.name)
        for t in transitions
    ]


def _onsets(observance: _Observance, hi: int) -> list[tuple[int, int, int]]:
    """(UTC onset, offset from, offset to) of every onset before ``hi``."""
    first = _epoch(observance.start, observance.offset_from)
    found = [(first, observance.offset_from, observance.offset_to)]
    if observance.rule is not None:
        year = observance.start.year + 1
        while True:
            at = _onset(observance.rule, observance.start, year, observance.offset_from)
            if at is not None:
                if at >= hi or (observance.until is not None and at > observance.until):
                    break
                found.append((at, observance.offset_from, observance.offset_to))
            year += 1
    return found


def _reproduces(observances: list[_Observance], transitions: list[_Transition], hi: int) -> bool:
    expected = [(t.at, t.offset_from, t.offset_to) for t in transitions]
    made = sorted(onset for o in observances for onset in _onsets(o, hi))
    return made == expected


@lru_cache(maxsize=256)
def _observances(tzid: str, first_year: int, last_year: int) -> tuple[_Observance, ...]:
    zone = _zone(tzid)
    # Scan from a year before the first covered year, so the observance in
    # force on 1 January is a real, dated onset, to a day past the last one.
    lo = int(datetime(first_year - 1, 1, 1, tzinfo=UTC).timestamp())
    covered_from = int(datetime(first_year, 1, 1, tzinfo=UTC).timestamp()) - 86400
    hi = int(datetime(last_year + 1, 1, 1, tzinfo=UTC).timestamp()) + 2 * 86400
    transitions = _transitions(zone, lo, hi)

    observances = _rule_observances(transitions, hi)
    if not _reproduces(observances, transitions, hi):
        observances = _single_observances(transitions)
        if not _reproduces(observances, transitions, hi):  # pragma: no cover - defensive
            raise RuntimeError(f"cannot describe {tzid} for {first_year}-{last_year}")

    if not transitions or transitions[0].at > covered_from:
        # Nothing dated before the covered range: say what is in force then.
        offset, name, dst = _state(zone, lo)
        daylight = bool(transitions) and dst > 0
        observances.append(_Observance(daylight, _EPOCH, offset, offset, name))
    observances.sort(key=lambda o: (_epoch(o.start, o.offset_from), o.daylight))
    return tuple(observances)


def timezone_component(tzid: str, first_year: int, last_year: int) -> Timezone:
    """A VTIMEZONE for ``tzid`` that is right for every instant of the years
    ``first_year`` to ``last_year`` (local time), built from zoneinfo."""
    if first_year > last_year:
        raise ValueError("first_year must not be after last_year")
    component = Timezone()
    component.add("tzid", tzid)
    for observance in _observances(tzid, first_year, last_year):
        sub = TimezoneDaylight() if observance.daylight else TimezoneStandard()
        sub.add("dtstart", observance.start)
        if observance.rule is not None:
            sub.add("rrule", _rrule(observance.rule, observance.until))
        sub.add("tzoffsetfrom", timedelta(seconds=observance.offset_from))
        sub.add("tzoffsetto", timedelta(seconds=observance.offset_to))
        if observance.name:
            sub.add("tzname", observance.name)
        component.add_component(sub)
    return component


# --------------------------------------------------------------------------
# VEVENT and VCALENDAR


def _add_time(event: Event, name: str, value: datetime, tzid: str) -> tuple[datetime, bool]:
    """Add DTSTART/DTEND as TZID + local wall time.

    Return the local time and whether the written value refers to the TZID
    (it does not when written in UTC).
    """
    local = _utc(name, value).astimezone(_zone(tzid))
    other_fold = local.replace(fold=1 - local.fold)
    if other_fold.utcoffset() != local.utcoffset():
        # The wall time occurs twice (end of summer time): only UTC is exact.
        event.add(name, local.astimezone(UTC))
        return local, False
    event.add(name, local.replace(tzinfo=None), parameters={"TZID": tzid})
    # icalendar writes TZID=UTC as a UTC value ("...Z") without the TZID.
    return local, not event[name].to_ical().endswith(b"Z")


def _cal_address(name: str, email: str, extra: dict[str, str] | None = None) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name.strip():
        address.params["CN"] = _text(name).replace("\n", " ")
    for key, value in (extra or {}).items():
        address.params[key] = value
    return address


def _event(entry: CalendarEntry, method: str, stamp: datetime) -> tuple[Event, list[datetime]]:
    event = Event()
    event.add("uid", _text(entry.uid))
    event.add("dtstamp", stamp)
    event.add(
        "last-modified",
        _utc("last_modified", entry.last_modified) if entry.last_modified else stamp,
    )
    event.add("sequence", entry.sequence)
    zoned = []  # local times written with TZID=entry.tzid
    for name, value in (("dtstart", entry.start), ("dtend", entry.end)):
        local, uses_tzid = _add_time(event, name, value, entry.tzid)
        if uses_tzid:
            zoned.append(local)
    event.add("summary", _text(entry.summary))
    if entry.location:
        event.add("location", _text(entry.location))
    if entry.description:
        event.add("description", _text(entry.description))
    if entry.url:
        event.add("url", entry.url)
    if entry.conference:
        params = {"VALUE": "URI", "FEATURE": "VIDEO"}
        if entry.conference_label.strip():
            params["LABEL"] = _text(entry.conference_label).replace("\n", " ")
        event.add("conference", vUri(entry.conference), parameters=params)
    event.add("status", entry.status)
    categories = [_text(c) for c in entry.categories if _text(c).strip()]
    if categories:
        event.add("categories", categories)
    if entry.organizer is not None:
        event.add("organizer", _cal_address(*entry.organizer))
    invite = None
    if method == "REQUEST":
        invite = {
            "CUTYPE": "INDIVIDUAL",
            "ROLE": "REQ-PARTICIPANT",
            "PARTSTAT": "NEEDS-ACTION",
            "RSVP": "TRUE",
        }
    for name, email in entry.attendees:
        event.add("attendee", _cal_address(name, email, invite))
    return event, zoned


def build_calendar(
    entries: Iterable[CalendarEntry],
    *,
    name: str,
    method: str = "PUBLISH",
    now: datetime,
    prodid: str = "-//meetingapp//meetingapp//EN",
    empty_zone: str = "UTC",
) -> bytes:
    """Serialise ``entries`` as one VCALENDAR (UTF-8 bytes, CRLF line ends).

    RFC 5545 (3.6) requires at least one component: a calendar without entries holds the
    VTIMEZONE of ``empty_zone`` alone, so an empty itinerary or feed stays a valid file.

    ``now`` (aware) becomes every DTSTAMP and the LAST-MODIFIED of entries
    without one. ``method`` is PUBLISH for feeds and downloads; REQUEST and
    CANCEL (e-mailed invitations, RFC 5546) need an organizer and at least one
    attendee on every entry, and CANCEL needs status CANCELLED.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {sorted(METHODS)}, got {method!r}")
    stamp = _utc("now", now)
    items = list(entries)
    for entry in items:
        if not isinstance(entry, CalendarEntry):
            raise TypeError(f"expected CalendarEntry, got {type(entry).__name__}")
    items.sort(key=lambda e: (_utc("start", e.start), _utc("end", e.end), e.uid))
    seen: set[str] = set()
    for entry in items:
        if entry.uid in seen:
            raise ValueError(f"duplicate uid {entry.uid!r}")
        seen.add(entry.uid)
        if method in ("REQUEST", "CANCEL"):
            if entry.organizer is None or not entry.attendees:
                raise ValueError(f"{entry.uid}: METHOD:{method} needs an organizer and attendees")
            if method == "CANCEL" and entry.status != "CANCELLED":
                raise ValueError(f"{entry.uid}: METHOD:CANCEL needs status CANCELLED")

    calendar = Calendar()
    calendar.add("prodid", prodid)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    # icalendar types unknown (X-) properties as vUnknown, which it does not
    # escape: wrap them in vText explicitly.
    calendar.add("x-wr-calname", vText(_text(name)))
    zones = {entry.tzid for entry in items}
    if len(zones) == 1:
        calendar.add("x-wr-timezone", vText(next(iter(zones))))

    events = []
    years: dict[str, tuple[int, int]] = {}
    for entry in items:
        event, zoned = _event(entry, method, stamp)
        events.append(event)
        for local in zoned:
            low, high = years.get(entry.tzid, (local.year, local.year))
            years[entry.tzid] = (min(low, local.year), max(high, local.year))

    if not items:
        years[empty_zone] = (stamp.year, stamp.year)
    for tzid in sorted(years):
        calendar.add_component(timezone_component(tzid, *years[tzid]))
    for event in events:
        calendar.add_component(event)
    return calendar.to_ical()
