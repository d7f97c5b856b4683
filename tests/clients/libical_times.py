"""Print the UTC instants of every VEVENT in an .ics file as read by libical.

libical is the parser of Evolution/GNOME Calendar, KDE (through KCalendarCore's
older paths), many CalDAV servers and, historically, Thunderbird. This script
is run by Debian's system interpreter, which has the GObject-introspection
bindings (Debian packages python3-gi and gir1.2-ical-3.0):

    /usr/bin/python3 libical_times.py FILE.ics     (or "-" / no argument: stdin)

Output (stdout, JSON), the same shape as icaljs_times.mjs:

    {"parser": "libical", "version": "3.0",
     "events": [{"uid": "...", "tzid": "Europe/Vienna",
                 "start": "2024-11-20T12:00:00Z", "end": "..."}]}

Only the VTIMEZONE components inside the file are used, never libical's
built-in zone database, so a TZID without a matching VTIMEZONE is an error
(exit 2) rather than a silently right answer from elsewhere.
"""

import json
import sys
from datetime import UTC, datetime

import gi

gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib  # noqa: E402


def fail(message):
    sys.stderr.write(f"libical_times: {message}\n")
    sys.exit(2)


def components(parent, kind):
    child = parent.get_first_component(kind)
    while child is not None:
        yield child
        child = parent.get_next_component(kind)


def embedded_zones(calendar):
    zones = {}
    for vtimezone in components(calendar, ICalGLib.ComponentKind.VTIMEZONE_COMPONENT):
        prop = vtimezone.get_first_property(ICalGLib.PropertyKind.TZID_PROPERTY)
        if prop is None:
            fail("VTIMEZONE without TZID")
        zone = ICalGLib.Timezone.new()
        # set_component takes ownership: hand it a copy, the calendar keeps its own.
        if not zone.set_component(vtimezone.clone()):
            fail(f"libical rejected VTIMEZONE {prop.get_tzid()}")
        zones[prop.get_tzid()] = zone
    return zones


def instant(event, uid, kind, name, zones):
    prop = event.get_first_property(kind)
    if prop is None:
        fail(f"{uid}: no {name}")
    value = (
        prop.get_dtstart() if kind == ICalGLib.PropertyKind.DTSTART_PROPERTY else prop.get_dtend()
    )
    tzid = prop.get_parameter_as_string("TZID")
    if value.is_utc():
        zone = ICalGLib.Timezone.get_utc_timezone()
    elif tzid:
        zone = zones.get(tzid)
        if zone is None:
            fail(f"{uid}: {name};TZID={tzid} has no VTIMEZONE in the file")
    else:
        fail(f"{uid}: {name} is a floating time")
    seconds = value.as_timet_with_zone(zone)
    utc = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return tzid, utc


def main(argv):
    path = argv[1] if len(argv) > 1 and argv[1] != "-" else None
    try:
        if path is None:
            text = sys.stdin.buffer.read().decode("utf-8")
        else:
            with open(path, encoding="utf-8", newline="") as handle:
                text = handle.read()
    except (OSError, UnicodeDecodeError) as err:
        fail(f"cannot read input: {err}")

    calendar = ICalGLib.Component.new_from_string(text)
    if calendar is None or calendar.isa() != ICalGLib.ComponentKind.VCALENDAR_COMPONENT:
        fail("input is not a VCALENDAR")
    errors = calendar.count_errors()
    if errors:
        fail(f"libical reported {errors} parse error(s) (X-LIC-ERROR)")

    zones = embedded_zones(calendar)
    events = []
    for event in components(calendar, ICalGLib.ComponentKind.VEVENT_COMPONENT):
        uid = event.get_uid()
        tzid, start = instant(event, uid, ICalGLib.PropertyKind.DTSTART_PROPERTY, "DTSTART", zones)
        _, end = instant(event, uid, ICalGLib.PropertyKind.DTEND_PROPERTY, "DTEND", zones)
        events.append({"uid": uid, "tzid": tzid, "start": start, "end": end})

    version = getattr(ICalGLib, "_version", "?")
    json.dump({"parser": "libical", "version": version, "events": events}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv)
