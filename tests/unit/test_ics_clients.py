"""Our .ics read by real calendar parsers, compared with zoneinfo.

* ical.js (Thunderbird, many web calendars): ``node tests/clients/icaljs_times.mjs``
* libical (Evolution/GNOME, many CalDAV servers): Debian's ``/usr/bin/python3
  tests/clients/libical_times.py`` through GObject introspection.

Both helpers use only the VTIMEZONEs inside the file (never a zone database of
their own) and print every VEVENT's UID and UTC start/end as JSON.

Install them with ``tests/clients/install.sh``. Without them these tests are
skipped, except when CI=true, where they fail.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Event

from meetingapp.calendar.ics import CalendarEntry, _transitions, build_calendar

CLIENTS = Path(__file__).resolve().parents[1] / "clients"
SYSTEM_PYTHON = "/usr/bin/python3"
NOW = datetime(2024, 10, 1, 8, 0, tzinfo=UTC)
ISO = "%Y-%m-%dT%H:%M:%SZ"


def unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI=true requires the real-client tests (tests/clients/install.sh)")
    pytest.skip(f"{reason}; install with tests/clients/install.sh")


@functools.cache
def icaljs_missing() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed"
    if not (CLIENTS / "node_modules" / "ical.js" / "package.json").is_file():
        return "ical.js is not installed in tests/clients/node_modules"
    return None


def system_env() -> dict[str, str]:
    """The environment without this venv's Python settings."""
    drop = {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP"}
    return {k: v for k, v in os.environ.items() if k not in drop}


@functools.cache
def libical_missing() -> str | None:
    if not os.access(SYSTEM_PYTHON, os.X_OK):
        return f"{SYSTEM_PYTHON} is not installed"
    probe = "import gi; gi.require_version('ICalGLib', '3.0'); from gi.repository import ICalGLib"
    result = subprocess.run(
        [SYSTEM_PYTHON, "-c", probe],
        capture_output=True,
        text=True,
        env=system_env(),
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["?"])[-1]
        return f"libical's GObject bindings are missing ({last})"
    return None


COMMANDS = {
    "ical.js": (icaljs_missing, lambda path: ["node", str(CLIENTS / "icaljs_times.mjs"), path]),
    "libical": (
        libical_missing,
        lambda path: [SYSTEM_PYTHON, str(CLIENTS / "libical_times.py"), path],
    ),
}


def read_with(parser: str, data: bytes, tmp_path: Path) -> dict[str, tuple[str, str]]:
    """{uid: (UTC start, UTC end)} as ``parser`` reads ``data``."""
    missing, command = COMMANDS[parser]
    if reason := missing():
        unavailable(reason)
    path = tmp_path / "calendar.ics"
    path.write_bytes(data)
    result = subprocess.run(
        command(str(path)),
        capture_output=True,
        text=True,
        env=system_env(),
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"{parser} failed: {result.stderr}"
    output = json.loads(result.stdout)
    assert output["parser"] == parser
    return {event["uid"]: (event["start"], event["end"]) for event in output["events"]}


@pytest.fixture(params=sorted(COMMANDS))
def parser(request) -> str:
    return request.param


def entry(uid: str, tzid: str, *wall: int, minutes: int = 60) -> CalendarEntry:
    start = datetime(*wall, tzinfo=ZoneInfo(tzid))
    return CalendarEntry(
        uid=uid,
        summary=uid,
        start=start.astimezone(UTC),
        end=(start + timedelta(minutes=minutes)).astimezone(UTC),
        tzid=tzid,
    )


def expected(entries: list[CalendarEntry]) -> dict[str, tuple[str, str]]:
    return {e.uid: (e.start.strftime(ISO), e.end.strftime(ISO)) for e in entries}


# uid, zone, local wall time, the UTC start every client must show
DST_2024 = [
    ("ny-2024-10-28", "America/New_York", (2024, 10, 28, 9, 30), "2024-10-28T13:30:00Z"),
    ("ny-2024-11-01-edt", "America/New_York", (2024, 11, 1, 9, 30), "2024-11-01T13:30:00Z"),
    ("ny-2024-11-04-est", "America/New_York", (2024, 11, 4, 9, 30), "2024-11-04T14:30:00Z"),
    ("ny-2024-03-08-est", "America/New_York", (2024, 3, 8, 9, 30), "2024-03-08T14:30:00Z"),
    ("ny-2024-03-11-edt", "America/New_York", (2024, 3, 11, 9, 30), "2024-03-11T13:30:00Z"),
    ("ny-2025-07-01-summer", "America/New_York", (2025, 7, 1, 9, 30), "2025-07-01T13:30:00Z"),
    ("vie-2024-10-25-cest", "Europe/Vienna", (2024, 10, 25, 13, 0), "2024-10-25T11:00:00Z"),
    ("vie-2024-10-28-cet", "Europe/Vienna", (2024, 10, 28, 13, 0), "2024-10-28T12:00:00Z"),
    ("vie-2024-11-20", "Europe/Vienna", (2024, 11, 20, 13, 0), "2024-11-20T12:00:00Z"),
    ("vie-2024-03-29-cet", "Europe/Vienna", (2024, 3, 29, 13, 0), "2024-03-29T12:00:00Z"),
    ("vie-2024-04-02-cest", "Europe/Vienna", (2024, 4, 2, 13, 0), "2024-04-02T11:00:00Z"),
    ("vie-2025-07-01-summer", "Europe/Vienna", (2025, 7, 1, 13, 0), "2025-07-01T11:00:00Z"),
    ("syd-2025-01-15-aedt", "Australia/Sydney", (2025, 1, 15, 10, 0), "2025-01-14T23:00:00Z"),
    ("syd-2025-07-15-aest", "Australia/Sydney", (2025, 7, 15, 10, 0), "2025-07-15T00:00:00Z"),
    ("tyo-2025-03-01", "Asia/Tokyo", (2025, 3, 1, 9, 0), "2025-03-01T00:00:00Z"),
]


def dst_entries() -> list[CalendarEntry]:
    return [entry(uid, tzid, *wall) for uid, tzid, wall, _ in DST_2024]


def test_expected_instants_agree_with_zoneinfo():
    # Guards the literal expectations below against a typo (and zoneinfo).
    assert {e.uid: e.start.strftime(ISO) for e in dst_entries()} == {
        uid: start for uid, _, _, start in DST_2024
    }


def test_event_instants_match_zoneinfo_across_2024_dst(parser, tmp_path):
    entries = dst_entries()
    data = build_calendar(entries, name="DST 2024", now=NOW)

    read = read_with(parser, data, tmp_path)

    assert read == expected(entries)
    for uid, _, _, start in DST_2024:
        assert read[uid][0] == start, uid


@pytest.mark.parametrize("tzid", ["America/New_York", "Europe/Vienna"])
def test_event_instants_match_zoneinfo_for_single_zone_feed(parser, tmp_path, tzid):
    entries = [e for e in dst_entries() if e.tzid == tzid]
    data = build_calendar(entries, name=tzid, now=NOW)

    assert b"X-WR-TIMEZONE:" + tzid.encode() in data
    assert read_with(parser, data, tmp_path) == expected(entries)


def test_event_instants_match_zoneinfo_for_repeated_hour(parser, tmp_path):
    # Both 01:30s of 3 Nov 2024 in New York, and the seconds around both
    # 2024 autumn changes, in both zones.
    instants = [
        "2024-11-03T05:30:00",
        "2024-11-03T06:30:00",
        "2024-11-03T05:59:59",
        "2024-11-03T06:00:00",
        "2024-10-27T00:59:59",
        "2024-10-27T01:00:00",
    ]
    entries = []
    for i, text in enumerate(instants):
        start = datetime.fromisoformat(text).replace(tzinfo=UTC)
        for tzid in ("America/New_York", "Europe/Vienna"):
            uid = f"{tzid}-{i}"
            entries.append(CalendarEntry(uid, "x", start, start + timedelta(minutes=45), tzid))

    data = build_calendar(entries, name="edges", now=NOW)

    assert read_with(parser, data, tmp_path) == expected(entries)


TRICKY_ZONES = {
    "Australia/Lord_Howe": (2024, 2025),
    "Pacific/Chatham": (2024, 2025),
    "America/St_Johns": (2024, 2025),
    "Asia/Kathmandu": (2024, 2024),
    "Europe/Dublin": (2024, 2025),
    "America/New_York": (2006, 2008),
    "Europe/Moscow": (2010, 2014),
    "America/Sao_Paulo": (2018, 2019),
    "America/Santiago": (2023, 2025),
    "Africa/Casablanca": (2024, 2025),
    "Asia/Jerusalem": (2023, 2024),
    "Pacific/Apia": (2011, 2012),
    "Etc/UTC": (2024, 2024),
}


def tricky_entries() -> list[CalendarEntry]:
    """Weekly 09:30 local, and a few minutes around every transition."""
    entries = []
    for tzid, (first, last) in TRICKY_ZONES.items():
        zone = ZoneInfo(tzid)
        day = datetime(first, 1, 1, 9, 30, tzinfo=zone)
        while day.year <= last:
            start = day.astimezone(UTC)
            entries.append(CalendarEntry(f"{tzid}@{start:%Y%m%dT%H%M}", "w", start, start, tzid))
            day = datetime.combine(day.date() + timedelta(days=7), day.timetz())
        lo = int(datetime(first, 1, 1, tzinfo=UTC).timestamp())
        hi = int(datetime(last + 1, 1, 1, tzinfo=UTC).timestamp())
        for transition in _transitions(zone, lo, hi):
            for delta in (-3601, -1, 0, 3599):
                start = datetime.fromtimestamp(transition.at + delta, UTC)
                uid = f"{tzid}@{start:%Y%m%dT%H%M%S}"
                entries.append(CalendarEntry(uid, "t", start, start + timedelta(hours=2), tzid))
    return entries


def test_event_instants_match_zoneinfo_in_tricky_zones(parser, tmp_path):
    entries = tricky_entries()
    data = build_calendar(entries, name="tricky", now=NOW)

    read = read_with(parser, data, tmp_path)

    want = expected(entries)
    wrong = {uid: (got, want[uid]) for uid, got in read.items() if got != want[uid]}
    assert len(read) == len(entries) > 1500
    assert not wrong, f"{len(wrong)} wrong, e.g. {sorted(wrong.items())[:5]}"


def test_wrong_vtimezone_detected_by_parser(parser, tmp_path):
    # Control: the helpers really use the VTIMEZONE of the file. Make New
    # York's summer offset -03:00 and the summer event must move an hour.
    data = build_calendar(dst_entries()[:1], name="x", now=NOW)
    broken = data.replace(b"TZOFFSETTO:-0400", b"TZOFFSETTO:-0300")
    assert broken != data

    read = read_with(parser, broken, tmp_path)

    assert read["ny-2024-10-28"][0] == "2024-10-28T12:30:00Z"


def test_empty_calendar_read_without_error_and_without_events(parser, tmp_path):
    # An itinerary with nothing in it: the one component RFC 5545 requires is a VTIMEZONE.
    data = build_calendar([], name="Nothing yet", now=NOW)

    assert read_with(parser, data, tmp_path) == {}


def icalendar_generated(entries: list[CalendarEntry]) -> bytes:
    """The same events with icalendar's own VTIMEZONEs (add_missing_timezones)."""
    calendar = Calendar()
    calendar.add("prodid", "-//control//EN")
    calendar.add("version", "2.0")
    for item in entries:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", NOW)
        event.add("summary", item.summary)
        event.add("dtstart", item.start.astimezone(ZoneInfo(item.tzid)))
        event.add("dtend", item.end.astimezone(ZoneInfo(item.tzid)))
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def test_icalendar_vtimezone_misread_by_icaljs_in_summer_time(tmp_path):
    # Control for the known trap: icalendar 7's generated VTIMEZONE (RDATE
    # lists) is read one hour off in summer time by ical.js. That is why
    # ics.py writes its own.
    entries = [e for e in dst_entries() if e.tzid != "Asia/Tokyo"]
    data = icalendar_generated(entries)
    assert b"RDATE:" in data and b"," in data.split(b"RDATE:")[1].split(b"\r\n")[0]

    read = read_with("ical.js", data, tmp_path)

    summer = {"ny-2024-10-28", "ny-2024-11-01-edt", "vie-2024-10-25-cest", "syd-2025-01-15-aedt"}
    winter = {"ny-2024-11-04-est", "vie-2024-11-20", "syd-2025-07-15-aest"}
    want = expected(entries)
    for uid in summer:
        got = datetime.strptime(read[uid][0], ISO)
        assert got - datetime.strptime(want[uid][0], ISO) == timedelta(hours=1), uid
    for uid in winter:
        assert read[uid] == want[uid], uid


def test_icalendar_vtimezone_read_right_by_libical(tmp_path):
    # The same file is fine for libical: the trap is specific to ical.js.
    entries = [e for e in dst_entries() if e.tzid != "Asia/Tokyo"]

    assert read_with("libical", icalendar_generated(entries), tmp_path) == expected(entries)
