"""Render the public timetable of an event with 50 and 500 sessions; print median times and queries.

Compare: pretalx 2025.2.2 renders its server-side schedule page of 500 talks in 656 ms (median),
50 in 78 ms
(PRODUCT.md). Run: .venv/bin/python benchmarks/bench_timetable.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event as sa_event  # noqa: E402

from config import TestingConfig  # noqa: E402
from meetingapp import create_app  # noqa: E402
from meetingapp.extensions import db  # noqa: E402
from meetingapp.models import AgendaItem, Event, EventSession, SessionKind  # noqa: E402

RUNS = 15


def build(n: int) -> int:
    start = date(2025, 10, 27)
    event = Event(
        title=f"Event of {n} sessions",
        city="Vienna",
        timezone="Europe/Vienna",
        starts_on=start,
        ends_on=start + timedelta(days=4),
        published=True,
    )
    db.session.add(event)
    for i in range(n):
        day, slot = divmod(i, max(n // 5, 1))
        begins = datetime(2025, 10, 27, 7, 0, tzinfo=UTC) + timedelta(
            days=min(day, 4), minutes=5 * slot
        )
        s = EventSession(
            event=event,
            kind=SessionKind.MEETING,
            title=f"Talk {i}",
            room=f"Room {i % 12}",
            starts_at=begins,
            ends_at=begins + timedelta(minutes=30),
            capacity=50,
            description="A talk about outer space activities.",
        )
        s.agenda_items = [AgendaItem(position=1, title="Item")]
        db.session.add(s)
    db.session.commit()
    return event.id


def measure(client, url: str) -> tuple[float, int]:
    times = []
    queries = 0
    for _ in range(RUNS):
        count = [0]

        def listener(*_args, _count=count, **_kw):
            _count[0] += 1

        sa_event.listen(db.engine, "before_cursor_execute", listener)
        t0 = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        sa_event.remove(db.engine, "before_cursor_execute", listener)
        assert response.status_code == 200
        queries = count[0]
    return statistics.median(times), queries


def main() -> None:
    print(f"{'sessions':>9} {'median ms':>10} {'queries':>8}   (SQLite, {RUNS} runs, test client)")
    for n in (50, 500):
        with tempfile.TemporaryDirectory() as tmp:
            config = TestingConfig()
            config.SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp}/bench.sqlite"
            app = create_app(config)
            with app.app_context():
                db.create_all()
                event_id = build(n)
                client = app.test_client()
                client.get(f"/events/{event_id}")  # warm the template cache
                median, queries = measure(client, f"/events/{event_id}")
                ics, _ = measure(client, f"/calendar/events/{event_id}.ics")
                print(f"{n:>9} {median:>10.1f} {queries:>8}   full-event .ics: {ics:.1f} ms")
                db.session.remove()
                db.engine.dispose()
    print(
        "pretalx 2025.2.2 (PRODUCT.md): schedule page 78 ms at 50 talks, 656 ms at 500; "
        ".ics 757 ms at 500."
    )


if __name__ == "__main__":
    main()
