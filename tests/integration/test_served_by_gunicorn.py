"""What only a real WSGI server shows: headers it must be able to write, mail after any method.

The test client accepts a header gunicorn cannot send (a Chinese file name in
Content-Disposition), and it runs no background delivery: both are checked here through
gunicorn on a SQLite file.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

import pytest
from icalendar import Calendar

from meetingapp import create_app
from meetingapp.api import tokens as api_tokens
from meetingapp.extensions import db
from tests import factories
from tests.conftest import make_config
from tests.serving import HttpClient, serve
from tests.smtp import smtp_server

TITLES = {
    "zh": "外层空间活动机构间会议",
    "ru": "Межучрежденческое совещание по космической деятельности",
    "ar": "الاجتماع المشترك بين الوكالات المعني بالأنشطة الفضائية",
}


@pytest.fixture
def seeded(tmp_path):
    url = f"sqlite:///{tmp_path / 'served.sqlite'}"
    app = create_app(make_config(url))
    with app.app_context():
        db.create_all()
        start = (datetime.now(UTC) + timedelta(days=20)).replace(microsecond=0)
        events = {}
        for lang, title in TITLES.items():
            event = factories.event(title=title, starts_on=start.date())
            factories.session(event, title=title, capacity=1, starts_at=start)
            events[lang] = event.id
        session_id = factories.session(
            factories.event(title="Plenary day", starts_on=start.date()),
            capacity=1,
            title="Plenary",
            starts_at=start,
        ).id
        people = [factories.user(f"p{i}@example.org") for i in range(2)]
        db.session.commit()
        tokens = [
            api_tokens.issue_token(user=p, name="t", now=datetime.now(UTC)).secret for p in people
        ]
        db.session.remove()
        db.engine.dispose()
    return url, events, session_id, people, tokens


def test_event_calendars_titled_in_chinese_russian_and_arabic_download(seeded):
    url, events, _, _, _ = seeded
    with serve(url, workers=2) as server:
        client = HttpClient(server.url)
        answers = {lang: client.get(f"/calendar/events/{eid}.ics") for lang, eid in events.items()}
        log = server.log()
    for lang, response in answers.items():
        assert response.status == 200, (lang, response.status, log[-2000:])
        disposition = response.headers["content-disposition"]
        assert disposition.isascii()
        name = unquote(disposition.split("filename*=UTF-8''", 1)[1])
        assert name.endswith(".ics") and name[:-4] in TITLES[lang].lower().replace(" ", "-")
        summary = str(next(iter(Calendar.from_ical(response.body).walk("VEVENT")))["SUMMARY"])
        assert summary == TITLES[lang]


def test_mail_caused_by_a_delete_goes_out_without_waiting_for_a_later_post(seeded):
    url, _, session_id, people, tokens = seeded
    with smtp_server() as inbox:
        env = {
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(inbox.port),
            "MEETINGAPP_MAIL_BACKGROUND": "1",
        }
        with serve(url, workers=2, env=env) as server:
            first, second = HttpClient(server.url), HttpClient(server.url)
            path = f"/api/v1/sessions/{session_id}/registrations"
            assert first.api("POST", path, token=tokens[0]).status == 201
            assert second.api("POST", path, token=tokens[1]).status == 201  # waitlisted
            inbox.wait_for(2)
            assert first.api("DELETE", path + "/me", token=tokens[0]).status == 204
            # The withdrawal and the promotion it caused, with no request after the DELETE.
            messages = inbox.wait_for(4, timeout=10)
    subjects = sorted(str(m["Subject"]) for m in messages[2:])
    assert subjects == [
        "A seat opened and it is yours: Plenary",
        "Registration withdrawn: Plenary",
    ]
    assert inbox.duplicates() == {}
