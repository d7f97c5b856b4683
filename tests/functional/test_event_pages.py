"""The home page and the event timetable, on the demo data."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from meetingapp.extensions import db
from meetingapp.models import Event
from tests import factories
from tests.text import page_text


def _text(response) -> str:
    return page_text(response)


pytestmark = pytest.mark.demo


@pytest.fixture
def demo(app):
    return {e.city: e for e in db.session.scalars(select(Event)) if e.starts_on.year == 2024}


def test_home_lists_both_seed_events(client, demo):
    text = _text(client.get("/"))
    assert "UN-Space, 43rd session" in text
    assert "Getting to know the UN: speed dating" in text


def test_speed_dating_page_shows_13_00_vienna_cet_and_eleven_hosted_tables(client, demo):
    text = _text(client.get(f"/events/{demo['Vienna'].id}"))
    assert "13:00 – 14:30 CET (UTC+1)" in text
    assert "Vienna, CET (UTC+1)" in text
    for code, host in [
        ("a", "WIPO, Patent and Treaty Law Section"),
        ("e", "CTBTO, International Data Centre"),
        ("g", "UNOOSA, UN-SPIDER"),
        ("k", "UNOOSA, Committee, Policy and Legal Affairs Section"),
    ]:
        assert f"{code} " in text and host in text
    assert (
        len(
            re.findall(
                r'<th scope="row">[a-k]</th>',
                client.get(f"/events/{demo['Vienna'].id}").get_data(as_text=True),
            )
        )
        == 11
    )
    assert re.search(r"Round 1: 13:00\s*–\s*13:20", text) and re.search(
        r"Round 4: 14:09\s*–\s*14:29", text
    )


def test_new_york_page_shows_training_day_in_edt_with_its_five_sessions(client, demo):
    text = _text(client.get(f"/events/{demo['New York'].id}"))
    assert "New York, EDT (UTC−4)" in text
    assert "09:30 – 17:30 EDT (UTC−4)" in text
    assert "Earth observation toolkit for sustainable cities and human settlements" in text
    assert text.index("Space sustainability") < text.index("UN-Space reports, publications")


def test_unpublished_event_is_hidden_from_visitors(client, app):
    event = factories.event(published=False, title="Secret planning")
    db.session.commit()
    assert client.get(f"/events/{event.id}").status_code == 404
    assert "Secret planning" not in _text(client.get("/"))


def test_unknown_event_is_a_404_page_not_a_500(client, app):
    response = client.get("/events/987654")
    assert response.status_code == 404
    assert "no such event" in _text(response)


def test_unknown_api_path_answers_json_error(client, app):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_timetable_query_count_does_not_grow_with_sessions(app, client, count_queries):
    ev = factories.event()
    factories.session(ev)
    db.session.commit()

    def queries_of(url):
        with count_queries() as counted:
            assert client.get(url).status_code == 200
        return counted.count

    few = queries_of(f"/events/{ev.id}")
    for i in range(30):
        factories.session(ev, title=f"Session {i}", capacity=10)
    db.session.commit()
    many = queries_of(f"/events/{ev.id}")
    assert many == few


def test_security_headers_are_set(client, app):
    response = client.get("/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
