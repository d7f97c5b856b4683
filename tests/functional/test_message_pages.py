"""Messages to a segment (issue 19, item 4): compose with each segment's count, preview, send
through the outbox once, audited; organisers only."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select

from meetingapp.extensions import db
from meetingapp.models import OutboxMessage
from meetingapp.models.audit import AuditEntry
from meetingapp.registration.service import register_participant
from tests import factories

NOW = datetime(2024, 11, 1, 9, 0, tzinfo=UTC)


def _world():
    session = factories.session(capacity=2, title="Training day")
    people = [factories.user(f"m{i}@example.org", name=f"Member {i}") for i in range(3)]
    organiser = factories.organiser("writer@example.org")
    db.session.commit()
    for person in people:  # two confirmed, the third waits
        register_participant(user=person, session_id=session.id, now=NOW)
    return session.id, people, organiser.email


def _hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}"[^>]*value="([^"]*)"', html).group(1)


def _messages() -> list[OutboxMessage]:
    db.session.expire_all()
    return db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "organiser_message")
    ).all()


def test_an_organiser_writes_to_the_waitlisted_once_through_the_outbox(app, client, auth):
    session_id, people, organiser = _world()
    auth.login(organiser)
    url = f"/registration/sessions/{session_id}/message"
    compose = client.get(url).get_data(as_text=True)
    assert "(2 people)" in compose and "(1 person)" in compose  # registered, waitlisted

    preview = client.post(
        url, data={"segment": "waitlisted", "subject": "A seat may open", "body": "Stay tuned."}
    )
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Member 2" in page and "Member 0" not in page
    assert _messages() == []  # a preview sends nothing

    form = {
        "segment": "waitlisted",
        "subject": "A seat may open",
        "body": "Stay tuned.",
        "key": _hidden(page, "key"),
        "expected": _hidden(page, "expected"),
        "send": "1",
    }
    sent = client.post(url, data=form)
    assert sent.status_code == 302 and "/organise/outbox" in sent.headers["Location"]
    (message,) = _messages()
    assert message.to_address == "m2@example.org" and message.subject.endswith("A seat may open")
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "message sent")).all()
    assert len(audit) == 1 and "1 people (waitlisted)" in audit[0].detail

    again = client.post(url, data=form, follow_redirects=True)  # the same preview sent twice
    assert "sent already" in again.get_data(as_text=True)
    assert len(_messages()) == 1


def test_a_segment_that_changed_since_the_preview_is_not_sent(app, client, auth):
    session_id, people, organiser = _world()
    auth.login(organiser)
    url = f"/registration/sessions/{session_id}/message"
    page = client.post(
        url, data={"segment": "registered", "subject": "Agenda", "body": "See you."}
    ).get_data(as_text=True)
    refused = client.post(
        url,
        data={
            "segment": "registered",
            "subject": "Agenda",
            "body": "See you.",
            "key": _hidden(page, "key"),
            "expected": "5",  # the preview showed another number of people
            "send": "1",
        },
    )
    assert refused.status_code == 409 and "changed since the preview" in refused.get_data(
        as_text=True
    )
    assert _messages() == []


def test_an_empty_message_is_a_form_error_and_participants_may_not_write(app, client, auth):
    session_id, people, organiser = _world()
    auth.login(organiser)
    url = f"/registration/sessions/{session_id}/message"
    empty = client.post(url, data={"segment": "registered", "subject": "", "body": ""})
    assert empty.status_code == 422 and "Write a subject." in empty.get_data(as_text=True)
    auth.logout()
    auth.login(people[0].email)
    assert client.get(url).status_code == 403
    assert (
        client.post(url, data={"segment": "registered", "subject": "x", "body": "y"}).status_code
        == 403
    )
    assert _messages() == []
