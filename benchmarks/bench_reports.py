"""Time the attendance reports at 1,000 and 10,000 registrations, and count their queries.

    .venv/bin/python benchmarks/bench_reports.py [--runs N] [--sizes 1000 10000] [--postgres]

Builds one event with a training day, two meetings and a speed-networking session (4 rounds,
11 tables, a published plan); every person registers for all four, so N registrations means N/4
people. About 85 % are confirmed, 8 % waitlisted, 7 % cancelled; 80 % of the confirmed are
checked in (with some undone and redone), per round for speed networking. Each page is fetched
through the app (Flask test client, logged in as an organiser): the event's HTML report, the
training day's HTML report (which lists every person), the event's people CSV and the event's
XLSX (five sheets). Times are the median of N runs in milliseconds, wall and this process's CPU
(the test client runs the app in this process); queries are counted with a
``before_cursor_execute`` listener and must not grow with the number of rows (target: the same
count at every size). Target: the XLSX ≤ 1 s at 10,000 registrations (issue 23; it was 2 s);
the other views have no stated target and are shown for information.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import event as sa_event
from sqlalchemy import insert, select
from werkzeug.security import generate_password_hash

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from figures import Figure, ms, publish, timed  # noqa: E402

from config import TestingConfig  # noqa: E402
from meetingapp import create_app  # noqa: E402
from meetingapp.extensions import db  # noqa: E402
from meetingapp.models import (  # noqa: E402
    CheckIn,
    Event,
    EventSession,
    NetworkingRound,
    Organisation,
    Registration,
    Role,
    SessionKind,
    TopicTable,
    User,
)
from meetingapp.models.rotation import RotationAssignment, RotationPlan  # noqa: E402

DAY = datetime(2024, 10, 28, 13, 30, tzinfo=UTC)
PASSWORD = "bench-password"
TABLES = 11
ROUNDS = 4


def build(registrations: int) -> tuple[int, int]:
    """Fill an empty database; returns (event id, training day id)."""
    people = registrations // 4
    orgs = [
        Organisation(short_name=f"ENT{i:02d}", full_name=f"Entity number {i}") for i in range(28)
    ]
    organiser = User(
        email="organiser@example.org",
        name="Organiser",
        role=Role.ORGANISER,
        password_hash=generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000"),
    )
    event = Event(
        title="Benchmark meeting",
        city="New York",
        timezone="America/New_York",
        starts_on=date(2024, 10, 28),
        ends_on=date(2024, 10, 28),
        published=True,
    )
    kinds = [
        (SessionKind.TRAINING, "Training day"),
        (SessionKind.MEETING, "Morning meeting"),
        (SessionKind.MEETING, "Afternoon meeting"),
        (SessionKind.SPEED_NETWORKING, "Speed dating"),
    ]
    sessions = []
    for i, (kind, title) in enumerate(kinds):
        s = EventSession(
            event=event,
            kind=kind,
            title=title,
            position=i,
            starts_at=DAY + timedelta(hours=i),
            ends_at=DAY + timedelta(hours=i, minutes=50),
        )
        if kind == SessionKind.SPEED_NETWORKING:
            s.round_count = ROUNDS
            s.rounds = [
                NetworkingRound(
                    number=r,
                    starts_at=s.starts_at + timedelta(minutes=12 * r),
                    ends_at=s.starts_at + timedelta(minutes=12 * r + 10),
                )
                for r in range(ROUNDS)
            ]
            s.tables = [
                TopicTable(
                    code=chr(97 + t),
                    topic=f"Topic {t}",
                    host_organisation=orgs[t],
                    seats=people // TABLES + 2,
                )
                for t in range(TABLES)
            ]
        sessions.append(s)
    db.session.add_all([*orgs, organiser, event])
    db.session.flush()
    db.session.execute(
        insert(User),
        [
            {
                "email": f"p{n}@example.org",
                "name": f"Participant {n:05d}",
                "role": Role.PARTICIPANT,
                "organisation_id": orgs[n % len(orgs)].id,
                "password_hash": "x",
            }
            for n in range(people)
        ],
    )
    user_ids = db.session.scalars(
        select(User.id).where(User.role == Role.PARTICIPANT).order_by(User.id)
    ).all()
    regs, checks, seats = [], [], []
    plan = RotationPlan(session_id=sessions[3].id, version=1, status="published")
    db.session.add(plan)
    db.session.flush()
    tables = [t.id for t in sessions[3].tables]
    for n, uid in enumerate(user_ids):
        status = "cancelled" if n % 100 < 7 else "waitlisted" if n % 100 < 15 else "confirmed"
        for s in sessions:
            regs.append(
                {
                    "session_id": s.id,
                    "user_id": uid,
                    "status": status,
                    "created_at": DAY - timedelta(days=20),
                    "waitlist_rank": n if status == "waitlisted" else None,
                    "confirmed_at": DAY - timedelta(days=20) if status == "confirmed" else None,
                }
            )
            if status != "confirmed" or n % 5 == 0:
                continue
            rounds = range(ROUNDS) if s.kind == SessionKind.SPEED_NETWORKING else [None]
            for r in rounds:
                at = s.starts_at + timedelta(seconds=n % 600)
                base = {
                    "session_id": s.id,
                    "user_id": uid,
                    "round_number": r,
                    "method": "list",
                    "by_id": organiser.id,
                    "note": "",
                }
                checks.append({**base, "action": "check_in", "at": at})
                if n % 20 == 1:  # tapped by mistake, undone, tapped again
                    checks.append({**base, "action": "undo", "at": at + timedelta(seconds=5)})
                    checks.append({**base, "action": "check_in", "at": at + timedelta(seconds=9)})
        if status == "confirmed":
            for r in range(ROUNDS):
                seats.append(
                    {
                        "plan_id": plan.id,
                        "round_number": r,
                        "user_id": uid,
                        "table_id": tables[(n + r) % TABLES],
                        "pinned": False,
                    }
                )
    db.session.execute(insert(Registration), regs)
    db.session.execute(insert(CheckIn), checks)
    db.session.execute(insert(RotationAssignment), seats)
    db.session.commit()
    return event.id, sessions[0].id


def measure(app, url: str, runs: int) -> tuple[tuple[float, float], int, int]:
    """(median wall and CPU ms, queries, bytes). Requests run outside any app context of ours."""
    client = app.test_client()
    client.post("/auth/login", data={"email": "organiser@example.org", "password": PASSWORD})
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    last = {}

    def fetch() -> None:
        statements.clear()
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        last["queries"], last["size"] = len(statements), len(response.data)

    sa_event.listen(engine, "before_cursor_execute", count)
    try:
        times = timed(fetch, runs)
    finally:
        sa_event.remove(engine, "before_cursor_execute", count)
    return times, last["queries"], last["size"]


def run(backend: str, url: str, size: int, runs: int) -> list[tuple]:
    config = TestingConfig()
    config.SQLALCHEMY_DATABASE_URI = url
    app = create_app(config)
    with app.app_context():
        db.create_all()
        began = time.perf_counter()
        event_id, day_id = build(size)
        built = time.perf_counter() - began
        db.session.remove()
    rows = []
    for label, path in (
        ("event HTML", f"/reports/events/{event_id}"),
        ("training day HTML", f"/reports/sessions/{day_id}"),
        ("event people CSV", f"/reports/events/{event_id}/people.csv"),
        ("event XLSX", f"/reports/events/{event_id}/report.xlsx"),
    ):
        times, queries, nbytes = measure(app, path, runs)
        rows.append((backend, size, label, times, queries, nbytes))
    with app.app_context():
        db.engine.dispose()
    print(f"  ({backend}, {size:,} registrations built in {built:.1f} s)", file=sys.stderr)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="also on a throwaway PostgreSQL cluster (needs its server binaries)",
    )
    args = parser.parse_args()

    rows = []
    with tempfile.TemporaryDirectory(prefix="meetingapp-bench-") as tmp:
        for size in args.sizes:
            rows += run("sqlite", f"sqlite:///{tmp}/bench-{size}.sqlite", size, args.runs)
    if args.postgres:
        from tests.pg import start_cluster

        cluster = start_cluster()
        try:
            for size in args.sizes:
                rows += run("postgresql", cluster.create_database(f"bench_{size}"), size, args.runs)
        finally:
            cluster.stop()

    figures = []
    largest = max(args.sizes)
    for backend, size, label, times, queries, nbytes in rows:
        target = 1000 if size >= 10000 and label == "event XLSX" else None
        note = f"{queries} queries, {nbytes:,} bytes"
        figures.append(ms(f"{label}, {size:,} registrations ({backend})", times, target, note))
    for backend in dict.fromkeys(r[0] for r in rows):
        for label in dict.fromkeys(r[2] for r in rows):
            counts = {r[1]: r[4] for r in rows if r[0] == backend and r[2] == label}
            if len(counts) > 1:
                growth = counts[largest] - counts[min(counts)]
                figures.append(
                    Figure(
                        f"{label} queries, {largest:,} − {min(counts):,} ({backend})",
                        growth,
                        "",
                        0,
                        note=f"{counts[largest]} queries at {largest:,}",
                    )
                )
    print(f"attendance reports, test client, median of {args.runs} runs")
    return 0 if publish("reports", figures) else 1


if __name__ == "__main__":
    sys.exit(main())
