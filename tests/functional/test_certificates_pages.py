"""Certificates of attendance, badges and tents through the pages, on the demo's 2024 training
day (21 trainees checked in, four on the waitlist): the organiser offers them, a trainee
downloads theirs, anyone checks its code until it is revoked."""

from __future__ import annotations

import contextvars
import re
import subprocess

import pytest
from sqlalchemy import select

from meetingapp.domain.timezones import utc_to_local
from meetingapp.extensions import db
from meetingapp.models import (
    Event,
    EventSession,
    OutboxMessage,
    Registration,
    RegistrationStatus,
    SessionKind,
)
from meetingapp.models.user import user_by_email

pytestmark = pytest.mark.demo

ORGANISER, TRAINEE, WAITLISTED = (
    "organiser@example.org",
    "participant01@example.org",
    "participant23@example.org",
)


class People:
    """A test client per person, each request in its own context (no log-in leaks)."""

    def __init__(self, app) -> None:
        self.app, self.clients = app, {}

    def open(self, who: str | None, method: str, url: str, **kwargs):
        if who not in self.clients:
            self.clients[who] = self.app.test_client()
            if who:
                login = {"email": who, "password": self.app.config["DEMO_PASSWORD"]}
                assert self.open(who, "POST", "/auth/login", data=login).status_code == 302
        db.session.commit()
        response = contextvars.Context().run(self.clients[who].open, url, method=method, **kwargs)
        db.session.commit()
        return response


def _text(pdf: bytes) -> str:
    done = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return done.stdout.decode()


@pytest.fixture
def training(app) -> EventSession:
    return db.session.scalar(
        select(EventSession)
        .join(Event)
        .where(EventSession.kind == SessionKind.TRAINING)
        .order_by(EventSession.starts_at)
    )


def _offer(people: People, session_id: int, **texts) -> None:
    form = {"enabled": "y", "signatory_name": "Aarti Holla-Maini", "signatory_title": "Director"}
    form.update(texts)
    saved = people.open(ORGANISER, "POST", f"/certificates/sessions/{session_id}", data=form)
    assert saved.status_code == 303, saved.get_data(as_text=True)


def test_a_trainee_downloads_a_certificate_that_verifies_until_revoked(app, training):
    people = People(app)
    _offer(people, training.id)
    trainee = user_by_email(TRAINEE)
    name, title = trainee.name, training.title
    mine = people.open(TRAINEE, "GET", f"/certificates/sessions/{training.id}/mine.pdf")
    assert mine.status_code == 200 and mine.mimetype == "application/pdf"
    text = " ".join(_text(mine.data).split())
    code = re.search(r"Verification code: ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})", text).group(1)
    assert name in text and "Aarti Holla-Maini" in text
    day = utc_to_local(training.starts_at, training.event.timezone).date()
    assert f"{day.day} {day:%B %Y}" in text and title in text
    programme = people.open(TRAINEE, "GET", "/me/").get_data(as_text=True)
    assert f"/certificates/sessions/{training.id}/mine.pdf" in programme

    page = people.open(None, "GET", f"/certificates/{code.lower()}").get_data(as_text=True)
    assert name in page and "valid" in page and "revoked" not in page
    assert trainee.email not in page

    revoked = people.open(
        ORGANISER, "POST", f"/certificates/sessions/{training.id}/revoke", data={"user": trainee.id}
    )
    assert revoked.status_code == 303
    page = people.open(None, "GET", f"/certificates/{code}").get_data(as_text=True)
    assert "revoked" in page
    again = people.open(TRAINEE, "GET", f"/certificates/sessions/{training.id}/mine.pdf")
    assert again.status_code == 403 and "revoked" in again.get_data(as_text=True)
    assert people.open(None, "GET", "/certificates/0000-0000-0000").status_code == 404


def test_the_organiser_downloads_all_as_one_pdf_and_mails_each_once(app, training):
    people = People(app)
    _offer(people, training.id)
    url = f"/certificates/sessions/{training.id}"
    every = people.open(ORGANISER, "GET", f"{url}/all.pdf")
    assert every.status_code == 200 and _text(every.data).count("Verification code") == 21
    for _attempt in range(2):
        mailed = people.open(ORGANISER, "POST", f"{url}/mail")
        assert mailed.status_code == 303
    messages = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "certificate"))
    bodies = {m.to_address: m.body_text for m in messages}
    assert len(bodies) == 21 and "/certificates/" in bodies[TRAINEE]
    assert WAITLISTED not in bodies


def test_someone_on_the_waitlist_gets_no_certificate(app, training):
    people = People(app)
    _offer(people, training.id)
    refused = people.open(WAITLISTED, "GET", f"/certificates/sessions/{training.id}/mine.pdf")
    assert refused.status_code == 403
    assert "certificates go to the people checked in" in refused.get_data(as_text=True)


def test_a_chinese_certificate_reads_back_in_chinese(app, training):
    people = People(app)
    _offer(
        people,
        training.id,
        **{"zh_Hans-title": "出席证书", "zh_Hans-body": "兹证明{name}出席了培训。"},
    )
    trainee = user_by_email(TRAINEE)
    trainee.locale = "zh_Hans"
    db.session.commit()
    mine = people.open(TRAINEE, "GET", f"/certificates/sessions/{training.id}/mine.pdf")
    text = _text(mine.data)
    assert "出席证书" in text and f"兹证明{trainee.name}出席了培训。" in text


def test_an_unknown_placeholder_is_a_form_error(app, training):
    people = People(app)
    refused = people.open(
        ORGANISER,
        "POST",
        f"/certificates/sessions/{training.id}",
        data={"enabled": "y", "en-title": "T", "en-body": "For {nom}"},
    )
    assert refused.status_code == 422 and "Unknown placeholder {nom}" in refused.get_data(
        as_text=True
    )


def test_the_badges_hold_one_badge_per_confirmed_person(app, training):
    people = People(app)
    confirmed = list(
        db.session.scalars(
            select(Registration).where(
                Registration.session_id == training.id,
                Registration.status == RegistrationStatus.CONFIRMED,
            )
        )
    )
    names = [r.user.name for r in confirmed]
    sheet = people.open(ORGANISER, "GET", f"/certificates/sessions/{training.id}/badges.pdf")
    assert sheet.status_code == 200
    text = _text(sheet.data)
    lines = [line.strip() for line in text.splitlines()]
    assert len(names) == 21 and all(lines.count(name) == 1 for name in names)
    assert user_by_email(WAITLISTED).name not in lines
    assert text.count("\f") == 3  # eight badges a sheet
