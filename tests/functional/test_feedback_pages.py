"""Feedback surveys through the pages: the organiser builds and sends a survey after the
session, the people checked in answer from the mailed link, others cannot, one reminder, the
results on the report and in CSV/XLSX, deleting asks first."""

from __future__ import annotations

import contextvars
import csv
import io
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from meetingapp.checkin.service import check_in
from meetingapp.demo.today import TODAY_TITLE
from meetingapp.extensions import db
from meetingapp.models import (
    Event,
    EventSession,
    FeedbackQuestion,
    FeedbackResponse,
    FeedbackSurvey,
    OutboxMessage,
    SessionKind,
)
from meetingapp.models.user import user_by_email
from meetingapp.registration.service import register_participant
from tests import factories
from tests.text import page_text

STARTS = datetime(2024, 11, 20, 12, 0, tzinfo=UTC)
ENDS = STARTS + timedelta(hours=2)
ORGANISER, ANA, BEN, CY = (
    "chief@example.org",
    "ana@example.org",
    "ben@example.org",
    "cy@example.org",
)
ANONYMOUS = "anonymous"


class Browser:
    """A test client per person (logged in once), each request in its own app context as in
    production, so that one person's log-in never leaks into another's request."""

    def __init__(self, app, password: str) -> None:
        self.app, self.password = app, password
        self.clients: dict[str, object] = {}

    def send(self, who: str, method: str, url: str, **kwargs):
        if who not in self.clients:
            self.clients[who] = self.app.test_client()
            if who != ANONYMOUS:
                login = {"email": who, "password": self.password}
                assert self.send(who, "POST", "/auth/login", data=login).status_code == 302
        db.session.commit()  # the request has its own session; nothing of ours stays open
        response = contextvars.Context().run(self.clients[who].open, url, method=method, **kwargs)
        db.session.commit()
        return response

    def get(self, who: str, url: str, **kwargs):
        return self.send(who, "GET", url, **kwargs)

    def post(self, who: str, url: str, data=None, **kwargs):
        return self.send(who, "POST", url, data=data or {}, **kwargs)

    def follow(self, who: str, response):
        assert response.status_code in (302, 303), response.status_code
        return self.get(who, response.location)


def _text(response) -> str:
    return page_text(response)


def _mails(kind: str) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
        )
    )


def _link(message: OutboxMessage) -> str:
    """The answer page's path and signed token, from the mail's text."""
    url = re.search(r"http\S+/feedback/sessions/\d+/answer\?k=\S+", message.body_text).group(0)
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def _questions(session_id: int) -> dict[str, int]:
    survey = db.session.scalar(
        select(FeedbackSurvey).where(FeedbackSurvey.session_id == session_id)
    )
    return {q.prompt: q.id for q in survey.questions}


@pytest.fixture
def meeting(app, clock) -> int:
    """A two-hour briefing: Ana and Ben came (checked in), Cy registered and did not come."""
    organiser = factories.organiser(ORGANISER)
    session = factories.session(title="EO briefing", starts_at=STARTS, minutes=120)
    people = {
        email: factories.user(email, name=name)
        for email, name in ((ANA, "Ana Came"), (BEN, "Ben Came"), (CY, "Cy Absent"))
    }
    db.session.commit()
    for person in people.values():
        register_participant(user=person, session_id=session.id, now=STARTS - timedelta(days=3))
    for email in (ANA, BEN):
        check_in(
            session_id=session.id,
            user_id=people[email].id,
            actor=organiser,
            now=STARTS + timedelta(minutes=5),
            enforce_day=False,
        )
    clock.set(ENDS + timedelta(hours=1))
    return session.id


@pytest.fixture
def browser(app) -> Browser:
    return Browser(app, factories.PASSWORD)


def _build(browser: Browser, session_id: int, *, mode: str = "anonymous") -> dict[str, int]:
    base = f"/feedback/sessions/{session_id}"
    saved = browser.post(ORGANISER, base, {"mode": mode, "intro": "Thank you for coming."})
    assert saved.status_code == 303
    for kind, prompt, choices, required in (
        ("rating", "How useful was the briefing?", "", "y"),
        ("single", "Would you come again?", "Yes\nNo", ""),
        ("text", "What should change?", "", ""),
    ):
        data = {"kind": kind, "prompt": prompt, "choices": choices}
        if required:
            data["required"] = required
        assert browser.post(ORGANISER, f"{base}/questions", data).status_code == 303
    return _questions(session_id)


def _send(browser: Browser, session_id: int, expected: int):
    return browser.post(
        ORGANISER,
        f"/feedback/sessions/{session_id}/send",
        {"confirmed": "yes", "expected": str(expected)},
    )


def test_a_survey_goes_to_those_who_came_is_answered_from_the_mail_reminded_once_and_reported(
    browser, meeting
):
    base = f"/feedback/sessions/{meeting}"
    editor = browser.get(ORGANISER, base)
    assert editor.status_code == 200
    assert "Feedback survey: EO briefing" in _text(editor)
    refused = browser.post(
        ORGANISER, f"{base}/questions", {"kind": "single", "prompt": "Only?", "choices": "One"}
    )
    assert refused.status_code == 422
    assert "Give at least two choices, one per line." in _text(refused)
    q = _build(browser, meeting)
    assert list(q) == [
        "How useful was the briefing?",
        "Would you come again?",
        "What should change?",
    ]

    # Sending asks first, naming the people checked in, and only them.
    confirm = _text(browser.get(ORGANISER, f"{base}/send"))
    assert "Send the survey to 2 people?" in confirm
    assert "Ana Came" in confirm and "Ben Came" in confirm and "Cy Absent" not in confirm
    unasked = browser.post(ORGANISER, f"{base}/send")
    assert unasked.status_code == 303 and unasked.location.endswith(f"{base}/send")
    assert _mails("feedback_request") == []
    assert "The survey is on its way to 2 people." in _text(
        browser.follow(ORGANISER, _send(browser, meeting, 2))
    )
    requests = _mails("feedback_request")
    assert sorted(m.to_address for m in requests) == [ANA, BEN]
    assert {m.subject for m in requests} == {"Your feedback on EO briefing"}

    # Cy registered but did not come: no survey, not through any page.
    assert browser.get(CY, f"{base}/answer").status_code == 403
    assert (
        browser.post(
            CY, f"{base}/answer", {f"q{q['How useful was the briefing?']}": "5"}
        ).status_code
        == 403
    )
    assert browser.get(CY, base).status_code == 403
    assert (
        browser.post(CY, f"{base}/send", {"confirmed": "yes", "expected": "2"}).status_code == 403
    )

    # Ana answers from her mail, without logging in; a missing required answer is asked again.
    ana_link = _link(next(m for m in requests if m.to_address == ANA))
    page = _text(browser.get(ANONYMOUS, ana_link))
    assert "This survey is anonymous" in page and "Thank you for coming." in page
    rating, again, change = q.values()
    missing = browser.post(ANONYMOUS, ana_link, {f"q{change}": "More coffee breaks."})
    assert missing.status_code == 422
    assert "Choose a rating from 1 to 5." in _text(missing)
    assert "More coffee breaks." in missing.get_data(as_text=True)  # what she wrote stays
    answers = {f"q{rating}": "4", f"q{again}": "0", f"q{change}": "More coffee breaks."}
    sent = browser.post(ANONYMOUS, ana_link, answers)
    assert sent.status_code == 303
    assert "Thank you: your answers are in" in _text(browser.follow(ANONYMOUS, sent))
    twice = browser.post(ANONYMOUS, ana_link, answers)
    assert "You have answered this survey already" in _text(browser.follow(ANONYMOUS, twice))
    assert db.session.scalar(select(func.count()).select_from(FeedbackResponse)) == 1
    assert db.session.scalar(select(FeedbackResponse.user_id)) is None  # anonymous

    # One reminder, to Ben only, whose name the anonymous survey does not show.
    assert "Remind 1 person who has not answered…" in _text(browser.get(ORGANISER, base))
    confirm = _text(browser.get(ORGANISER, f"{base}/remind"))
    assert "Remind 1 person?" in confirm and "Ben Came" not in confirm
    reminded = browser.post(ORGANISER, f"{base}/remind", {"confirmed": "yes", "expected": "1"})
    assert "The reminder is on its way to 1 person." in _text(browser.follow(ORGANISER, reminded))
    again_reminded = browser.post(
        ORGANISER, f"{base}/remind", {"confirmed": "yes", "expected": "1"}
    )
    assert "a survey has one reminder only" in _text(browser.follow(ORGANISER, again_reminded))
    assert [m.to_address for m in _mails("feedback_reminder")] == [BEN]

    # The report: response rate, the average and its chart, the free text.
    report = browser.get(ORGANISER, f"/reports/sessions/{meeting}")
    body, text = report.get_data(as_text=True), _text(report)
    assert "Feedback from those who came" in text
    assert "Sent to 2 Answered 1 Response rate 50.0 %" in text
    assert "average 4.0 of 5" in text and "More coffee breaks." in text
    feedback = body.split('id="feedback-h"')[1].split('id="people-h"')[0]
    assert feedback.count('<svg class="chart"') == 2  # the rating and the choice

    # CSV and XLSX: the summary counts, the answers without names.
    summary = _csv(browser.get(ORGANISER, f"{base}/summary.csv"))
    assert summary[0][:5] == ["No.", "Question", "Kind", "Answers", "Average"]
    rating_rows = [r for r in summary if r[1] == "How useful was the briefing?"]
    assert [(r[5], r[6]) for r in rating_rows] == [
        ("1", "0"),
        ("2", "0"),
        ("3", "0"),
        ("4", "1"),
        ("5", "0"),
    ]
    assert {r[4] for r in rating_rows} == {"4.0"}
    answered = _csv(browser.get(ORGANISER, f"{base}/answers.csv"))
    assert "Name" not in answered[0] and "E-mail" not in answered[0]
    assert answered[1] == ["1", "4", "Yes", "More coffee breaks."]
    workbook = load_workbook(io.BytesIO(browser.get(ORGANISER, f"{base}/results.xlsx").data))
    assert workbook.sheetnames == ["Feedback summary", "Feedback answers"]
    rows = list(workbook["Feedback answers"].iter_rows(values_only=True))
    assert rows[1] == (1, 4, "Yes", "More coffee breaks.")
    assert browser.get(ORGANISER, f"{base}/nonsense.csv").status_code == 404


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def test_a_named_survey_shows_who_answered_what_to_organisers_and_to_the_respondent(
    browser, meeting
):
    base = f"/feedback/sessions/{meeting}"
    q = _build(browser, meeting, mode="named")
    _send(browser, meeting, 2)
    ben_link = _link(next(m for m in _mails("feedback_request") if m.to_address == BEN))
    rating, _again, change = q.values()
    sent = browser.post(ANONYMOUS, ben_link, {f"q{rating}": "2", f"q{change}": "Shorter talks."})
    page = _text(browser.follow(ANONYMOUS, sent))
    assert "This survey is not anonymous" in page
    assert "How useful was the briefing? 2 / 5" in page  # his own answers, shown back to him
    report = _text(browser.get(ORGANISER, f"/reports/sessions/{meeting}"))
    assert "Shorter talks. Ben Came" in report
    answered = _csv(browser.get(ORGANISER, f"{base}/answers.csv"))
    assert answered[0][:4] == ["Response", "Name", "E-mail", "Answered (Europe/Vienna)"]
    assert answered[1][:3] == ["1", "Ben Came", BEN]
    assert answered[1][4:] == ["2", "", "Shorter talks."]


def test_the_mode_and_questions_are_fixed_once_sent_and_answered(browser, meeting):
    base = f"/feedback/sessions/{meeting}"
    q = _build(browser, meeting)
    _send(browser, meeting, 2)
    changed = browser.post(ORGANISER, base, {"mode": "named", "intro": ""})
    assert "The survey went out as anonymous: that can no longer change." in _text(
        browser.follow(ORGANISER, changed)
    )
    ana_link = _link(next(m for m in _mails("feedback_request") if m.to_address == ANA))
    browser.post(ANONYMOUS, ana_link, {f"q{q['How useful was the briefing?']}": "5"})
    editor = _text(browser.get(ORGANISER, base))
    assert "People have answered this survey already" in editor
    assert "Add a question" not in editor
    late = browser.post(
        ORGANISER, f"{base}/questions", {"kind": "rating", "prompt": "Late?", "choices": ""}
    )
    assert late.status_code in (302, 303)
    assert "People have answered this survey already" in _text(browser.follow(ORGANISER, late))
    assert db.session.scalar(select(func.count()).select_from(FeedbackQuestion)) == 3


def test_the_survey_waits_for_the_end_of_the_session(browser, meeting, clock):
    base = f"/feedback/sessions/{meeting}"
    _build(browser, meeting)
    clock.set(ENDS - timedelta(minutes=30))
    editor = _text(browser.get(ORGANISER, base))
    assert "It can be sent once the session has ended (20 November 2024 15:00)." in editor
    early = _send(browser, meeting, 2)
    assert "The survey goes out after the session, which ends on 20 November 2024 15:00" in _text(
        browser.follow(ORGANISER, early)
    )
    assert _mails("feedback_request") == []


def test_deleting_a_survey_with_answers_asks_first_and_kills_the_mailed_links(browser, meeting):
    base = f"/feedback/sessions/{meeting}"
    q = _build(browser, meeting)
    _send(browser, meeting, 2)
    links = {m.to_address: _link(m) for m in _mails("feedback_request")}
    browser.post(ANONYMOUS, links[ANA], {f"q{q['How useful was the briefing?']}": "3"})
    confirm = _text(browser.get(ORGANISER, f"{base}/delete"))
    assert "Delete the feedback survey of “EO briefing”?" in confirm
    assert "The answers of 1 person are deleted for good" in confirm
    assert "The links mailed to 2 people stop working" in confirm
    assert browser.post(BEN, f"{base}/delete", {"confirmed": "yes"}).status_code == 403
    unasked = browser.post(ORGANISER, f"{base}/delete")
    assert unasked.status_code == 303 and unasked.location.endswith(f"{base}/delete")
    assert db.session.scalar(select(func.count()).select_from(FeedbackSurvey)) == 1
    deleted = browser.post(ORGANISER, f"{base}/delete", {"confirmed": "yes"})
    assert deleted.location.endswith(f"/reports/sessions/{meeting}")
    report = _text(browser.follow(ORGANISER, deleted))
    assert "The survey is deleted, with the 1 answer it had." in report
    assert "No feedback survey for this session yet." in report
    assert db.session.scalar(select(func.count()).select_from(FeedbackResponse)) == 0
    assert browser.get(ANONYMOUS, links[BEN]).status_code == 302  # the link names no survey now
    assert browser.get(BEN, f"{base}/answer").status_code == 404


def test_a_link_that_is_forged_or_too_old_asks_to_log_in(browser, meeting, clock):
    base = f"/feedback/sessions/{meeting}"
    _build(browser, meeting)
    _send(browser, meeting, 2)
    link = _link(_mails("feedback_request")[0])
    forged = browser.get(ANONYMOUS, f"{base}/answer?k=not-a-signed-token")
    assert urlsplit(forged.location).path == "/auth/login"
    clock.advance(days=61)
    late = browser.get(ANONYMOUS, link)
    assert urlsplit(late.location).path == "/auth/login"
    assert "This link has expired or is not valid: log in to answer." in _text(
        browser.get(ANONYMOUS, late.location)
    )


# --- speed networking: the tables each person visited ------------------------------------------


@pytest.mark.demo
def test_speed_networking_asks_for_the_tables_visited_and_reports_each_table(app, clock):
    browser = Browser(app, app.config["DEMO_PASSWORD"])
    organiser, early = "organiser@example.org", "participant44@example.org"
    speed = db.session.scalar(
        select(EventSession)
        .join(Event)
        .where(EventSession.kind == SessionKind.SPEED_NETWORKING, Event.title != TODAY_TITLE)
        .order_by(EventSession.starts_at)
    )
    speed_id = speed.id
    clock.set(speed.ends_at + timedelta(hours=1))
    base = f"/feedback/sessions/{speed_id}"
    added = browser.post(
        organiser,
        f"{base}/questions",
        {"kind": "tables", "prompt": "How was each table?", "required": "y"},
    )
    assert added.status_code == 303
    present = _text(browser.get(organiser, f"{base}/send"))
    count = int(re.search(r"Send the survey to (\d+) people\?", present).group(1))
    browser.post(organiser, f"{base}/send", {"confirmed": "yes", "expected": str(count)})
    mail = next(m for m in _mails("feedback_request") if m.user_id == user_by_email(early).id)
    link = _link(mail)
    page = browser.get(ANONYMOUS, link)
    tables = re.findall(r'name="(q\d+-t\d+)"', page.get_data(as_text=True))
    tables = list(dict.fromkeys(tables))
    assert len(tables) == 3  # participant44 left before the last round
    sent = browser.post(ANONYMOUS, link, {name: str(5 - i) for i, name in enumerate(tables)})
    assert sent.status_code == 303
    report = browser.get(organiser, f"/reports/sessions/{speed_id}").get_data(as_text=True)
    rows = re.findall(
        r'<tr><th scope="row">([a-k]) <span class="meta"><bdi>[^<]*</bdi></span></th>'
        r'<td class="num"[^>]*>(\d+)</td><td class="num"[^>]*>([^<]+)</td>',
        report,
    )
    assert sorted((n, average) for _code, n, average in rows) == [
        ("1", "3.0"),
        ("1", "4.0"),
        ("1", "5.0"),
    ]
