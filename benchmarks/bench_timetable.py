"""The public timetable of an event of 50 and 500 sessions, and its .ics: median times, CPU,
queries, with the targets of issue 23.

    .venv/bin/python benchmarks/bench_timetable.py [--runs N]

Test client, SQLite file, this process's CPU time beside the wall time. The page is cached per
event version (meetingapp/pagecache.py): "anonymous" and "participant" are the views every reader
gets while nothing changes (the participant's own registration boxes are rendered per request
into the cached programme); "after a change" is the first view once an organiser has edited a
session, when the programme is rendered afresh (no target: shown to keep the cold path honest).
Queries must not grow with the number of sessions.

Compare: pretalx 2025.2.2 renders its no-JS schedule of 500 talks in 709 ms and its .ics in
767 ms on this machine (issue 23).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from figures import Figure, ms, publish, timed  # noqa: E402
from sqlalchemy import event as sa_event  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from config import TestingConfig  # noqa: E402
from meetingapp import create_app  # noqa: E402
from meetingapp.extensions import db  # noqa: E402
from meetingapp.models import (  # noqa: E402
    AgendaItem,
    Event,
    EventSession,
    Registration,
    RegistrationStatus,
    Role,
    SessionKind,
    User,
)

PASSWORD = "bench-password"  # noqa: S105


def build(n: int) -> tuple[int, list[int]]:
    start = date(2027, 10, 25)
    event = Event(
        title=f"Event of {n} sessions",
        city="Vienna",
        timezone="Europe/Vienna",
        starts_on=start,
        ends_on=start + timedelta(days=4),
        published=True,
    )
    db.session.add(event)
    sessions = []
    for i in range(n):
        day, slot = divmod(i, max(n // 5, 1))
        begins = datetime(2027, 10, 25, 7, 0, tzinfo=UTC) + timedelta(
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
        sessions.append(s)
    user = User(
        email="reader@example.org",
        name="Reader",
        role=Role.PARTICIPANT,
        password_hash=generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000"),
        created_at=datetime.now(UTC),
    )
    db.session.add(user)
    db.session.flush()
    now = datetime.now(UTC)
    for s in sessions[:3]:  # the reader holds a seat in three sessions
        db.session.add(
            Registration(
                session_id=s.id,
                user_id=user.id,
                status=RegistrationStatus.CONFIRMED,
                confirmed_at=now,
                created_at=now,
            )
        )
    db.session.commit()
    return event.id, [s.id for s in sessions]


def counted(app, client, url: str) -> int:
    count = [0]

    def listener(*_args, **_kw):
        count[0] += 1

    with app.app_context():
        engine = db.engine
    sa_event.listen(engine, "before_cursor_execute", listener)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa_event.remove(engine, "before_cursor_execute", listener)
    return count[0]


def ok(client, url: str, status: int = 200, **kw) -> None:
    response = client.get(url, **kw)
    assert response.status_code == status, (url, response.status_code)


def run(n: int, runs: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        config = TestingConfig()
        config.SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp}/bench.sqlite"
        app = create_app(config)
        with app.app_context():
            db.create_all()
            event_id, session_ids = build(n)
        # Requests run outside any app context of ours, each in its own as on a server (an
        # outer context would share flask.g, and so the signed-in user, between the clients).
        page, ics = f"/events/{event_id}", f"/calendar/events/{event_id}.ics"
        anonymous, reader = app.test_client(), app.test_client()
        reader.post("/auth/login", data={"email": "reader@example.org", "password": PASSWORD})
        for client in (anonymous, reader):
            ok(client, page)  # warm the templates
        out = {
            "page": timed(lambda: ok(anonymous, page), runs),
            "reader": timed(lambda: ok(reader, page), runs),
            "ics": timed(lambda: ok(anonymous, ics), runs),
            "queries": counted(app, anonymous, page),
            "reader_queries": counted(app, reader, page),
        }
        first = anonymous.get(page)
        etag = first.headers.get("ETag")
        assert etag, "the anonymous timetable carries no ETag"
        out["revalidate"] = timed(
            lambda: ok(anonymous, page, 304, headers={"If-None-Match": etag}), runs
        )

        def changed() -> None:  # an organiser's edit, then the first reader
            with app.app_context():
                s = db.session.get(EventSession, session_ids[-1])
                s.room = "Room B" if s.room != "Room B" else "Room C"
                db.session.commit()
            ok(anonymous, page)

        out["cold"] = timed(changed, max(3, runs // 3))
        with app.app_context():
            db.engine.dispose()
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    small, large = run(50, args.runs), run(500, args.runs)
    figures = [
        ms("timetable, 50 sessions", small["page"], 10),
        ms("timetable, 500 sessions", large["page"], 40),
        ms("timetable, 500 sessions, signed-in participant", large["reader"], 40),
        ms("full-event .ics, 500 sessions", large["ics"], 80),
        ms("timetable, 500 sessions, 304 revalidation", large["revalidate"], 40),
        ms(
            "timetable, 500 sessions, first view after an edit",
            large["cold"],
            None,
            note="edit + render afresh",
        ),
        Figure(
            "timetable queries, 500 − 50 sessions",
            large["queries"] - small["queries"],
            "",
            0,
            note=f"{large['queries']} queries at 500",
        ),
        Figure(
            "timetable queries (participant), 500 − 50 sessions",
            large["reader_queries"] - small["reader_queries"],
            "",
            0,
            note=f"{large['reader_queries']} queries at 500",
        ),
    ]
    print(f"SQLite, test client, median of {args.runs} runs; pretalx 2025.2.2: 709 ms / 767 ms")
    return 0 if publish("timetable", figures) else 1


if __name__ == "__main__":
    sys.exit(main())
