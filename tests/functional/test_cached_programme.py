"""The programme page and the event's .ics are cached per event version: never stale, 304 when
unchanged, the same number of queries for 5 or 60 sessions, each viewer's own controls right."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from meetingapp.extensions import db
from meetingapp.models import Event, Organisation
from meetingapp.registration.service import cancel_registration, register_participant
from tests import factories
from tests.text import page_text

NOW = datetime(2030, 3, 1, 9, 0, tzinfo=UTC)
DAY = datetime(2030, 3, 10, 9, 0, tzinfo=UTC)


def _text(response) -> str:
    return page_text(response)


@pytest.fixture
def programme(app, clock):
    clock.set(NOW)
    org = factories.organisation("UNOOSA", "Office for Outer Space Affairs")
    event = factories.event(title="Cached week", starts_on=DAY.date(), days=2)
    event.organisation = org
    sessions = [
        factories.session(event, title=f"Talk {i}", capacity=2, starts_at=DAY + timedelta(hours=i))
        for i in range(5)
    ]
    db.session.commit()
    return event, sessions


def _version(event_id: int) -> int:
    db.session.expire_all()
    return db.session.get(Event, event_id).version


def test_every_change_to_the_programme_bumps_the_version_and_registrations_do_not(app, programme):
    event, sessions = programme
    person = factories.user()
    db.session.commit()
    seen = [_version(event.id)]

    def changed() -> None:
        db.session.commit()
        seen.append(_version(event.id))
        assert seen[-1] > seen[-2], "this change left the version as it was"

    sessions[0].title = "Renamed talk"
    changed()
    factories.session(event, title="Added", starts_at=DAY + timedelta(hours=8))
    changed()
    # Registrations key the page by its seats, not by the event's row: registering for one
    # session never waits for the event's row lock held by a registration for another.
    register_participant(user=person, session_id=sessions[1].id, now=NOW)
    cancel_registration(user=person, session_id=sessions[1].id, now=NOW)
    assert _version(event.id) == seen[-1], "a registration took the event's row lock"
    db.session.get(Organisation, event.organisation_id).full_name = "UN Office for Outer Space"
    changed()
    event.description = "New words"
    changed()


def test_a_registration_shows_at_once_and_an_unchanged_page_is_a_304(app, client, programme):
    event, sessions = programme
    first = client.get(f"/events/{event.id}")
    assert "2 of 2 seats left" in _text(first)
    etag = first.headers["ETag"]
    again = client.get(f"/events/{event.id}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    register_participant(user=factories.user(), session_id=sessions[0].id, now=NOW)
    changed = client.get(f"/events/{event.id}", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert "1 of 2 seats left" in _text(changed)
    person = factories.user()
    db.session.commit()
    register_participant(user=person, session_id=sessions[0].id, now=NOW)
    assert "Full" in _text(client.get(f"/events/{event.id}")) or "0 of 2" in _text(
        client.get(f"/events/{event.id}")
    )
    cancel_registration(user=person, session_id=sessions[0].id, now=NOW)
    assert "1 of 2 seats left" in _text(client.get(f"/events/{event.id}"))


def test_registration_opening_changes_the_page_without_any_write(app, client, clock, programme):
    event, sessions = programme
    sessions[0].registration_opens_at = NOW + timedelta(hours=1)
    db.session.commit()
    assert "Registration opens" in _text(client.get(f"/events/{event.id}"))
    clock.advance(hours=2)
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Registration opens" not in page and "Log in to register" in page


def test_each_viewer_sees_their_own_state_on_a_shared_page(app, client, auth, programme):
    event, sessions = programme
    mine, other = factories.user(), factories.user()
    db.session.commit()
    register_participant(user=mine, session_id=sessions[2].id, now=NOW)
    auth.login(mine.email)
    page = _text(client.get(f"/events/{event.id}"))
    assert page.count("You are registered.") == 1
    assert "Cancel registration…" in page
    assert page.count("Register for Talk") == 4  # the other four sessions
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(f"/events/{event.id}").text)
    assert token and "\x00" not in token.group(1)
    client.post("/auth/logout")
    auth.login(other.email)
    page = _text(client.get(f"/events/{event.id}"))
    assert "You are registered." not in page and page.count("Register for Talk") == 5
    assert "Registrations of" not in page  # organisers' links stay theirs


def test_organisers_get_their_links_and_signed_in_pages_no_etag(app, client, auth, programme):
    event, _ = programme
    boss = factories.organiser()
    db.session.commit()
    auth.login(boss.email)
    response = client.get(f"/events/{event.id}")
    assert "Registrations of Talk 0" in _text(response)
    assert "ETag" not in response.headers  # a signed-in page carries a per-session token


def test_the_programme_costs_the_same_queries_for_5_or_60_sessions(
    app, client, count_queries, programme
):
    event, _ = programme
    counts = []
    for extra in (0, 55):
        for i in range(extra):
            factories.session(event, title=f"More {i}", starts_at=DAY + timedelta(minutes=7 * i))
        db.session.commit()
        with count_queries() as cold:
            assert client.get(f"/events/{event.id}").status_code == 200
        with count_queries() as warm:
            assert client.get(f"/events/{event.id}").status_code == 200
        counts.append((cold.count, warm.count))
    assert counts[0] == counts[1], counts
    # the event, its time state, its seats (and the session's user when signed in)
    assert counts[1][1] <= 4


def test_the_event_ics_is_revalidated_and_follows_a_change(app, client, programme):
    event, sessions = programme
    first = client.get(f"/calendar/events/{event.id}.ics")
    assert first.status_code == 200 and b"SUMMARY:Talk 0" in first.data
    etag = first.headers["ETag"]
    assert (
        client.get(f"/calendar/events/{event.id}.ics", headers={"If-None-Match": etag}).status_code
        == 304
    )
    sessions[0].title = "Talk zero"
    db.session.commit()
    changed = client.get(f"/calendar/events/{event.id}.ics", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and b"SUMMARY:Talk zero" in changed.data


def test_an_unpublished_event_is_not_served_from_the_cache(app, client, programme):
    event, _ = programme
    assert client.get(f"/events/{event.id}").status_code == 200
    assert client.get(f"/calendar/events/{event.id}.ics").status_code == 200
    event.published = False
    db.session.commit()
    assert client.get(f"/events/{event.id}").status_code == 404
    assert client.get(f"/calendar/events/{event.id}.ics").status_code == 404
