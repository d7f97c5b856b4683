"""The VTIMEZONEs of meetingapp.calendar.ics against zoneinfo, without a client.

The VTIMEZONE text is parsed by icalendar and expanded here by dateutil's
RRULE engine (not by the code under test, and not by icalendar's ``to_tz``,
which returns zoneinfo's own zone for a known TZID and so would prove
nothing), then compared with zoneinfo every 30 minutes of the covered years.
"""

from __future__ import annotations

import bisect
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from icalendar import Calendar

from meetingapp.calendar.ics import timezone_component

# zone: (first year, last year, why it is here)
ZONES = {
    "America/New_York": (2024, 2025, "the meeting city; US rules"),
    "Europe/Vienna": (2024, 2025, "the meeting city; EU rules"),
    "Australia/Sydney": (2024, 2026, "southern hemisphere, DST across new year"),
    "Asia/Tokyo": (2024, 2025, "no DST"),
    "Etc/UTC": (2024, 2024, "UTC under a name icalendar keeps as TZID"),
    "Asia/Kathmandu": (2024, 2024, "+05:45"),
    "America/St_Johns": (2024, 2025, "-03:30 with DST"),
    "Australia/Lord_Howe": (2024, 2025, "30-minute DST"),
    "Pacific/Chatham": (2024, 2025, "+12:45/+13:45"),
    "Europe/Dublin": (2024, 2025, "negative DST in tzdata"),
    "America/New_York ": (2005, 2009, "US rule change of 2007 (UNTIL)"),
    "Europe/Moscow": (2009, 2015, "DST abolished 2011, offset changed 2014"),
    "America/Sao_Paulo": (2017, 2020, "DST abolished 2019"),
    "America/Santiago": (2022, 2026, "Sun>=2 rules: per-transition fallback"),
    "Africa/Casablanca": (2023, 2026, "Ramadan breaks: per-transition fallback"),
    "Asia/Jerusalem": (2023, 2026, "Friday before the last Sunday"),
    "Pacific/Apia": (2010, 2013, "skipped 30 Dec 2011"),
    "America/Mexico_City": (2021, 2023, "DST abolished 2022"),
    "America/Nuuk": (2022, 2025, "offset changed 2023"),
}


def zone_of(key: str) -> str:
    return key.strip()  # the trailing space only makes a second pytest id


def vtimezone(tzid: str, first: int, last: int):
    text = timezone_component(tzid, first, last).to_ical()
    (component,) = Calendar.from_ical(b"BEGIN:VCALENDAR\r\n" + text + b"END:VCALENDAR\r\n").walk(
        "VTIMEZONE"
    )
    return component


def onsets(component, until: datetime) -> list[tuple[datetime, timedelta]]:
    """(UTC onset, offset after) for every observance onset before ``until``."""
    found = []
    for sub in component.subcomponents:
        start = sub["dtstart"].dt  # naive, local time of TZOFFSETFROM
        offset_from = sub["tzoffsetfrom"].td
        offset_to = sub["tzoffsetto"].td
        assert start.tzinfo is None
        assert "RDATE" not in sub  # never written: one sub-component per odd onset
        local_until = until.replace(tzinfo=None) + offset_from
        if "RRULE" in sub:
            rule = sub["rrule"].to_ical().decode()
            if ";UNTIL=" in rule:
                # VTIMEZONE UNTIL is UTC; dateutil wants it like DTSTART (local).
                (stop,) = [p[6:] for p in rule.split(";") if p.startswith("UNTIL=")]
                stop_local = datetime.strptime(stop, "%Y%m%dT%H%M%SZ") + offset_from
                rule = rule.replace(f"UNTIL={stop}", f"UNTIL={stop_local:%Y%m%dT%H%M%S}")
            local_onsets = rrulestr(rule, dtstart=start).between(start, local_until, inc=True)
        else:
            local_onsets = [start] if start <= local_until else []
        found += [((t - offset_from).replace(tzinfo=UTC), offset_to) for t in local_onsets]
    return sorted(found)


@pytest.mark.parametrize("key", sorted(ZONES))
def test_vtimezone_offsets_match_zoneinfo_for_covered_years(key):
    tzid = zone_of(key)
    first, last, _why = ZONES[key]
    component = vtimezone(tzid, first, last)
    zone = ZoneInfo(tzid)
    stop = datetime(last + 1, 1, 2, tzinfo=UTC)
    table = onsets(component, stop)
    instants = [at for at, _ in table]

    assert str(component["tzid"]) == tzid
    at = datetime(first, 1, 1, tzinfo=UTC) - timedelta(hours=14)
    checked = 0
    while at < stop:
        index = bisect.bisect_right(instants, at) - 1
        assert index >= 0, f"{tzid}: no observance in force at {at}"
        assert table[index][1] == at.astimezone(zone).utcoffset(), f"{tzid} at {at}"
        at += timedelta(minutes=30)
        checked += 1
    assert checked > 17_000


@pytest.mark.parametrize("key", sorted(ZONES))
def test_vtimezone_onsets_match_zoneinfo_transitions(key):
    tzid = zone_of(key)
    first, last, _why = ZONES[key]
    zone = ZoneInfo(tzid)
    table = onsets(vtimezone(tzid, first, last), datetime(last + 1, 1, 1, tzinfo=UTC))

    for at, offset in table:
        if at.year < first - 1:
            continue  # the "in force since 1970" observance of a zone
        before = (at - timedelta(seconds=1)).astimezone(zone)
        after = at.astimezone(zone)
        assert after.utcoffset() == offset, f"{tzid}: onset at {at}"
        state = (after.utcoffset(), after.tzname(), after.dst())
        assert (before.utcoffset(), before.tzname(), before.dst()) != state, (
            f"{tzid}: onset at {at} is no transition"
        )


def test_vtimezone_rrule_for_new_york_2024():
    component = vtimezone("America/New_York", 2024, 2024)
    subs = {sub.name: sub for sub in component.subcomponents}

    assert len(component.subcomponents) == 2
    assert subs["DAYLIGHT"]["rrule"].to_ical() == b"FREQ=YEARLY;BYDAY=2SU;BYMONTH=3"
    assert subs["DAYLIGHT"]["dtstart"].to_ical() == b"20230312T020000"
    assert subs["DAYLIGHT"]["tzname"] == "EDT"
    assert subs["STANDARD"]["rrule"].to_ical() == b"FREQ=YEARLY;BYDAY=1SU;BYMONTH=11"
    assert subs["STANDARD"]["dtstart"].to_ical() == b"20231105T020000"
    assert subs["STANDARD"]["tzoffsetfrom"].to_ical() == "-0400"
    assert subs["STANDARD"]["tzoffsetto"].to_ical() == "-0500"


def test_vtimezone_rrule_for_vienna_2024():
    component = vtimezone("Europe/Vienna", 2024, 2024)
    subs = {sub.name: sub for sub in component.subcomponents}

    assert len(component.subcomponents) == 2
    assert subs["DAYLIGHT"]["rrule"].to_ical() == b"FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3"
    assert subs["DAYLIGHT"]["dtstart"].to_ical() == b"20230326T020000"  # 01:00Z
    assert subs["STANDARD"]["rrule"].to_ical() == b"FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10"
    assert subs["STANDARD"]["dtstart"].to_ical() == b"20231029T030000"  # 01:00Z
    assert subs["STANDARD"]["tzname"] == "CET"


def test_vtimezone_until_when_rules_changed():
    # The US moved DST from April/October to March/November in 2007.
    component = vtimezone("America/New_York", 2006, 2008)
    rules = {
        (sub.name, sub["dtstart"].to_ical(), sub["rrule"].to_ical())
        for sub in component.subcomponents
    }

    assert rules == {
        ("DAYLIGHT", b"20050403T020000", b"FREQ=YEARLY;UNTIL=20060402T070000Z;BYDAY=1SU;BYMONTH=4"),
        (
            "STANDARD",
            b"20051030T020000",
            b"FREQ=YEARLY;UNTIL=20061029T060000Z;BYDAY=-1SU;BYMONTH=10",
        ),
        ("DAYLIGHT", b"20070311T020000", b"FREQ=YEARLY;BYDAY=2SU;BYMONTH=3"),
        ("STANDARD", b"20071104T020000", b"FREQ=YEARLY;BYDAY=1SU;BYMONTH=11"),
    }


def test_vtimezone_per_transition_when_no_yearly_rule():
    # Santiago: first Sunday on or after 2 September; 2024 is the 8th.
    component = vtimezone("America/Santiago", 2023, 2024)
    daylight = [sub for sub in component.subcomponents if sub.name == "DAYLIGHT"]

    assert [sub["dtstart"].to_ical() for sub in daylight] == [
        b"20220911T000000",
        b"20230903T000000",
        b"20240908T000000",
    ]
    assert not any("RRULE" in sub or "RDATE" in sub for sub in daylight)


def test_vtimezone_single_standard_for_zone_without_dst():
    component = vtimezone("Asia/Tokyo", 2024, 2026)

    assert [sub.name for sub in component.subcomponents] == ["STANDARD"]
    (standard,) = component.subcomponents
    assert standard["dtstart"].to_ical() == b"19700101T000000"
    assert standard["tzoffsetto"].to_ical() == "+0900"
    assert standard["tzname"] == "JST"


def test_vtimezone_daylight_pair_for_negative_dst_zone():
    component = vtimezone("Europe/Dublin", 2024, 2024)
    names = {sub.name: str(sub["tzname"]) for sub in component.subcomponents}

    assert names == {"DAYLIGHT": "IST", "STANDARD": "GMT"}


def test_vtimezone_rejected_when_years_reversed():
    with pytest.raises(ValueError, match="first_year"):
        timezone_component("Europe/Vienna", 2025, 2024)
