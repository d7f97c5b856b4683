"""Content in several languages (issue 22, item 2): the API reads and writes translations, pages
and .ics files show the reader's language and fall back to the original, cloning copies them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from meetingapp.api import tokens as api_tokens
from meetingapp.extensions import db
from meetingapp.models import Event, EventSession, OutboxMessage, User
from meetingapp.organise.cloning import clone_event
from meetingapp.registration import service as registrations
from tests import factories

NOW = datetime(2030, 5, 1, 8, 0, tzinfo=UTC)
FRENCH = {"Accept-Language": "fr-FR,fr;q=0.9"}
ENGLISH = {"Accept-Language": "en-GB,en;q=0.9"}


@pytest.fixture
def api(app, client, clock):
    """An organiser's bearer token and a published event, a meeting and a topic table made
    through the API, with French for the event and the session and the table's topic."""
    clock.set(NOW)
    organiser = factories.organiser("organiser@example.org")
    db.session.commit()
    secret = api_tokens.issue_token(user=organiser, name="t", now=NOW).secret
    headers = {"Authorization": f"Bearer {secret}"}

    def call(method, path, body=None):
        return client.open(f"/api/v1{path}", method=method, json=body, headers=headers)

    event = call(
        "POST",
        "/events",
        {
            "title": "Spring session",
            "city": "Vienna",
            "timezone": "Europe/Vienna",
            "starts_on": "2030-05-14",
            "ends_on": "2030-05-14",
            "published": True,
            "description": "The original description.",
            "translations": {
                "fr": {
                    "title": "Session de printemps",
                    "description": "La description en français.",
                }
            },
        },
    ).get_json()
    meeting = call(
        "POST",
        f"/events/{event['id']}/sessions",
        {
            "title": "Plenary",
            "starts_at": "2030-05-14T10:00:00",
            "ends_at": "2030-05-14T11:00:00",
            "translations": {
                "fr": {"title": "Séance plénière"},
                "es": {"title": "Sesión plenaria"},
            },
        },
    ).get_json()
    speed = call(
        "POST",
        f"/events/{event['id']}/sessions",
        {
            "kind": "speed_networking",
            "title": "Speed dating",
            "starts_at": "2030-05-14T13:00:00",
            "ends_at": "2030-05-14T14:00:00",
            "round_count": 2,
            "round_minutes": 20,
            "min_tables": 1,
        },
    ).get_json()
    table = call(
        "POST",
        f"/sessions/{speed['id']}/tables",
        {
            "code": "a",
            "topic": "Space resources",
            "translations": {"fr": {"title": "Ressources spatiales"}},
        },
    ).get_json()
    return call, event, meeting, table


def test_api_round_trip_keeps_translations(api):
    call, event, meeting, table = api
    assert call("GET", f"/events/{event['id']}").get_json()["translations"] == {
        "fr": {"title": "Session de printemps", "description": "La description en français."}
    }
    assert call("GET", f"/sessions/{meeting['id']}").get_json()["translations"] == {
        "fr": {"title": "Séance plénière"},
        "es": {"title": "Sesión plenaria"},
    }
    changed = call(
        "PATCH", f"/tables/{table['id']}", {"translations": {"ru": {"title": "Ресурсы"}}}
    )
    assert changed.status_code == 200
    assert changed.get_json()["translations"] == {"ru": {"title": "Ресурсы"}}
    assert changed.get_json()["topic"] == "Space resources"


@pytest.mark.parametrize(
    "translations", [{"de": {"title": "Frühling"}}, {"fr": {"subtitle": "x"}}, {"fr": "Titre"}]
)
def test_api_refuses_unknown_languages_and_keys(api, translations):
    call, event, _meeting, _table = api
    response = call("PATCH", f"/events/{event['id']}", {"translations": translations})
    assert response.status_code in (400, 422)
    assert "error" in response.get_json()
    assert call("GET", f"/events/{event['id']}").get_json()["translations"]["fr"]


def test_french_reader_gets_french_titles_english_reader_the_original(api, client):
    _call, event, _meeting, _table = api
    url = f"/events/{event['id']}"
    # English first, then French, then English again: the page cache keeps them apart.
    english = client.get(url, headers=ENGLISH).get_data(as_text=True)
    french = client.get(url, headers=FRENCH).get_data(as_text=True)
    again = client.get(url, headers=ENGLISH).get_data(as_text=True)
    for text in (
        "Session de printemps",
        "La description en français.",
        "Séance plénière",
        "Ressources spatiales",
    ):
        assert text in french
        assert text not in english and text not in again
    assert "Spring session" in english and "Plenary" in english and "Space resources" in english
    assert "Speed dating" in french  # no French given: the original


def test_event_ics_follows_the_readers_language(api, client):
    _call, event, _meeting, _table = api
    url = f"/calendar/events/{event['id']}.ics"
    english = client.get(url, headers=ENGLISH).get_data(as_text=True)
    french = client.get(url, headers=FRENCH).get_data(as_text=True)
    assert "SUMMARY:Séance plénière" in french and "SUMMARY:Plenary" not in french
    assert "SUMMARY:Plenary" in english and "plénière" not in english
    assert "SUMMARY:Speed dating" in french


def test_feed_and_mail_are_written_in_their_owners_language(api, app, client):
    from meetingapp.calendar.service import feed_urls
    from meetingapp.registration.service import register_participant

    _call, _event, meeting, _table = api
    person = factories.user("lea@example.org")
    person.locale = "fr"
    db.session.commit()
    register_participant(user=person, session_id=meeting["id"], now=NOW)
    with app.test_request_context():
        feed = feed_urls(db.session.get(User, person.id))[0]
    body = client.get(feed.split("localhost", 1)[-1], headers=ENGLISH).get_data(as_text=True)
    assert "SUMMARY:Séance plénière" in body
    mail = db.session.query(OutboxMessage).filter_by(to_address="lea@example.org").one()
    assert "Séance plénière" in mail.subject and "Séance plénière" in mail.body_text


def test_cloning_copies_translations(api):
    _call, event, _meeting, _table = api
    organiser = db.session.query(User).filter_by(email="organiser@example.org").one()
    copy = clone_event(
        event_id=event["id"],
        title="Autumn session",
        starts_on=date(2030, 10, 1),
        actor=organiser,
        now=NOW,
    )
    copy = db.session.get(Event, copy.id)
    by_title = {s.title: s for s in copy.sessions}
    assert by_title["Plenary"].translations["fr"] == {"title": "Séance plénière"}
    assert by_title["Speed dating"].tables[0].text_in("title", "fr") == "Ressources spatiales"
    # A new title: the old edition's French title is not carried over; its description is.
    assert copy.translations == {"fr": {"description": "La description en français."}}


def test_organiser_gives_a_french_title_on_the_edit_form(api, client, auth):
    _call, event, meeting, _table = api
    auth.login("organiser@example.org")
    page = client.get(f"/organise/sessions/{meeting['id']}/edit").get_data(as_text=True)
    assert '<details class="translation">' in page
    assert 'name="translations-fr-title"' in page and 'value="Séance plénière"' in page
    form = {
        "kind": "meeting",
        "title": "Plenary",
        "day": "2030-05-14",
        "start_time": "10:00",
        "end_time": "11:00",
        "waitlist_mode": "automatic",
        "translations-fr-title": "Plénière",
        "translations-ru-title": "Пленарное заседание",
    }
    saved = client.post(f"/organise/sessions/{meeting['id']}/edit", data=form)
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    french = client.get(f"/events/{event['id']}", headers=FRENCH).get_data(as_text=True)
    assert "Plénière" in french
    russian = client.get(f"/events/{event['id']}", headers={"Accept-Language": "ru"})
    assert "Пленарное заседание" in russian.get_data(as_text=True)


def test_organiser_form_refuses_an_over_long_translation(api, client, auth):
    _call, event, _meeting, table = api
    auth.login("organiser@example.org")
    form = {
        "code": "a",
        "topic": "Space resources",
        "seats": "8",
        "min_seats": "0",
        "host_organisation": "0",
        "host_user": "0",
        "translations-fr-title": "x" * 301,
    }
    refused = client.post(f"/organise/tables/{table['id']}/edit", data=form)
    assert refused.status_code == 422
    assert 'class="error"' in refused.get_data(as_text=True)


def test_feed_without_a_chosen_language_follows_accept_language(api, app, client):
    from meetingapp.calendar.service import feed_urls
    from meetingapp.registration.service import register_participant

    _call, _event, meeting, _table = api
    person = factories.user("sam@example.org")
    db.session.commit()
    register_participant(user=person, session_id=meeting["id"], now=NOW)
    with app.test_request_context():
        path = feed_urls(db.session.get(User, person.id))[0].split("localhost", 1)[-1]
    assert "SUMMARY:Séance plénière" in client.get(path, headers=FRENCH).get_data(as_text=True)
    assert "SUMMARY:Plenary" in client.get(path, headers=ENGLISH).get_data(as_text=True)


def test_organiser_pages_and_reports_read_in_the_organisers_language(api, client, auth):
    """The organiser's own pages (the event's page, the roster, the report, the rotation) show
    titles and topics in the reader's language too, isolated in <bdi> so that a title keeps its
    own direction inside an Arabic sentence; the edit form keeps the original to edit."""
    _call, event, meeting, _table = api
    auth.login("organiser@example.org")
    speed_id = db.session.scalar(
        select(EventSession.id).where(EventSession.title == "Speed dating")
    )
    db.session.rollback()
    pages = {
        f"/organise/events/{event['id']}": ["Session de printemps", "Séance plénière"],
        f"/registration/sessions/{meeting['id']}/manage": ["Séance plénière"],
        f"/reports/events/{event['id']}": ["Session de printemps", "Séance plénière"],
        f"/organise/events/{event['id']}/audit": ["Session de printemps"],
    }
    pages[f"/rotation/sessions/{speed_id}"] = ["Ressources spatiales"]
    for path, words in pages.items():
        french = client.get(path, headers=FRENCH)
        assert french.status_code == 200, path
        body = french.get_data(as_text=True)
        for word in words:
            assert f"<bdi>{word}</bdi>" in body, (path, word)
        english = client.get(path, headers=ENGLISH).get_data(as_text=True)
        for word in words:
            assert word not in english, (path, word)
    edit = client.get(f"/organise/sessions/{meeting['id']}/edit", headers=FRENCH)
    assert 'name="title"' in edit.get_data(as_text=True)
    assert 'value="Plenary"' in edit.get_data(as_text=True)  # the original, to edit


def test_a_notification_names_its_session_in_the_readers_language(api, client, auth):
    """A seat that opens is a notification on My programme; a French reader reads the session's
    French title in it (the notification keeps which session it names), an English one the
    original."""
    call, _event, meeting, _table = api
    assert call("PATCH", f"/sessions/{meeting['id']}", {"capacity": 1}).status_code == 200
    first, second = factories.user(name="First"), factories.user(name="Second")
    organiser = db.session.scalar(select(User).where(User.email == "organiser@example.org"))
    db.session.commit()
    for person in (first, second):
        registrations.register_participant(user=person, session_id=meeting["id"], now=NOW)
    registrations.change_capacity(
        session_id=meeting["id"], new_capacity=2, now=NOW, actor=organiser
    )
    auth.login(second.email)

    def notes(headers) -> str:
        page = client.get("/me/", headers=headers).get_data(as_text=True)
        return page.split('aria-labelledby="notes-h"')[1].split("</section>")[0]

    french = notes(FRENCH)
    assert "Séance plénière" in french and "Plenary" not in french
    english = notes(ENGLISH)
    assert "A seat opened and it is yours: you are confirmed for “Plenary”." in english
