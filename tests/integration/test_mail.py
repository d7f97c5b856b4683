"""E-mail through a real SMTP server on loopback (aiosmtpd): outbox, invites, retries."""

from __future__ import annotations

import smtplib
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from meetingapp.extensions import db
from meetingapp.mail.delivery import CLAIM_SECONDS, deliver_due
from meetingapp.mail.reminders import queue_reminders
from meetingapp.models import DeliveryAttempt, OutboxMessage
from meetingapp.registration import service as svc
from tests import factories
from tests.smtp import free_port
from tests.smtp import smtp_server as smtp_server_on_loopback

NOW = datetime(2024, 10, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def smtp_server():
    with smtp_server_on_loopback() as inbox:
        yield inbox, inbox.port


@pytest.fixture
def mail_app(app, smtp_server):
    _, port = smtp_server
    app.config.update(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_DEFAULT_SENDER="secretariat@example.org"
    )
    return app


@pytest.fixture
def session_and_people(app):
    session = factories.session(
        capacity=1,
        title="Training day “EO”",
        starts_at=datetime(2024, 10, 28, 13, 30, tzinfo=UTC),
        minutes=480,
    )
    session.room = "CR 6"
    people = [factories.user(f"p{i}@example.org", name=f"Person {i}") for i in range(3)]
    db.session.commit()
    return session, people


def _calendar(message):
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    return part.get_param("method"), Calendar.from_ical(part.get_content())


def _deliver(now=NOW):
    return deliver_due(now)


def test_confirmation_then_withdrawal_send_request_then_cancel_for_the_same_uid(
    mail_app, smtp_server, session_and_people
):
    inbox, _ = smtp_server
    session, people = session_and_people
    svc.register_participant(user=people[0], session_id=session.id, now=NOW)
    svc.cancel_registration(user=people[0], session_id=session.id, now=NOW + timedelta(hours=1))
    report = _deliver(NOW + timedelta(hours=2))
    assert report.sent == 2
    confirm, withdraw = inbox.messages
    assert confirm["Subject"] == "You are confirmed: Training day “EO”"
    assert confirm["To"] == "Person 0 <p0@example.org>"
    assert {p.get_content_type() for p in confirm.walk()} >= {
        "text/plain",
        "text/html",
        "text/calendar",
    }
    method, cal = _calendar(confirm)
    assert method == "REQUEST"
    event = cal.walk("VEVENT")[0]
    assert str(event["UID"]) == f"session-{session.id}@meetingapp"
    assert "mailto:secretariat@example.org" in str(event["ORGANIZER"])
    assert "mailto:p0@example.org" in str(event["ATTENDEE"])
    method2, cal2 = _calendar(withdraw)
    event2 = cal2.walk("VEVENT")[0]
    assert method2 == "CANCEL"
    assert str(event2["UID"]) == str(event["UID"])
    assert str(event2["STATUS"]) == "CANCELLED"
    assert int(event2["SEQUENCE"]) >= int(event["SEQUENCE"])


def test_waitlist_and_promotion_messages(mail_app, smtp_server, session_and_people):
    inbox, _ = smtp_server
    session, people = session_and_people
    for p in people[:2]:
        svc.register_participant(user=p, session_id=session.id, now=NOW)
    svc.cancel_registration(user=people[0], session_id=session.id, now=NOW)
    _deliver()
    subjects = [m["Subject"] for m in inbox.messages]
    assert "On the waitlist: Training day “EO”" in subjects
    assert "A seat opened and it is yours: Training day “EO”" in subjects
    waitlisted = next(m for m in inbox.messages if m["Subject"].startswith("On the waitlist"))
    assert "number 1 on the waitlist" in waitlisted.get_body(("plain",)).get_content()
    assert "14:30–22:30 Vienna, CET (UTC+1)" in waitlisted.get_body(("plain",)).get_content()


def test_rolled_back_registration_sends_nothing(mail_app, smtp_server, session_and_people):
    from meetingapp.domain.capacity import AlreadyRegistered

    inbox, _ = smtp_server
    session, people = session_and_people
    svc.register_participant(user=people[0], session_id=session.id, now=NOW)
    with pytest.raises(AlreadyRegistered):
        svc.register_participant(user=people[0], session_id=session.id, now=NOW)
    _deliver()
    assert len(inbox.messages) == 1


def test_crash_mid_delivery_sends_the_rest_next_run_exactly_once(
    mail_app, smtp_server, session_and_people
):
    inbox, port = smtp_server
    session, people = session_and_people
    session.capacity = 10
    db.session.commit()
    for p in people:
        svc.register_participant(user=p, session_id=session.id, now=NOW)

    class Crash(Exception):
        pass

    sent = []

    def flaky_connect():
        smtp = smtplib.SMTP("127.0.0.1", port)
        original = smtp.send_message

        def send_message(msg, *a, **k):
            if len(sent) == 1:
                raise Crash("worker killed")
            sent.append(msg["Message-ID"])
            return original(msg, *a, **k)

        smtp.send_message = send_message
        return smtp

    with pytest.raises(Crash):
        deliver_due(NOW, connect=flaky_connect)
    assert len(inbox.messages) == 1
    # The claim of the message in flight when the worker died expires; then everything goes
    # out once.
    _deliver(NOW + timedelta(seconds=CLAIM_SECONDS + 60))
    ids = [m["Message-ID"] for m in inbox.messages]
    assert len(ids) == 3 and len(set(ids)) == 3
    _deliver(NOW + timedelta(hours=1))
    assert len(inbox.messages) == 3


def test_unreachable_server_retries_with_backoff_and_records_attempts(app, session_and_people):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    session, people = session_and_people
    svc.register_participant(user=people[0], session_id=session.id, now=NOW)
    report = _deliver()
    assert report.retried == 1 and report.sent == 0
    message = db.session.scalar(select(OutboxMessage))
    assert message.status == "pending" and message.attempts == 1
    assert message.next_attempt_at == NOW + timedelta(minutes=1)
    assert _deliver(NOW + timedelta(seconds=30)).retried == 0  # not due yet
    assert db.session.scalar(select(func.count()).select_from(DeliveryAttempt)) == 1


def test_without_a_mail_server_messages_stay_in_the_outbox(app, client, session_and_people):
    session, people = session_and_people
    svc.register_participant(user=people[0], session_id=session.id, now=NOW)
    assert deliver_due(NOW).sent == 0
    assert db.session.scalar(select(OutboxMessage.status)) == "pending"
    organiser = factories.organiser("boss@example.org")
    db.session.commit()
    client.post("/auth/login", data={"email": organiser.email, "password": factories.PASSWORD})
    page = client.get("/organise/outbox").get_data(as_text=True)
    assert "No mail server is configured" in page and "You are confirmed: Training day" in page


def test_reminders_are_queued_once_and_respect_the_opt_out(
    mail_app, smtp_server, session_and_people
):
    inbox, _ = smtp_server
    session, people = session_and_people
    session.capacity = 10
    db.session.commit()
    for p in people[:2]:
        svc.register_participant(user=p, session_id=session.id, now=NOW)
    people[1].mail_optional = False
    db.session.commit()
    day_before = datetime(2024, 10, 27, 14, 0, tzinfo=UTC)
    assert queue_reminders(day_before) == 1
    assert queue_reminders(day_before + timedelta(hours=1)) == 0
    _deliver(day_before)
    reminders = [m for m in inbox.messages if m["Subject"].startswith("Tomorrow:")]
    assert [m["To"] for m in reminders] == ["Person 0 <p0@example.org>"]


def test_participant_turns_off_optional_mail_on_their_page(app, client, session_and_people):
    _, people = session_and_people
    client.post("/auth/login", data={"email": people[0].email, "password": factories.PASSWORD})
    client.post("/me/mail", data={})
    db.session.expire_all()
    assert db.session.get(type(people[0]), people[0].id).mail_optional is False


@pytest.mark.demo
def test_published_rotation_mails_each_participant_their_rounds(mail_app, smtp_server):
    from meetingapp.models import Event, User
    from meetingapp.rotation.service import plan_rotation, publish_plan

    inbox, _ = smtp_server
    organiser = db.session.scalar(select(User).where(User.email == "organiser@example.org"))
    event = db.session.scalar(select(Event).where(Event.title.like("%21st open informal%")))
    speed = event.sessions[0]
    db.session.execute(OutboxMessage.__table__.delete())
    db.session.commit()
    plan = plan_rotation(session_id=speed.id, actor=organiser, now=NOW)
    publish_plan(plan_id=plan.id, actor=organiser, now=NOW)
    deliver_due(NOW)
    assert len(inbox.messages) == 30
    message = inbox.messages[0]
    assert message["Subject"].startswith("Your table rotation: ")
    method, cal = _calendar(message)
    rounds = cal.walk("VEVENT")
    assert method == "PUBLISH" and len(rounds) == 4
    assert all(str(e["DTSTART"].params["TZID"]) == "Europe/Vienna" for e in rounds)
    assert "Round 1" in message.get_body(("plain",)).get_content()


def test_names_and_titles_are_text_in_the_html_part(app, session_and_people):
    """A name or title holding markup is shown as typed, never as HTML, in both parts (and the
    waitlist position, filled in after the message is rendered, is in both)."""
    session, people = session_and_people
    session.title = "R&D <i>briefing</i>"
    marked = factories.user("m@example.org", name='<img src="x" onerror="alert(1)">Ann')
    db.session.commit()
    svc.register_participant(user=people[0], session_id=session.id, now=NOW)
    svc.register_participant(user=marked, session_id=session.id, now=NOW)
    message = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_address == "m@example.org")
    ).one()
    assert "<img" not in message.body_html and "<i>" not in message.body_html
    assert "&lt;img src=&#34;x&#34;" in message.body_html
    assert "R&amp;D &lt;i&gt;briefing&lt;/i&gt;" in message.body_html
    assert '<img src="x" onerror="alert(1)">Ann' in message.body_text
    assert "number 1 on the waitlist" in message.body_text
    assert "number 1 on the waitlist" in message.body_html
