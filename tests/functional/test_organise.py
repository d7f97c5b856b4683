"""Organisers build the programme through the pages; validation; the organiser-route matrix."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from meetingapp.demo import data as demo_data
from meetingapp.extensions import db
from meetingapp.models import (
    Event,
    EventSession,
    Notification,
    Organisation,
    SessionKind,
    TopicTable,
)
from tests import factories
from tests.text import page_text


def _text(response) -> str:
    return page_text(response)


@pytest.fixture
def organiser_client(app, client, auth):
    for short, full in demo_data.ORGANISATIONS:
        db.session.add(Organisation(short_name=short, full_name=full))
    factories.organiser("chief@example.org")
    db.session.commit()
    auth.login("chief@example.org")
    return client


def _org(short: str) -> int:
    return db.session.scalar(select(Organisation.id).where(Organisation.short_name == short))


def _post_event(client, **overrides):
    data = {
        "title": "UN-Space, 43rd session",
        "city": "New York",
        "venue": "United Nations Headquarters",
        "timezone": "",
        "starts_on": "2024-10-28",
        "ends_on": "2024-10-31",
        "organisation": _org("UNOOSA"),
        "co_organisers": "CDOTS",
        "description": "Forty-third session",
    }
    data.update(overrides)
    return client.post("/organise/events/new", data=data)


def _post_session(client, event_id, parent=None, **fields):
    data = {
        "kind": "meeting",
        "title": "A session",
        "day": "2024-10-28",
        "start_time": "09:00",
        "end_time": "09:30",
        "room": "",
        "capacity": "",
        "lead_organisation": 0,
    }
    data.update(fields)
    url = f"/organise/events/{event_id}/sessions/new" + (f"?parent={parent}" if parent else "")
    return client.post(url, data=data)


def _last(model):
    return db.session.scalar(select(model).order_by(model.id.desc()))


def test_organiser_recreates_both_seed_events_through_the_pages(organiser_client):
    client = organiser_client
    assert _post_event(client).status_code == 302
    ny = _last(Event)
    assert ny.timezone == "America/New_York"  # from the city
    _post_session(client, ny.id, title="Opening of the session", room="CR 6")
    assert (
        _post_session(
            client,
            ny.id,
            kind="training",
            title="Earth Observation for Societal Benefit",
            start_time="09:30",
            end_time="17:30",
            capacity="21",
            room="CR 6",
            lead_organisation=_org("DOS"),
        ).status_code
        == 302
    )
    training = _last(EventSession)
    parts = [
        ("09:30", "10:45", "Remote sensing observations"),
        ("11:00", "12:30", "Monitoring disasters"),
        ("13:30", "14:30", "Fire: applicable tools"),
        ("14:45", "16:00", "Flood and heat"),
        ("16:15", "17:30", "Earth observation toolkit for sustainable cities"),
    ]
    for start, end, title in parts:
        r = _post_session(
            client,
            ny.id,
            parent=training.id,
            kind="part",
            title=title,
            start_time=start,
            end_time=end,
            room="CR 6",
        )
        assert r.status_code == 302, _text(r)
    agenda = "\n".join(
        [
            "Space sustainability",
            "Satellite imagery and its acquisition",
            "Earth observation data and threats to related radio spectrum",
        ]
    )
    assert (
        _post_session(
            client,
            ny.id,
            title="Main part — morning",
            day="2024-10-31",
            start_time="10:00",
            end_time="13:00",
            agenda=agenda,
            room="CR 6",
        ).status_code
        == 302
    )
    client.post(f"/organise/events/{ny.id}/publish")

    assert (
        _post_event(
            client,
            title="UN-Space, 20th open informal session",
            city="Vienna",
            venue="Vienna International Centre",
            starts_on="2024-11-20",
            ends_on="2024-11-20",
        ).status_code
        == 302
    )
    vienna = _last(Event)
    r = _post_session(
        client,
        vienna.id,
        kind="speed_networking",
        title="Getting to know the UN: speed dating",
        day="2024-11-20",
        start_time="13:00",
        end_time="14:30",
        capacity="88",
        round_count="4",
        round_minutes="20",
        move_minutes="3",
        min_tables="3",
        max_picks="5",
        room="Board Room B",
    )
    assert r.status_code == 302, _text(r)
    speed = _last(EventSession)
    for code, topic, org, label in demo_data.VIENNA["sessions"][0]["tables"]:
        r = client.post(
            f"/organise/sessions/{speed.id}/tables/new",
            data={
                "code": code,
                "topic": topic,
                "host_organisation": _org(org),
                "host_label": label,
                "host_user": 0,
                "seats": "8",
                "min_seats": "2",
            },
        )
        assert r.status_code == 302, _text(r)
    client.post(f"/organise/events/{vienna.id}/publish")

    page = _text(client.get(f"/events/{vienna.id}"))
    assert "13:00 – 14:30 CET (UTC+1)" in page
    assert re.search(r"Round 4: 14:09\s*–\s*14:29", page)
    assert "UNOOSA, UN-SPIDER" in page
    assert db.session.scalar(select(func.count()).select_from(TopicTable)) == 11
    ny_page = _text(client.get(f"/events/{ny.id}"))
    assert "09:30 – 17:30 EDT (UTC−4)" in ny_page
    assert "16:15–17:30 Earth observation toolkit" in ny_page
    assert "Space sustainability" in ny_page and "21 of 21 seats left" in ny_page
    db.session.expire_all()
    assert db.session.get(EventSession, training.id).starts_at.strftime("%H:%M") == "13:30"


def test_session_ending_before_it_starts_is_refused(organiser_client):
    _post_event(organiser_client)
    r = _post_session(organiser_client, _last(Event).id, start_time="10:00", end_time="09:00")
    assert r.status_code == 422 and "must end after it starts" in _text(r)


def test_session_outside_event_dates_is_refused(organiser_client):
    _post_event(organiser_client)
    r = _post_session(organiser_client, _last(Event).id, day="2024-11-02")
    assert r.status_code == 422 and "within the event's dates" in _text(r)


def test_room_double_booking_is_refused(organiser_client):
    _post_event(organiser_client)
    event_id = _last(Event).id
    _post_session(
        organiser_client, event_id, title="First", room="CR 6", start_time="09:00", end_time="10:00"
    )
    r = _post_session(
        organiser_client,
        event_id,
        title="Second",
        room="cr 6",
        start_time="09:30",
        end_time="10:30",
    )
    assert r.status_code == 422 and "CR 6 is already booked for “First”" in _text(r)
    r = _post_session(
        organiser_client, event_id, title="Third", room="CR 6", start_time="10:00", end_time="11:00"
    )
    assert r.status_code == 302


def test_rounds_that_do_not_fit_the_slot_are_refused(organiser_client):
    _post_event(organiser_client, city="Vienna", starts_on="2024-11-20", ends_on="2024-11-20")
    r = _post_session(
        organiser_client,
        _last(Event).id,
        kind="speed_networking",
        day="2024-11-20",
        start_time="13:00",
        end_time="14:00",
        round_count="4",
        round_minutes="20",
        move_minutes="3",
        min_tables="3",
    )
    assert r.status_code == 422 and "need 89 minutes, but the slot is 60 minutes" in _text(r)


def test_fewer_rounds_than_minimum_tables_is_refused(organiser_client):
    _post_event(organiser_client, city="Vienna", starts_on="2024-11-20", ends_on="2024-11-20")
    r = _post_session(
        organiser_client,
        _last(Event).id,
        kind="speed_networking",
        day="2024-11-20",
        start_time="13:00",
        end_time="14:30",
        round_count="2",
        round_minutes="20",
        move_minutes="3",
        min_tables="3",
    )
    assert r.status_code == 422 and "2 rounds cannot take each participant to 3" in _text(r)


def test_repeated_dst_hour_is_refused_as_ambiguous(organiser_client):
    _post_event(organiser_client, city="Vienna", starts_on="2024-10-26", ends_on="2024-10-28")
    r = _post_session(
        organiser_client, _last(Event).id, day="2024-10-27", start_time="02:30", end_time="03:30"
    )
    assert r.status_code == 422 and "happens twice" in _text(r)


def test_skipped_dst_hour_is_refused_as_non_existent(organiser_client):
    _post_event(organiser_client, starts_on="2024-03-09", ends_on="2024-03-11")
    r = _post_session(
        organiser_client, _last(Event).id, day="2024-03-10", start_time="02:30", end_time="04:00"
    )
    assert r.status_code == 422 and "does not exist" in _text(r)


def test_zero_capacity_and_bad_table_seats_are_refused(organiser_client):
    _post_event(organiser_client)
    r = _post_session(organiser_client, _last(Event).id, capacity="0")
    assert r.status_code == 422
    _post_event(organiser_client, city="Vienna", starts_on="2024-11-20", ends_on="2024-11-20")
    _post_session(
        organiser_client,
        _last(Event).id,
        kind="speed_networking",
        day="2024-11-20",
        start_time="13:00",
        end_time="14:30",
        round_count="4",
        round_minutes="20",
        move_minutes="3",
        min_tables="3",
    )
    speed = _last(EventSession)
    r = organiser_client.post(
        f"/organise/sessions/{speed.id}/tables/new",
        data={
            "code": "a",
            "topic": "T",
            "seats": "4",
            "min_seats": "5",
            "host_organisation": 0,
            "host_user": 0,
        },
    )
    assert r.status_code == 422 and "between 0 and its seats" in _text(r)


def test_unknown_time_zone_is_a_form_error(organiser_client):
    r = _post_event(organiser_client, timezone="Mars/Olympus")
    assert r.status_code == 422 and "Unknown time zone" in _text(r)


def test_malformed_dates_are_form_errors(organiser_client):
    r = _post_event(organiser_client, starts_on="31/10/2024")
    assert r.status_code == 422 and "Enter a valid date" in _text(r)


def test_delete_event_with_registrations_cancels_and_notifies(organiser_client, now):
    from meetingapp.registration.service import register_participant

    _post_event(organiser_client)
    event = _last(Event)
    _post_session(organiser_client, event.id, capacity="5")
    organiser_client.post(f"/organise/events/{event.id}/publish")
    person = factories.user()
    db.session.commit()
    register_participant(user=person, session_id=_last(EventSession).id, now=now)
    page = _text(organiser_client.get(f"/organise/events/{event.id}/delete"))
    assert "1 person is registered; they will be e-mailed" in page
    organiser_client.post(
        f"/organise/events/{event.id}/delete",
        data={"confirmed": "yes", "note": "The venue is closed."},
    )
    db.session.expire_all()
    assert db.session.get(Event, event.id).cancelled_at is not None
    message = db.session.scalar(select(Notification.message))
    assert "is cancelled" in message and "The venue is closed." in message


def test_delete_event_without_registrations_deletes_it(organiser_client):
    _post_event(organiser_client)
    event_id = _last(Event).id
    unconfirmed = organiser_client.post(f"/organise/events/{event_id}/delete")
    assert unconfirmed.status_code == 303
    assert db.session.get(Event, event_id) is not None  # nothing happens without the question
    organiser_client.post(f"/organise/events/{event_id}/delete", data={"confirmed": "yes"})
    assert db.session.get(Event, event_id) is None


@pytest.mark.demo
def test_dashboard_shows_fill_levels_and_open_actions(app, client, auth):
    auth.login("organiser@example.org", app.config["DEMO_PASSWORD"])
    page = _text(client.get("/organise/"))
    assert "Training day “Earth Observation for Societal Benefit”" in page
    assert "21 21 4" in page  # registered, capacity, waitlisted


def _organiser_routes(app):
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if getattr(view, "organiser_only", False):
            yield rule


def _url_for_rule(rule) -> str:
    url = rule.rule
    for arg in rule.arguments:
        url = re.sub(rf"<(?:[^:<>]+:)?{arg}>", "publish" if arg == "action" else "1", url)
    return re.sub(r"<any\([^)]*\):action>", "publish", url)


@pytest.mark.demo
def test_every_organiser_route_refuses_participants_and_anonymous(app, client, auth):
    rules = list(_organiser_routes(app))
    assert len(rules) >= 15
    checked = 0
    for rule in rules:
        url = _url_for_rule(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            anonymous = client.open(url, method=method)
            assert (
                anonymous.status_code == 302 and "/auth/login" in anonymous.headers["Location"]
            ), url
            checked += 1
    auth.login("participant01@example.org", app.config["DEMO_PASSWORD"])
    for rule in rules:
        url = _url_for_rule(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            assert client.open(url, method=method).status_code == 403, (method, url)
            checked += 1
    assert checked >= 30
    assert db.session.scalar(select(func.count()).select_from(Event)) == 5  # nothing changed


@pytest.mark.demo
def test_audit_trail_records_organiser_changes_with_who_and_what(app, client, auth):
    auth.login("organiser@example.org", app.config["DEMO_PASSWORD"])
    event = db.session.scalar(select(Event).where(Event.title.like("%44th session%")))
    client.post(f"/organise/events/{event.id}/unpublish")
    training = next(s for s in event.sessions if s.kind == SessionKind.TRAINING)
    client.post(f"/registration/sessions/{training.id}/capacity", data={"capacity": "25"})
    text = _text(client.get(f"/organise/events/{event.id}/audit"))
    assert "Demo Organiser event unpublished UN-Space, 44th session" in text
    assert "capacity changed" in text and "21 → 25; 0 promoted" in text
    participant_view = client
    participant_view.post("/auth/logout")
    auth.login("participant01@example.org", app.config["DEMO_PASSWORD"])
    assert client.get(f"/organise/events/{event.id}/audit").status_code == 403


def test_unknown_huge_ids_are_404_not_database_errors(organiser_client):
    assert organiser_client.get("/events/99999999999").status_code == 404
    assert organiser_client.get("/organise/sessions/99999999999/edit").status_code == 404


def test_a_directory_name_as_time_zone_is_a_form_error(organiser_client):
    r = _post_event(organiser_client, timezone="America")
    assert r.status_code == 422 and "Unknown time zone" in _text(r)


def test_editing_an_event_without_a_zone_keeps_its_zone(organiser_client):
    _post_event(organiser_client, city="Geneva", timezone="Europe/Vienna")
    event = _last(Event)
    _post_session(organiser_client, event.id)
    r = organiser_client.post(
        f"/organise/events/{event.id}/edit",
        data={
            "title": "Renamed",
            "city": "Geneva",
            "venue": "",
            "timezone": "",
            "starts_on": "2024-10-28",
            "ends_on": "2024-10-31",
            "organisation": 0,
            "co_organisers": "",
            "description": "",
        },
    )
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Event, event.id).timezone == "Europe/Vienna"


def test_raising_capacity_in_the_session_form_promotes_the_waitlist(organiser_client, now):
    from meetingapp.registration.queries import waitlist_for
    from meetingapp.registration.service import register_participant

    _post_event(organiser_client, starts_on="2030-10-28", ends_on="2030-10-31")
    event = _last(Event)
    _post_session(organiser_client, event.id, day="2030-10-28", capacity="1")
    organiser_client.post(f"/organise/events/{event.id}/publish")
    session = _last(EventSession)
    for _ in range(2):
        person = factories.user()
        db.session.commit()
        register_participant(user=person, session_id=session.id, now=now)
    r = organiser_client.post(
        f"/organise/sessions/{session.id}/edit",
        data={
            "kind": "meeting",
            "title": "A session",
            "day": "2030-10-28",
            "start_time": "09:00",
            "end_time": "09:30",
            "room": "",
            "capacity": "2",
            "lead_organisation": 0,
        },
    )
    assert r.status_code == 302
    assert waitlist_for(session.id) == []
