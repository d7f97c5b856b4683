"""Hybrid sessions and overlapping registrations (issue 21, items 6 and 5): the online link only
for organisers and the confirmed (page, API, calendars, mail), online seats apart from the
room's, reports counting online attendance apart; overlaps warned about or refused."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from babel.support import Translations
from sqlalchemy import select

from meetingapp.api import tokens as api_tokens
from meetingapp.calendar.service import feed_urls
from meetingapp.extensions import db
from meetingapp.models import OutboxMessage
from meetingapp.registration import service as svc
from tests import factories
from tests.text import page_text
from tests.translate import TRANSLATIONS

LINK = "https://meet.example.org/j/4711?pwd=ab"


def _text(response) -> str:
    return page_text(response)


def _bearer(user) -> dict[str, str]:
    secret = api_tokens.issue_token(user=user, name="test", now=datetime.now(UTC)).secret
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def hybrid(app):
    """A hybrid session of one room seat and two online places: Ann confirmed in the room, Ben
    waiting; Cleo registered for nothing; an organiser."""
    start = (datetime.now(UTC) + timedelta(days=10)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    event = factories.event(published=True, starts_on=start.date())
    session = factories.session(event, capacity=1, title="Ocean data clinic", starts_at=start)
    session.online_url, session.online_info = LINK, "Dial-in +43 1 234 5678, code 99"
    session.online_capacity = 2
    ann, ben, cleo = (factories.user(name=n) for n in ("Ann", "Ben", "Cleo"))
    organiser = factories.organiser()
    db.session.commit()
    for p in (ann, ben):
        svc.register_participant(user=p, session_id=session.id, now=datetime.now(UTC))
    return session, ann, ben, cleo, organiser


def test_link_in_the_session_body_only_for_the_confirmed_and_organisers(client, hybrid):
    session, ann, ben, cleo, organiser = hybrid
    path = f"/api/v1/sessions/{session.id}"
    anonymous = client.get(path).get_json()
    assert (anonymous["online_url"], anonymous["online_info"]) == (None, "")
    assert anonymous["hybrid"] is True
    for who in (ben, cleo):  # waitlisted, another participant
        assert client.get(path, headers=_bearer(who)).get_json()["online_url"] is None
    for who in (ann, organiser):
        body = client.get(path, headers=_bearer(who)).get_json()
        assert body["online_url"] == LINK and "code 99" in body["online_info"]
    listed = client.get(f"/api/v1/events/{session.event_id}/sessions").get_json()["items"]
    assert [s["online_url"] for s in listed] == [None]


def test_link_on_the_event_page_and_my_programme_only_when_confirmed(client, auth, hybrid):
    session, ann, ben, cleo, organiser = hybrid
    page = f"/events/{session.event_id}"
    assert LINK not in client.get(page).get_data(as_text=True)
    for who in (ben, cleo):
        auth.login(who.email)
        assert "meet.example.org" not in client.get(page).get_data(as_text=True)
        assert "meet.example.org" not in client.get("/me/").get_data(as_text=True)
        auth.logout()
    auth.login(ann.email)
    assert "Join online" in _text(client.get(page))
    assert html.escape(LINK) in client.get("/me/").get_data(as_text=True)
    auth.logout()
    auth.login(organiser.email)
    assert html.escape(LINK) in client.get(page).get_data(as_text=True)


def test_link_travels_in_personal_calendars_never_in_public_ones(client, hybrid):
    session, ann, ben, _, _ = hybrid
    for path in (
        f"/calendar/events/{session.event_id}.ics",
        f"/calendar/sessions/{session.id}.ics",
    ):
        body = client.get(path).get_data(as_text=True)
        assert "meet.example.org" not in body and "CONFERENCE" not in body
    with client.application.test_request_context():
        ann_feed, ben_feed = feed_urls(ann)[0], feed_urls(ben)[0]
    assert "meet.example.org" not in client.get(ben_feed).get_data(as_text=True)
    vevent = icalendar.Calendar.from_ical(client.get(ann_feed).data).walk("VEVENT")[0]
    conference = vevent["CONFERENCE"]
    assert str(conference) == LINK and str(vevent["URL"]) == LINK
    assert (conference.params["VALUE"], conference.params["FEATURE"]) == ("URI", "VIDEO")
    assert conference.params["LABEL"] and "code 99" in str(vevent["DESCRIPTION"])


def test_confirmation_mail_and_invite_carry_the_link_the_waitlist_mail_does_not(app, hybrid):
    session, ann, ben, _, _ = hybrid
    mails = {m.user_id: m for m in db.session.scalars(select(OutboxMessage)).all() if m.user_id}
    assert LINK in mails[ann.id].body_text and "CONFERENCE" in mails[ann.id].ics_body
    assert "meet.example.org" not in mails[ben.id].body_text


def test_online_seats_are_counted_apart_from_the_room(client, hybrid):
    session, ann, ben, cleo, organiser = hybrid
    path = f"/api/v1/sessions/{session.id}/registrations"
    online = client.post(path, json={"attendance": "online"}, headers=_bearer(cleo))
    assert online.status_code == 201, online.get_json()
    assert (online.get_json()["status"], online.get_json()["attendance"]) == ("confirmed", "online")
    dana, eve = factories.user(name="Dana"), factories.user(name="Eve")
    db.session.commit()
    assert (
        client.post(path, json={"attendance": "online"}, headers=_bearer(dana)).status_code == 201
    )
    full = client.post(path, json={"attendance": "online"}, headers=_bearer(eve))
    assert full.status_code == 409 and full.get_json()["error"]["code"] == "online_full"
    body = client.get(f"/api/v1/sessions/{session.id}").get_json()
    assert (body["confirmed"], body["waitlisted"], body["seats_left"]) == (1, 1, 0)
    assert (body["online_confirmed"], body["online_seats_left"]) == (2, 0)
    # The online people's link: in their itinerary; Ben's still waits for a room seat.
    items = client.get("/api/v1/me/itinerary", headers=_bearer(cleo)).get_json()["items"]
    assert [(i["attendance"], i["online_url"]) for i in items] == [("online", LINK)]
    items = client.get("/api/v1/me/itinerary", headers=_bearer(ben)).get_json()["items"]
    assert [i["online_url"] for i in items] == [None]
    # An online withdrawal frees an online place, not the room's: Ben still waits.
    client.delete(f"{path}/me", headers=_bearer(cleo))
    body = client.get(f"/api/v1/sessions/{session.id}").get_json()
    assert (body["waitlisted"], body["online_seats_left"]) == (1, 1)


def test_online_registration_from_the_page_and_the_report_counts_it_apart(client, auth, hybrid):
    session, _, _, cleo, organiser = hybrid
    auth.login(cleo.email)
    assert "Register to attend online" in _text(client.get(f"/events/{session.event_id}"))
    r = client.post(
        f"/registration/sessions/{session.id}", data={"attendance": "online"}, follow_redirects=True
    )
    assert "You are confirmed to attend “Ocean data clinic” online." in _text(r)
    auth.logout()
    auth.login(organiser.email)
    report = _text(client.get(f"/reports/sessions/{session.id}"))
    assert re.search(r"Registered 1 of 1 seats", report)
    assert re.search(r"Online 1 of 2 places", report)


def test_online_refused_for_a_session_without_a_link(client, app):
    event = factories.event(
        published=True, starts_on=(datetime.now(UTC) + timedelta(days=9)).date()
    )
    plain = factories.session(
        event, starts_at=(datetime.now(UTC) + timedelta(days=9)).replace(hour=10, minute=0)
    )
    who = factories.user()
    db.session.commit()
    r = client.post(
        f"/api/v1/sessions/{plain.id}/registrations",
        json={"attendance": "online"},
        headers=_bearer(who),
    )
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "not_online"
    assert client.get(f"/api/v1/sessions/{plain.id}").get_json()["hybrid"] is False


def test_organiser_sets_the_link_and_a_bad_one_is_refused(client, auth, hybrid):
    session, _, _, _, organiser = hybrid
    headers = _bearer(organiser)
    path = f"/api/v1/sessions/{session.id}"
    for bad in ("javascript:alert(1)", "ftp://files.example.org/x", "https://", "https://a b.org"):
        r = client.patch(path, json={"online_url": bad}, headers=headers)
        assert r.status_code == 422, (bad, r.get_json())
        assert r.get_json()["error"]["fields"].get("online_url"), r.get_json()
    r = client.patch(
        path,
        json={"online_url": "http://video.example.org/room", "online_capacity": 30},
        headers=headers,
    )
    assert r.status_code == 200 and r.get_json()["online_url"] == "http://video.example.org/room"
    auth.login(organiser.email)
    local = session.starts_at + timedelta(hours=1)  # Vienna in the factories' event
    data = {
        "kind": "meeting",
        "title": session.title,
        "day": local.date().isoformat(),
        "start_time": local.strftime("%H:%M"),
        "end_time": (local + timedelta(hours=1)).strftime("%H:%M"),
        "capacity": "1",
        "waitlist_mode": "automatic",
        "online_url": "javascript:alert(1)",
        "lead_organisation": "0",
    }
    refused = client.post(f"/organise/sessions/{session.id}/edit", data=data)
    assert refused.status_code in (200, 422) and "must be a web address" in _text(refused)
    data["online_url"], data["online_info"], data["online_capacity"] = LINK, "code 7", "5"
    saved = client.post(f"/organise/sessions/{session.id}/edit", data=data)
    assert saved.status_code == 302, _text(saved)[:500]
    db.session.refresh(session)
    assert (session.online_url, session.online_info, session.online_capacity) == (LINK, "code 7", 5)


def test_cloning_copies_the_online_settings_and_the_overlap_policy(app, hybrid):
    from meetingapp.organise.cloning import clone_event

    session, _, _, _, organiser = hybrid
    session.event.overlap_policy = "refuse"
    db.session.commit()
    copy = clone_event(
        event_id=session.event_id,
        title="Next year",
        starts_on=session.event.starts_on + timedelta(days=364),
        actor=organiser,
        now=datetime.now(UTC),
    )
    twin = copy.sessions[0]
    assert (twin.online_url, twin.online_info, twin.online_capacity) == (
        LINK,
        session.online_info,
        2,
    )
    assert copy.overlap_policy == "refuse"


# --- overlapping registrations ------------------------------------------------------------------


@pytest.fixture
def overlapping(app):
    """Two sessions of one event at the same time (the second starts half an hour in) and one
    right after: Ann is confirmed for the first."""
    start = (datetime.now(UTC) + timedelta(days=12)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    event = factories.event(published=True, starts_on=start.date())
    first = factories.session(event, title="Plenary", starts_at=start, minutes=90)
    clash = factories.session(event, title="Side event", starts_at=start + timedelta(minutes=30))
    after = factories.session(event, title="Lunch talk", starts_at=start + timedelta(minutes=90))
    ann = factories.user(name="Ann")
    db.session.commit()
    svc.register_participant(user=ann, session_id=first.id, now=datetime.now(UTC))
    return event, first, clash, after, ann


def test_overlap_warns_and_registers_naming_the_session(client, auth, overlapping):
    event, first, clash, after, ann = overlapping
    r = client.post(f"/api/v1/sessions/{clash.id}/registrations", headers=_bearer(ann))
    assert r.status_code == 201 and r.get_json()["status"] == "confirmed"
    (warning,) = r.get_json()["warnings"]
    local = first.starts_at.astimezone(ZoneInfo(event.timezone))
    assert "“Plenary”" in warning and local.strftime("%d %b %Y %H:%M") in warning
    assert local.tzname() in warning  # the zone said with the local time
    back_to_back = client.post(f"/api/v1/sessions/{after.id}/registrations", headers=_bearer(ann))
    # Back to back is no overlap: the body is the plain one, without warnings.
    assert back_to_back.status_code == 201 and "warnings" not in back_to_back.get_json()


def test_overlap_warning_on_the_page(client, auth, overlapping):
    _, _, clash, _, ann = overlapping
    auth.login(ann.email)
    r = client.post(f"/registration/sessions/{clash.id}", follow_redirects=True)
    page = _text(r)
    assert "overlaps one you are confirmed for: “Plenary”" in page
    assert "You are confirmed for “Side event”." in page


def test_overlap_refused_by_the_events_setting(client, auth, overlapping):
    event, _, clash, _, ann = overlapping
    event.overlap_policy = "refuse"
    db.session.commit()
    r = client.post(f"/api/v1/sessions/{clash.id}/registrations", headers=_bearer(ann))
    assert r.status_code == 409
    error = r.get_json()["error"]
    assert error["code"] == "session_overlap" and "“Plenary”" in error["message"]
    auth.login(ann.email)
    page = _text(client.post(f"/registration/sessions/{clash.id}", follow_redirects=True))
    assert "overlaps one you are confirmed for: “Plenary”" in page
    assert client.get(f"/api/v1/sessions/{clash.id}").get_json()["confirmed"] == 0


def test_event_body_sets_the_overlap_policy(client, overlapping):
    event, *_ = overlapping
    headers = _bearer(factories.organiser())
    r = client.patch(
        f"/api/v1/events/{event.id}", json={"overlap_policy": "refuse"}, headers=headers
    )
    assert r.status_code == 200 and r.get_json()["overlap_policy"] == "refuse"
    bad = client.patch(
        f"/api/v1/events/{event.id}", json={"overlap_policy": "maybe"}, headers=headers
    )
    assert bad.status_code == 422


def test_a_new_link_reaches_the_confirmed_and_online_people_keep_theirs(client, hybrid):
    session, ann, _, cleo, organiser = hybrid
    headers, path = _bearer(organiser), f"/api/v1/sessions/{session.id}"
    new = "https://video.example.org/new-room"
    assert client.patch(path, json={"online_url": new}, headers=headers).status_code == 200
    changed = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.kind == "session_changed", OutboxMessage.user_id == ann.id
        )
    ).one()
    assert new in changed.body_text
    assert (
        str(icalendar.Calendar.from_ical(changed.ics_body).walk("VEVENT")[0]["CONFERENCE"]) == new
    )
    online = {"attendance": "online"}
    client.post(f"{path}/registrations", json=online, headers=_bearer(cleo))
    refused = client.patch(path, json={"online_url": None}, headers=headers)
    assert refused.status_code == 422 and "attend online" in refused.get_json()["error"]["message"]
    assert client.get(path, headers=headers).get_json()["online_url"] == new


def test_the_online_places_left_read_in_the_readers_language(client, auth, hybrid):
    """The event page says how many online places are left, in the reader's language and with
    the plural that language uses (it was English on every page)."""
    session, _ann, _ben, cleo, _organiser = hybrid
    auth.login(cleo.email)
    page = f"/events/{session.event_id}"
    english = _text(client.get(page, headers={"Accept-Language": "en"}))
    assert "Online: 2 of 2 places left" in english
    russian = _text(client.get(page, headers={"Accept-Language": "ru"}))
    assert "Online: 2 of 2" not in russian
    ru = Translations.load(str(TRANSLATIONS), ["ru"])
    expected = ru.ngettext(
        "Online: %(left)s of %(num)d place left", "Online: %(left)s of %(num)d places left", 2
    ) % {"left": 2, "num": 2}
    assert expected in russian
