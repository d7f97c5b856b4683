"""Waitlist offers through the pages and the JSON API (issue 21, item 1): the organiser's
choice on the session form and in the session body, the offer on My programme, accepting it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from meetingapp.api import tokens as api_tokens
from meetingapp.extensions import db
from meetingapp.registration import queries as reg_queries
from meetingapp.registration import service as svc
from tests import factories
from tests.text import page_text


def _text(response) -> str:
    return page_text(response)


def _bearer(user) -> dict[str, str]:
    secret = api_tokens.issue_token(user=user, name="test", now=datetime.now(UTC)).secret
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def full_offer_session(app):
    """One seat with offers of 12 hours: Ann confirmed, Ben waiting; an organiser."""
    start = (datetime.now(UTC) + timedelta(days=10)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    event = factories.event(published=True, starts_on=start.date())
    session = factories.session(event, capacity=1, title="Ocean data clinic", starts_at=start)
    session.waitlist_mode, session.offer_hours = "offer", 12
    ann, ben = factories.user(name="Ann"), factories.user(name="Ben")
    organiser = factories.organiser()
    db.session.commit()
    now = datetime.now(UTC)
    for p in (ann, ben):
        svc.register_participant(user=p, session_id=session.id, now=now)
    return session, ann, ben, organiser


def test_offer_shows_on_my_programme_and_accepting_confirms(client, auth, full_offer_session):
    session, ann, ben, _ = full_offer_session
    auth.login(ben.email)
    assert "1st on the waitlist" in _text(client.get("/me/"))
    svc.cancel_registration(user=ann, session_id=session.id, now=datetime.now(UTC))
    page = _text(client.get("/me/"))
    assert "A seat is offered to you until" in page and "Vienna" in page
    assert "Decline the offer…" in page
    r = client.post(f"/registration/sessions/{session.id}/accept", data={"back": "programme"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/me/")
    assert "Confirmed" in _text(client.get("/me/"))
    assert reg_queries.is_confirmed(session.id, ben.id)
    # No second offer to accept: a clear refusal, not an error page.
    again = client.post(f"/registration/sessions/{session.id}/accept", follow_redirects=True)
    assert again.status_code == 200 and "no seat on offer" in _text(again)


def test_api_accept_confirms_then_refuses_without_an_offer(client, full_offer_session):
    session, ann, ben, _ = full_offer_session
    path = f"/api/v1/sessions/{session.id}/registrations/me/accept"
    as_ben = _bearer(ben)
    refused = client.post(path, headers=as_ben)
    assert refused.status_code == 409 and refused.get_json()["error"]["code"]
    client.delete(f"/api/v1/sessions/{session.id}/registrations/me", headers=_bearer(ann))
    body = client.get(f"/api/v1/sessions/{session.id}").get_json()
    assert (body["offered"], body["seats_left"]) == (1, 0)
    accepted = client.post(path, headers=as_ben)
    assert accepted.status_code == 200 and accepted.get_json()["status"] == "confirmed"


def test_session_body_carries_the_waitlist_mode(client, full_offer_session):
    session, _, _, organiser = full_offer_session
    headers = _bearer(organiser)
    body = client.get(f"/api/v1/sessions/{session.id}").get_json()
    assert (body["waitlist_mode"], body["offer_hours"]) == ("offer", 12)
    r = client.patch(
        f"/api/v1/sessions/{session.id}",
        json={"waitlist_mode": "automatic", "waitlist_cap": 5},
        headers=headers,
    )
    assert r.status_code == 200, r.get_json()
    assert (r.get_json()["waitlist_mode"], r.get_json()["waitlist_cap"]) == ("automatic", 5)
    bad = client.patch(
        f"/api/v1/sessions/{session.id}", json={"waitlist_mode": "lottery"}, headers=headers
    )
    assert bad.status_code == 422
    too_long = client.patch(
        f"/api/v1/sessions/{session.id}", json={"offer_hours": 10_000}, headers=headers
    )
    assert too_long.status_code == 422


def test_api_docs_list_the_offer_fields_and_operation(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert "post" in document["paths"]["/sessions/{session_id}/registrations/me/accept"]
    text = str(document["components"]["schemas"])
    assert "waitlist_mode" in text and "offer_hours" in text


def test_session_form_sets_offers_and_refuses_a_too_long_offer(client, auth, full_offer_session):
    session, _, _, organiser = full_offer_session
    auth.login(organiser.email)
    form = _text(client.get(f"/organise/sessions/{session.id}/edit"))
    assert "When a seat opens" in form and "Hours to accept an offer" in form
    local = session.starts_at + timedelta(hours=1)  # Vienna in the factories' event
    data = {
        "kind": "meeting",
        "title": session.title,
        "day": local.date().isoformat(),
        "start_time": local.strftime("%H:%M"),
        "end_time": (local + timedelta(hours=1)).strftime("%H:%M"),
        "capacity": "1",
        "waitlist_mode": "offer",
        "offer_hours": "1000",
        "lead_organisation": "0",
    }
    refused = client.post(f"/organise/sessions/{session.id}/edit", data=data)
    assert refused.status_code in (200, 422) and "An offer lasts from 1 hour" in _text(refused)
    data["offer_hours"], data["waitlist_cap"] = "6", "3"
    saved = client.post(f"/organise/sessions/{session.id}/edit", data=data)
    assert saved.status_code == 302, _text(saved)[:500]
    db.session.refresh(session)
    assert (session.waitlist_mode, session.offer_hours, session.waitlist_cap) == ("offer", 6, 3)
