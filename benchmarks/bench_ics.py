"""Time meetingapp.calendar.ics.build_calendar.

    .venv/bin/python benchmarks/bench_ics.py [--runs N]

Cases: one event's 500 sessions (one zone, full text fields) and a feed of 50
entries (New York and Vienna, across the 2024 DST changes). "warm" reuses
the VTIMEZONE cache as a long-running web process would; "cold" clears it
before every run. Times are the median (and min) of N runs, in milliseconds.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from meetingapp.calendar import ics
from meetingapp.calendar.ics import CalendarEntry, build_calendar

NOW = datetime(2024, 10, 1, 8, 0, tzinfo=UTC)


def event_sessions(count: int = 500) -> list[CalendarEntry]:
    zone = ZoneInfo("Europe/Vienna")
    first = datetime(2024, 10, 21, 9, 0, tzinfo=zone)
    entries = []
    for i in range(count):
        day, slot = divmod(i, 25)
        start = first + timedelta(days=day, minutes=20 * slot)
        entries.append(
            CalendarEntry(
                uid=f"session-{i}@meetingapp",
                summary=f"速配：了解联合国 — speed networking round {i}",
                start=start.astimezone(UTC),
                end=(start + timedelta(minutes=15)).astimezone(UTC),
                tzid="Europe/Vienna",
                location=f"Vienna International Centre, Building M, Room {i % 12}",
                description="Table rotation; bring cards, notes.\n" * 5,
                url=f"https://meetings.example.org/events/7/sessions/{i}",
                sequence=i % 3,
                last_modified=NOW - timedelta(hours=i),
                categories=("Speed networking", f"Day {day + 1}"),
                organizer=("Secretariat", "secretariat@example.org"),
            )
        )
    return entries


def feed_entries(count: int = 50) -> list[CalendarEntry]:
    entries = []
    for i in range(count):
        tzid = ("America/New_York", "Europe/Vienna")[i % 2]
        start = datetime(2024, 10, 14, 9, 30, tzinfo=ZoneInfo(tzid)) + timedelta(days=i)
        entries.append(
            CalendarEntry(
                uid=f"event-{i}@meetingapp",
                summary=f"Inter-agency meeting {i}",
                start=start.astimezone(UTC),
                end=(start + timedelta(hours=2)).astimezone(UTC),
                tzid=tzid,
                location="Conference Room 4",
                description="Agenda and documents on the event page.",
                url=f"https://meetings.example.org/events/{i}",
            )
        )
    return entries


def measure(entries: list[CalendarEntry], runs: int, cold: bool) -> tuple[float, float, int]:
    times = []
    size = 0
    for _ in range(runs):
        if cold:
            ics._observances.cache_clear()
        began = time.perf_counter()
        size = len(build_calendar(entries, name="bench", now=NOW))
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times), min(times), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    cases = [("event, 500 sessions", event_sessions()), ("feed, 50 entries", feed_entries())]
    build_calendar(cases[0][1], name="warm-up", now=NOW)

    header = f"{'case':<22} {'cache':<5} {'median ms':>10} {'min ms':>8} {'bytes':>8}"
    print(f"build_calendar, {args.runs} runs each")
    print(header)
    print("-" * len(header))
    for label, entries in cases:
        for cold in (False, True):
            median, fastest, size = measure(entries, args.runs, cold)
            mode = "cold" if cold else "warm"
            print(f"{label:<22} {mode:<5} {median:>10.1f} {fastest:>8.1f} {size:>8}")


if __name__ == "__main__":
    main()
