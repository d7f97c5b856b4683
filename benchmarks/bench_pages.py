"""Every page a user reaches, at the demo's size: median wall and CPU time against 30 ms.

    .venv/bin/python benchmarks/bench_pages.py [--runs N] [--crowd N] [--only SUBSTRING]

Loads the demo (meetingapp.demo.service.load_demo) into a temporary SQLite database and signs in
three visitors with their own test clients: nobody, a demo participant (participant01, a 2024
trainee with a table rotation) and the demo organiser. The pages are discovered from
``app.url_map``: every GET route, its ids filled from the demo (every event; for a session, the
busiest session of each kind and the upcoming training day and speed dating; a table, a
registration, an entity and a live board of those), so a new page is covered without editing
this file. Not timed: the JSON API (``/api/``), event streams, downloads (.ics, .csv, .xlsx,
.pdf, .docx: bench_timetable, bench_ics and bench_reports time those), ``/static`` and links
carrying a mailed token. Each URL is fetched once per visitor; the ones answering 200 are timed
(median of ``--runs``), and a route's figure is its slowest URL and visitor. Then the session
registrations roster, the check-in page and the session report are timed again with
``--crowd`` registrations (tests/crowd.py) for the upcoming training day.

Requests run outside any app context of ours (an outer one would share ``flask.g``, and so the
signed-in user, between the clients); the app runs in this process, so the CPU time is the
request's. Target (issue 23): every page ≤ 30 ms. Slowest first; exit status 1 when a page
misses.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from figures import Figure, ms, publish, timed  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from config import TestingConfig  # noqa: E402
from meetingapp import clock, create_app  # noqa: E402
from meetingapp.demo.data import ORGANISER_EMAIL  # noqa: E402
from meetingapp.demo.service import load_demo, participant_email  # noqa: E402
from meetingapp.extensions import db  # noqa: E402
from meetingapp.models import (  # noqa: E402
    Event,
    EventSession,
    LiveSession,
    Organisation,
    Registration,
    SessionKind,
    TopicTable,
    User,
)

TARGET_MS = 30
DOWNLOADS = (".ics", ".csv", ".xlsx", ".pdf", ".docx", ".json")
SKIPPED_PREFIXES = ("/api/", "/static/")
PARTICIPANT = participant_email(1)


@dataclass
class Ids:
    """Values for each URL argument, from the demo."""

    values: dict[str, list[object]]


def demo_ids(participant_id: int) -> Ids:
    events = db.session.scalars(select(Event.id).order_by(Event.id)).all()
    busy = (
        select(EventSession.id, EventSession.kind, func.count(Registration.id).label("n"))
        .outerjoin(Registration, Registration.session_id == EventSession.id)
        .group_by(EventSession.id, EventSession.kind)
        .order_by(func.count(Registration.id).desc(), EventSession.id)
    )
    sessions: list[int] = []
    kinds: set[object] = set()
    for sid, kind, _n in db.session.execute(busy):
        if kind not in kinds:
            kinds.add(kind)
            sessions.append(sid)
    latest = db.session.scalars(select(Event.id).order_by(Event.starts_on.desc())).first()
    for sid in db.session.scalars(
        select(EventSession.id).where(EventSession.event_id == latest).order_by(EventSession.id)
    ):
        if sid not in sessions and len(sessions) < len(kinds) + 2:
            sessions.append(sid)
    tables = db.session.scalars(
        select(TopicTable.id).where(TopicTable.session_id.in_(sessions)).order_by(TopicTable.id)
    ).first()
    registration = db.session.scalars(
        select(Registration.id).where(Registration.user_id == participant_id).limit(1)
    ).first()
    organisation = (
        db.session.scalars(
            select(User.organisation_id)
            .where(User.organisation_id.is_not(None))
            .group_by(User.organisation_id)
            .order_by(func.count(User.id).desc())
            .limit(1)
        ).first()
        or db.session.scalars(select(Organisation.id).limit(1)).first()
    )
    return Ids(
        {
            "event_id": events,
            "session_id": sessions,
            "table_id": [tables] if tables else [],
            "registration_id": [registration] if registration else [],
            "organisation_id": [organisation] if organisation else [],
            "token": [],  # the live board's, filled when its turn comes (mailed ones skipped)
        }
    )


def page_rules(app) -> list:
    rules = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith(SKIPPED_PREFIXES):
            continue
        if rule.rule.endswith(DOWNLOADS) or rule.endpoint.endswith("stream"):
            continue
        if rule.endpoint == "healthz":
            continue
        if "token" in rule.arguments and rule.endpoint != "live.board":
            continue  # a mailed link: reset, verify, feed
        rules.append(rule)
    # The live board last: its token exists once a console has been opened.
    return sorted(rules, key=lambda r: (r.endpoint == "live.board", r.rule))


def urls_of(rule, ids: Ids) -> list[str]:
    names = sorted(rule.arguments)
    choices = [ids.values.get(name, []) for name in names]
    if any(not c for c in choices):
        return []
    return [
        rule.build(dict(zip(names, combo, strict=True)))[1] for combo in itertools.product(*choices)
    ]


def sign_in(client, email: str, password: str) -> None:
    response = client.post("/auth/login", data={"email": email, "password": password})
    assert response.status_code == 302, (email, response.status_code)


def time_url(client, url: str, runs: int) -> tuple[float, float]:
    def fetch() -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    return timed(fetch, runs)


def sweep(app, clients: dict, ids: Ids, runs: int, only: str | None) -> tuple[list, list]:
    """(figures, skipped): one figure per route, its slowest URL and visitor."""
    figures, skipped = [], []
    for rule in page_rules(app):
        if only and only not in rule.rule:
            continue
        if rule.endpoint == "live.board":  # the consoles opened above made the boards
            with app.app_context():
                ids.values["token"] = db.session.scalars(
                    select(LiveSession.board_token).limit(1)
                ).all()
                db.session.remove()
        worst: tuple[float, float, str, str] | None = None
        statuses = set()
        for url in urls_of(rule, ids):
            for who, client in clients.items():
                status = client.get(url).status_code  # also warms the templates
                statuses.add(status)
                if status != 200:
                    continue
                wall, cpu = time_url(client, url, runs)
                if worst is None or wall > worst[0]:
                    worst = (wall, cpu, who, url)
        if worst is None:
            skipped.append(f"{rule.rule} ({'/'.join(map(str, sorted(statuses))) or 'no ids'})")
            continue
        figures.append(ms(f"{rule.rule} ({worst[2]})", worst[:2], TARGET_MS, note=worst[3]))
    return figures, skipped


def crowd_figures(app, organiser, session_id: int, count: int, runs: int) -> list[Figure]:
    from tests.crowd import seed_crowd

    with app.app_context():
        session = db.session.get(EventSession, session_id)
        seats = session.capacity or count
        seed_crowd(
            session_id, count, confirmed=min(seats, count), cancelled=count // 20, now=clock.now()
        )
    figures = []
    for path in (
        f"/registration/sessions/{session_id}/manage",
        f"/checkin/sessions/{session_id}",
        f"/reports/sessions/{session_id}",
    ):
        organiser.get(path)
        figures.append(
            ms(f"{path}, {count:,} registrations", time_url(organiser, path, runs), TARGET_MS)
        )
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="requests per URL (median; 3)")
    parser.add_argument("--crowd", type=int, default=2000, help="registrations for the roster")
    parser.add_argument("--only", help="only the routes containing this text")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="meetingapp-bench-") as tmp:
        config = TestingConfig()
        config.SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp}/pages.sqlite"
        app = create_app(config)
        password = app.config["DEMO_PASSWORD"]
        with app.app_context():
            db.create_all()
            load_demo()
            participant_id = db.session.scalars(
                select(User.id).where(User.email == PARTICIPANT)
            ).one()
            ids = demo_ids(participant_id)
            upcoming_training = db.session.scalars(
                select(EventSession.id)
                .join(Event)
                .where(EventSession.kind == SessionKind.TRAINING)
                .order_by(Event.starts_on.desc())
                .limit(1)
            ).first()
            db.session.remove()
        clients = {"anonymous": app.test_client()}
        clients["participant"] = app.test_client()
        sign_in(clients["participant"], PARTICIPANT, password)
        clients["organiser"] = app.test_client()
        sign_in(clients["organiser"], ORGANISER_EMAIL, password)
        figures, skipped = sweep(app, clients, ids, args.runs, args.only)
        if upcoming_training and args.crowd and not args.only:
            figures += crowd_figures(
                app, clients["organiser"], upcoming_training, args.crowd, args.runs
            )
        with app.app_context():
            db.engine.dispose()
    figures.sort(key=lambda f: f.value, reverse=True)
    print(f"demo on SQLite, test client, median of {args.runs} requests per URL")
    if skipped:
        print("not timed (no URL answered 200 to any visitor): " + "; ".join(skipped))
    return 0 if publish("pages", figures) else 1


if __name__ == "__main__":
    sys.exit(main())
