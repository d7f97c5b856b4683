"""Time meetingapp.calendar.ics.build_calendar.

    .venv/bin/python benchmarks/bench_ics.py [--runs N]

Cases: one event's 500 sessions (one zone, full text fields) and a feed of 50
entries (New York and Vienna, across the 2024 DST changes). "warm" reuses
the VTIMEZONE cache as a long-running web process would; "cold" clears it
before every run. Times are the median of N runs, wall and this process's CPU, in milliseconds.

What this adds to bench_timetable.py (which times the served event .ics, cached per event
version): the builder itself, which runs uncached for the first fetch of an event's .ics after
an edit, and for every personal feed and itinerary (never cached: each is one person's).
Targets: the event of 500 sessions ≤ 767 ms, what pretalx 2025.2.2 takes for its .ics of 500
talks on this machine (issue 23); the feed of 50 entries ≤ 80 ms, the issue's budget for an
.ics. The cold-cache rows (the first build after a restart) are shown for information.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from figures import ms, publish, timed  # noqa: E402

from meetingapp.calendar import ics  # noqa: E402
from meetingapp.calendar.ics import CalendarEntry, build_calendar  # noqa: E402

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


def measure(entries: list[CalendarEntry], runs: int, cold: bool) -> tuple[float, float]:
    def build() -> None:
        if cold:
            ics._observances.cache_clear()
        build_calendar(entries, name="bench", now=NOW)

    return timed(build, runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    cases = [
        ("event, 500 sessions", event_sessions(), 767),
        ("feed, 50 entries", feed_entries(), 80),
    ]
    build_calendar(cases[0][1], name="warm-up", now=NOW)
    figures = []
    for label, entries, target in cases:
        size = len(build_calendar(entries, name="bench", now=NOW))
        for cold in (False, True):
            figures.append(
                ms(
                    f"build_calendar, {label}, {'cold' if cold else 'warm'} zones",
                    measure(entries, args.runs, cold),
                    None if cold else target,
                    note=f"{size:,} bytes",
                )
            )
    print(f"build_calendar, in process, median of {args.runs} runs")
    return 0 if publish("ics", figures) else 1


if __name__ == "__main__":
    sys.exit(main())
