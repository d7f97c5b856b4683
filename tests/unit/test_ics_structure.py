"""Structure of the .ics that meetingapp.calendar.ics writes (no real clients)."""

from __future__ import annotations

import ast
import random
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from meetingapp.calendar import ics
from meetingapp.calendar.ics import CalendarEntry, build_calendar

NOW = datetime(2024, 10, 1, 8, 15, 42, tzinfo=UTC)
CHINESE = "速配：了解联合国"


def local_entry(uid: str, tzid: str, *wall: int, minutes: int = 60, **fields) -> CalendarEntry:
    start = datetime(*wall, tzinfo=ZoneInfo(tzid))
    return CalendarEntry(
        uid=uid,
        summary=fields.pop("summary", f"Session {uid}"),
        start=start.astimezone(UTC),
        end=(start + timedelta(minutes=minutes)).astimezone(UTC),
        tzid=tzid,
        **fields,
    )


def ny_and_vienna() -> list[CalendarEntry]:
    return [
        local_entry("ny-oct28@meetingapp", "America/New_York", 2024, 10, 28, 9, 30),
        local_entry("ny-nov04@meetingapp", "America/New_York", 2024, 11, 4, 9, 30),
        local_entry(
            "vie-nov20@meetingapp",
            "Europe/Vienna",
            2024,
            11,
            20,
            13,
            0,
            location="Vienna International Centre, Room M1",
            description="Agenda:\n1. Welcome\n2. Panel",
            url="https://meetings.example.org/events/7/sessions/42",
            sequence=3,
            last_modified=datetime(2024, 9, 30, 17, 0, tzinfo=UTC),
            status="TENTATIVE",
            categories=("Session", "Panel"),
            organizer=("Secretariat, UN", "secretariat@example.org"),
            attendees=(("Ana Pérez", "ana@example.org"), ("Bo Li", "bo@example.org")),
        ),
    ]


def parse(data: bytes) -> Calendar:
    return Calendar.from_ical(data)


def content_lines(data: bytes) -> list[str]:
    """Unfolded content lines."""
    text = data.decode("utf-8")
    return text.replace("\r\n ", "").split("\r\n")[:-1]


def unescape_text(value: str) -> str:
    """RFC 5545 TEXT unescaping (icalendar leaves X- properties escaped)."""
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], value)


def events_by_uid(calendar: Calendar) -> dict:
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}


# -- required properties ------------------------------------------------------


def test_calendar_properties_present_for_single_zone():
    entries = [e for e in ny_and_vienna() if e.tzid == "America/New_York"]
    calendar = parse(build_calendar(entries, name="UN/NY week", now=NOW))

    assert str(calendar["version"]) == "2.0"
    assert str(calendar["prodid"]) == "-//meetingapp//meetingapp//EN"
    assert str(calendar["method"]) == "PUBLISH"
    assert str(calendar["calscale"]) == "GREGORIAN"
    assert str(calendar["x-wr-calname"]) == "UN/NY week"
    assert str(calendar["x-wr-timezone"]) == "America/New_York"


def test_calendar_xwrtimezone_absent_for_mixed_zones():
    calendar = parse(build_calendar(ny_and_vienna(), name="Two cities", now=NOW))

    assert "X-WR-TIMEZONE" not in calendar


def test_calendar_prodid_and_method_overridable():
    entry = ny_and_vienna()[2]
    data = build_calendar([entry], name="x", now=NOW, method="REQUEST", prodid="-//acme//x//EN")

    assert "PRODID:-//acme//x//EN" in content_lines(data)
    assert "METHOD:REQUEST" in content_lines(data)


def test_event_properties_present_with_all_fields():
    data = build_calendar(ny_and_vienna(), name="x", now=NOW)
    event = events_by_uid(parse(data))["vie-nov20@meetingapp"]
    lines = content_lines(data)

    assert event["dtstamp"].to_ical() == b"20241001T081542Z"
    assert event["last-modified"].to_ical() == b"20240930T170000Z"
    assert int(event["sequence"]) == 3
    assert str(event["summary"]) == "Session vie-nov20@meetingapp"
    assert str(event["location"]) == "Vienna International Centre, Room M1"
    assert str(event["description"]) == "Agenda:\n1. Welcome\n2. Panel"
    assert str(event["url"]) == "https://meetings.example.org/events/7/sessions/42"
    assert str(event["status"]) == "TENTATIVE"
    assert [str(c) for c in event["categories"].cats] == ["Session", "Panel"]
    assert "DTSTART;TZID=Europe/Vienna:20241120T130000" in lines
    assert "DTEND;TZID=Europe/Vienna:20241120T140000" in lines
    assert 'ORGANIZER;CN="Secretariat, UN":mailto:secretariat@example.org' in lines
    assert 'ATTENDEE;CN="Ana Pérez":mailto:ana@example.org' in lines
    assert 'ATTENDEE;CN="Bo Li":mailto:bo@example.org' in lines


def test_event_minimal_properties_present_without_optional_fields():
    data = build_calendar(ny_and_vienna()[:1], name="x", now=NOW)
    event = events_by_uid(parse(data))["ny-oct28@meetingapp"]

    for name in ("UID", "DTSTAMP", "LAST-MODIFIED", "SEQUENCE", "DTSTART", "DTEND"):
        assert name in event, name
    for name in ("SUMMARY", "STATUS"):
        assert name in event, name
    # Empty optional values are left out rather than written empty.
    for name in ("LOCATION", "DESCRIPTION", "URL", "CATEGORIES", "ORGANIZER", "ATTENDEE"):
        assert name not in event, name
    assert event["last-modified"].to_ical() == b"20241001T081542Z"  # defaults to now
    assert int(event["sequence"]) == 0
    assert str(event["status"]) == "CONFIRMED"


def test_dtstart_local_wall_time_with_iana_tzid():
    lines = content_lines(build_calendar(ny_and_vienna(), name="x", now=NOW))

    # 28 Oct 2024 09:30 New York (EDT) is 13:30Z; 4 Nov 09:30 (EST) is 14:30Z.
    assert "DTSTART;TZID=America/New_York:20241028T093000" in lines
    assert "DTSTART;TZID=America/New_York:20241104T093000" in lines
    assert not any(re.match(r"DT(START|END)[:;].*Z$", line) for line in lines)
    assert not any("TZID=CET" in line or "TZID=EST" in line for line in lines)


def test_dtstart_utc_for_repeated_wall_time():
    # 3 Nov 2024 01:30 happens twice in New York (EDT then EST): TZID form
    # would mean the first one only, so both are written in UTC.
    first = datetime(2024, 11, 3, 5, 30, tzinfo=UTC)
    second = datetime(2024, 11, 3, 6, 30, tzinfo=UTC)
    entries = [
        CalendarEntry("a@m", "first", first, first + timedelta(minutes=20), "America/New_York"),
        CalendarEntry("b@m", "second", second, second + timedelta(minutes=20), "America/New_York"),
    ]
    lines = content_lines(build_calendar(entries, name="x", now=NOW))

    assert "DTSTART:20241103T053000Z" in lines
    assert "DTSTART:20241103T063000Z" in lines
    assert "DTEND:20241103T065000Z" in lines
    assert "DTEND;TZID=America/New_York:20241103T015000" not in lines


def test_dtstart_microseconds_dropped():
    start = datetime(2024, 11, 20, 12, 0, 0, 999_999, tzinfo=UTC)
    entry = CalendarEntry("a@m", "x", start, start + timedelta(hours=1), "Europe/Vienna")

    assert "DTSTART;TZID=Europe/Vienna:20241120T130000" in content_lines(
        build_calendar([entry], name="x", now=NOW)
    )


def test_dtstart_utc_zone_written_as_utc():
    start = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    entry = CalendarEntry("a@m", "x", start, start + timedelta(hours=1), "UTC")
    data = build_calendar([entry], name="x", now=NOW)
    lines = content_lines(data)

    # icalendar always writes TZID=UTC as a UTC value; no VTIMEZONE is needed then.
    assert "DTSTART:20250301T090000Z" in lines
    assert "BEGIN:VTIMEZONE" not in lines
    assert "X-WR-TIMEZONE:UTC" in lines


def test_request_attendees_rsvp_when_method_request():
    data = build_calendar(ny_and_vienna()[2:], name="x", now=NOW, method="REQUEST")
    attendee = events_by_uid(parse(data))["vie-nov20@meetingapp"]["attendee"][0]

    assert str(attendee) == "mailto:ana@example.org"
    assert attendee.params["CN"] == "Ana Pérez"
    assert attendee.params["RSVP"] == "TRUE"
    assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
    assert attendee.params["ROLE"] == "REQ-PARTICIPANT"


def test_cancel_accepted_when_status_cancelled():
    entry = ny_and_vienna()[2]
    cancelled = CalendarEntry(**{**entry.__dict__, "status": "CANCELLED", "sequence": 4})
    data = build_calendar([cancelled], name="x", now=NOW, method="CANCEL")

    assert "METHOD:CANCEL" in content_lines(data)
    assert "STATUS:CANCELLED" in content_lines(data)


# -- VTIMEZONE -----------------------------------------------------------------


def test_vtimezone_present_for_every_tzid():
    entries = ny_and_vienna() + [
        local_entry("tokyo@m", "Asia/Tokyo", 2025, 3, 1, 9, 0),
        local_entry("sydney@m", "Australia/Sydney", 2025, 1, 15, 10, 0),
    ]
    data = build_calendar(entries, name="x", now=NOW)
    calendar = parse(data)

    used = {
        event[name].params["TZID"]
        for event in calendar.walk("VEVENT")
        for name in ("DTSTART", "DTEND")
    }
    defined = [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")]
    assert used == {"America/New_York", "Europe/Vienna", "Asia/Tokyo", "Australia/Sydney"}
    assert defined == sorted(used)  # one each, sorted


def test_vtimezone_before_first_vevent():
    lines = content_lines(build_calendar(ny_and_vienna(), name="x", now=NOW))

    last_timezone = max(i for i, line in enumerate(lines) if line == "END:VTIMEZONE")
    assert last_timezone < lines.index("BEGIN:VEVENT")


def test_vtimezone_uses_rrules_not_rdate_lists():
    lines = content_lines(build_calendar(ny_and_vienna(), name="x", now=NOW))

    assert not [line for line in lines if line.startswith("RDATE")]
    assert "RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3" in lines  # New York
    assert "RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11" in lines
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" in lines  # Vienna
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10" in lines


def test_vtimezone_single_standard_without_dst():
    entry = local_entry("tokyo@m", "Asia/Tokyo", 2025, 3, 1, 9, 0)
    calendar = parse(build_calendar([entry], name="x", now=NOW))
    (zone,) = calendar.walk("VTIMEZONE")

    assert [sub.name for sub in zone.subcomponents] == ["STANDARD"]
    standard = zone.subcomponents[0]
    assert "RRULE" not in standard and "RDATE" not in standard
    assert standard["tzoffsetfrom"].to_ical() == standard["tzoffsetto"].to_ical() == "+0900"


# -- serialisation ------------------------------------------------------------


def test_lines_end_with_crlf_only():
    data = build_calendar(ny_and_vienna(), name="x", now=NOW)

    assert data.endswith(b"END:VCALENDAR\r\n")
    assert data.count(b"\n") == data.count(b"\r\n")
    assert data.count(b"\r") == data.count(b"\r\n")


@pytest.mark.parametrize("prefix", ["", "a", "ab", "abc", "Ünï"])
def test_folding_at_75_octets_never_splits_utf8(prefix):
    summary = prefix + CHINESE * 12
    description = prefix + ("😀 " + CHINESE + ", é; ") * 15
    entry = local_entry("cjk@m", "Europe/Vienna", 2024, 11, 20, 13, 0, summary=summary)
    entry = CalendarEntry(**{**entry.__dict__, "description": description, "location": summary})
    data = build_calendar([entry], name=CHINESE * 5, now=NOW)

    physical = data.split(b"\r\n")[:-1]
    assert any(line.startswith(b" ") for line in physical)  # something was folded
    for line in physical:
        assert len(line) <= 75, line
        line.decode("utf-8")  # each physical line is whole UTF-8 by itself
        assert not line.startswith(b"  ")
    event = events_by_uid(parse(data))["cjk@m"]
    assert str(event["summary"]) == summary
    assert str(event["location"]) == summary
    assert str(event["description"]) == description


def test_text_escaping_round_trips_through_icalendar():
    tricky = 'a,b;c\\d\ne "quoted" \\n: tab\there'
    entry = local_entry(
        "x,y;z@m",
        "Europe/Vienna",
        2024,
        11,
        20,
        13,
        0,
        summary=tricky,
        location=tricky,
        description=tricky + "\r\nwindows\rold mac",
        categories=("a,b", "c;d", "e\\f"),
        organizer=('Doe, "J" ^', "j@example.org"),
    )
    data = build_calendar([entry], name=tricky, now=NOW)
    calendar = parse(data)
    event = events_by_uid(calendar)["x,y;z@m"]
    lines = content_lines(data)

    assert str(event["summary"]) == tricky
    assert str(event["location"]) == tricky
    assert str(event["description"]) == tricky + "\nwindows\nold mac"
    assert [str(c) for c in event["categories"].cats] == ["a,b", "c;d", "e\\f"]
    assert event["organizer"].params["CN"] == 'Doe, "J" ^'
    assert r"SUMMARY:a\,b\;c\\d\ne " + '"quoted" ' + r"\\n: tab" + "\there" in lines
    assert r"CATEGORIES:a\,b,c\;d,e\\f" in lines
    # icalendar parses X- properties as vUnknown and leaves them escaped.
    assert unescape_text(str(calendar["x-wr-calname"])) == tricky


def test_control_characters_removed_from_text():
    entry = local_entry(
        "ctl@m", "Europe/Vienna", 2024, 11, 20, 13, 0, summary="a\x00b\x07c\x1bd\x7fe\tf"
    )
    data = build_calendar([entry], name="n\x0came", now=NOW)

    assert "SUMMARY:abcde\tf" in content_lines(data)
    assert "X-WR-CALNAME:name" in content_lines(data)


def test_output_identical_for_shuffled_input():
    entries = ny_and_vienna() + [
        local_entry(f"s{i}@m", "Europe/Vienna", 2024, 11, 20, 9 + i % 8, 0) for i in range(30)
    ]
    expected = build_calendar(entries, name="x", now=NOW)
    for seed in range(5):
        shuffled = entries[:]
        random.Random(seed).shuffle(shuffled)
        assert build_calendar(shuffled, name="x", now=NOW) == expected


def test_events_sorted_by_start_then_uid():
    entries = ny_and_vienna()
    same_start = local_entry("aaa@m", "Europe/Vienna", 2024, 11, 20, 13, 0)
    uids = [
        str(e["uid"])
        for e in parse(build_calendar([*entries, same_start], name="x", now=NOW)).walk("VEVENT")
    ]

    assert uids == [
        "ny-oct28@meetingapp",
        "ny-nov04@meetingapp",
        "aaa@m",
        "vie-nov20@meetingapp",
    ]


def test_empty_calendar_holds_one_vtimezone_as_rfc5545_requires():
    data = build_calendar([], name="Nothing yet", now=NOW)
    calendar = parse(data)

    # RFC 5545 3.6: icalbody = calprops component (at least one component).
    assert [c.name for c in calendar.subcomponents] == ["VTIMEZONE"]
    assert str(calendar.subcomponents[0]["tzid"]) == "UTC"
    assert calendar.walk("VEVENT") == []
    assert "X-WR-TIMEZONE" not in calendar
    assert str(calendar["x-wr-calname"]) == "Nothing yet"


def test_entry_lists_coerced_to_tuples():
    entry = CalendarEntry(
        "a@m",
        "x",
        NOW,
        NOW,
        "Europe/Vienna",
        categories=["a", "b"],
        organizer=["O", "o@example.org"],
        attendees=[["A", "a@example.org"]],
    )

    assert entry.categories == ("a", "b")
    assert entry.organizer == ("O", "o@example.org")
    assert entry.attendees == (("A", "a@example.org"),)
    hash(entry)


# -- invalid input --------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"start": datetime(2024, 11, 20, 12)}, "timezone-aware"),
        ({"end": datetime(2024, 11, 20, 13)}, "timezone-aware"),
        ({"end": datetime(2024, 11, 20, 11, tzinfo=UTC)}, "before start"),
        ({"tzid": "Europe/Wien"}, "unknown IANA time zone"),
        ({"tzid": "../etc/passwd"}, "unknown IANA time zone"),
        ({"status": "confirmed"}, "status"),
        ({"sequence": -1}, "sequence"),
        ({"sequence": True}, "sequence"),
        ({"uid": " "}, "uid"),
        ({"url": "https://x.org/a b"}, "url"),
        ({"url": "https://x.org/\r\nX-EVIL:1"}, "url"),
        ({"organizer": ("Eve", "eve@example.org\r\nX-EVIL:1")}, "e-mail"),
        ({"attendees": (("Eve", "not-an-address"),)}, "e-mail"),
        ({"attendees": ("eve@example.org",)}, "pair"),
        ({"categories": "Panel"}, "categories"),
        ({"categories": ("Panel", 3)}, "categories"),
        ({"last_modified": datetime(2024, 1, 1)}, "timezone-aware"),
    ],
)
def test_entry_rejected_when_invalid(changes, message):
    fields = {
        "uid": "a@m",
        "summary": "x",
        "start": datetime(2024, 11, 20, 12, tzinfo=UTC),
        "end": datetime(2024, 11, 20, 13, tzinfo=UTC),
        "tzid": "Europe/Vienna",
    }
    with pytest.raises(ValueError, match=message):
        CalendarEntry(**(fields | changes))


def test_build_rejected_when_uid_duplicated():
    entry = ny_and_vienna()[0]
    with pytest.raises(ValueError, match="duplicate uid"):
        build_calendar([entry, entry], name="x", now=NOW)


def test_build_rejected_when_entry_not_calendar_entry():
    with pytest.raises(TypeError, match="CalendarEntry"):
        build_calendar([{"uid": "a@m"}], name="x", now=NOW)


def test_build_rejected_when_now_naive():
    with pytest.raises(ValueError, match="timezone-aware"):
        build_calendar(ny_and_vienna(), name="x", now=datetime(2024, 10, 1))


def test_build_rejected_when_method_unknown():
    with pytest.raises(ValueError, match="method"):
        build_calendar(ny_and_vienna(), name="x", now=NOW, method="publish")


def test_build_rejected_when_request_lacks_organizer():
    with pytest.raises(ValueError, match="organizer and attendees"):
        build_calendar(ny_and_vienna()[:1], name="x", now=NOW, method="REQUEST")


def test_build_rejected_when_cancel_not_cancelled():
    with pytest.raises(ValueError, match="status CANCELLED"):
        build_calendar(ny_and_vienna()[2:], name="x", now=NOW, method="CANCEL")


def test_module_imports_no_framework():
    tree = ast.parse(Path(ics.__file__).read_text(encoding="utf-8"))
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    imported |= {
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    }
    roots = {name.split(".")[0] for name in imported}

    assert roots <= {
        "__future__",
        "re",
        "calendar",
        "collections",
        "dataclasses",
        "datetime",
        "functools",
        "typing",
        "zoneinfo",
        "icalendar",
    }
