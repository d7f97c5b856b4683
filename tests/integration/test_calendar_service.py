"""Calendar files and feeds (calendar/service.py) on the database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from icalendar import Calendar

from meetingapp.calendar import service
from meetingapp.domain.errors import NotFound
from meetingapp.extensions import db
from meetingapp.registration.service import cancel_registration, register_participant
from tests import factories

NOW = datetime(2024, 10, 1, 12, 0, tzinfo=UTC)


def _url(session) -> str:
    return f"https://example.org/events/{session.event_id}#session-{session.id}"


def _events(body: bytes) -> list:
    return list(Calendar.from_ical(body).walk("VEVENT"))


@pytest.fixture
def programme(app):
    event = factories.event(title="数据与空间 · Spring")
    plenary = factories.session(event, title="Plenary", capacity=10)
    hidden = factories.session(factories.event(title="Draft", published=False), title="Draft")
    person = factories.user()
    organiser = factories.organiser()
    db.session.commit()
    return event, plenary, hidden, person, organiser


def test_an_event_calendar_holds_each_session_in_the_event_zone(programme):
    event, plenary, _, person, _ = programme
    file = service.event_calendar(event.id, _url, NOW, viewer=person)
    (entry,) = _events(file.body)
    assert str(entry["SUMMARY"]) == "Plenary"
    assert entry["DTSTART"].params["TZID"] == "Europe/Vienna"
    assert file.filename == "数据与空间-spring.ics"


def test_a_hidden_event_has_no_calendar_except_for_organisers(programme):
    _, _, hidden, person, organiser = programme
    with pytest.raises(NotFound):
        service.session_calendar(hidden.id, _url, NOW, viewer=person)
    with pytest.raises(NotFound):
        service.session_calendar(hidden.id, _url, NOW, viewer=None)
    assert _events(service.session_calendar(hidden.id, _url, NOW, viewer=organiser).body)


def test_the_feed_keeps_a_withdrawn_session_as_cancelled_the_download_drops_it(programme):
    _, plenary, _, person, _ = programme
    register_participant(user=person, session_id=plenary.id, now=NOW)
    assert [str(e["STATUS"]) for e in _events(service.feed_calendar(person, _url, NOW).body)] == [
        "CONFIRMED"
    ]
    cancel_registration(user=person, session_id=plenary.id, now=NOW)
    assert [str(e["STATUS"]) for e in _events(service.feed_calendar(person, _url, NOW).body)] == [
        "CANCELLED"
    ]
    assert _events(service.itinerary_calendar(person, _url, NOW).body) == []


def test_resetting_the_feed_address_retires_the_old_one(app, programme):
    _, _, _, person, _ = programme
    secret = app.config["SECRET_KEY"]
    old = service.feed_token(person, secret)
    assert service.user_for_feed_token(old, secret) == person
    service.reset_feed_token(person)
    assert service.user_for_feed_token(old, secret) is None
    assert service.user_for_feed_token(service.feed_token(person, secret), secret) == person
