"""Calendar downloads and feeds on the demo data, read back by icalendar and real clients."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from icalendar import Calendar
from sqlalchemy import select

from meetingapp.extensions import db
from meetingapp.models import Event, EventSession, SessionKind, TopicTable, User
from tests.unit.test_ics_clients import read_with

pytestmark = pytest.mark.demo


@pytest.fixture
def demo(app):
    return {e.city: e for e in db.session.scalars(select(Event)) if e.starts_on.year == 2024}


def _login(client, app, email):
    client.post("/auth/logout")
    client.post("/auth/login", data={"email": email, "password": app.config["DEMO_PASSWORD"]})


def _events(body: bytes) -> dict[str, object]:
    return {str(c["UID"]): c for c in Calendar.from_ical(body).walk("VEVENT")}


def test_event_download_headers_and_local_times(client, demo):
    r = client.get(f"/calendar/events/{demo['New York'].id}.ics")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert r.headers["Content-Disposition"] == 'attachment; filename="un-space-43rd-session.ics"'
    body = r.data
    assert b"\r\n" in body and b"METHOD:PUBLISH" in body and b"X-WR-CALNAME:UN-Space" in body
    assert b"BEGIN:VTIMEZONE\r\nTZID:America/New_York" in body
    training = next(e for e in _events(body).values() if "Societal Benefit" in str(e["SUMMARY"]))
    assert training["DTSTART"].params["TZID"] == "America/New_York"
    assert training["DTSTART"].dt.astimezone(UTC) == datetime(2024, 10, 28, 13, 30, tzinfo=UTC)


def test_session_download_holds_the_training_day_and_its_five_sessions(client, demo):
    training = next(s for s in demo["New York"].sessions if s.kind == SessionKind.TRAINING)
    events = _events(client.get(f"/calendar/sessions/{training.id}.ics").data)
    assert len(events) == 6
    assert f"session-{training.id}@meetingapp" in events


def test_uids_are_stable_and_sequence_grows_when_the_time_changes(app, client, demo):
    vienna = demo["Vienna"]
    speed = vienna.sessions[0]
    first = _events(client.get(f"/calendar/events/{vienna.id}.ics").data)
    _login(client, app, "organiser@example.org")
    r = client.post(
        f"/organise/sessions/{speed.id}/edit",
        data={
            "kind": "speed_networking",
            "title": speed.title,
            "day": "2024-11-20",
            "start_time": "13:00",
            "end_time": "14:30",
            "room": "Board Room C",
            "capacity": "88",
            "lead_organisation": 0,
            "round_count": "4",
            "round_minutes": "20",
            "move_minutes": "3",
            "min_tables": "3",
            "max_picks": "5",
        },
    )
    assert r.status_code == 302
    second = _events(client.get(f"/calendar/events/{vienna.id}.ics").data)
    uid = f"session-{speed.id}@meetingapp"
    assert set(first) == set(second)
    assert int(second[uid]["SEQUENCE"]) == int(first[uid]["SEQUENCE"]) + 1
    assert "Board Room C" in str(second[uid]["LOCATION"])


def test_unpublished_event_calendar_is_hidden_from_visitors(client, demo):
    demo["Vienna"].published = False
    db.session.commit()
    assert client.get(f"/calendar/events/{demo['Vienna'].id}.ics").status_code == 404


def test_itinerary_download_has_one_entry_per_round_with_table_and_host(app, client, demo):
    speed = demo["Vienna"].sessions[0]
    _login(client, app, "organiser@example.org")
    client.post(f"/rotation/sessions/{speed.id}/plan")
    client.post(f"/rotation/sessions/{speed.id}/publish")
    _login(client, app, "participant01@example.org")
    r = client.get("/calendar/me.ics")
    assert r.headers["Content-Disposition"].startswith("attachment;")
    events = _events(r.data)
    rounds = [e for uid, e in events.items() if "-round-" in uid]
    assert len(rounds) == 4
    assert str(rounds[0]["SUMMARY"]).startswith("Round ")
    assert "host " in str(rounds[0]["LOCATION"])
    first = min(rounds, key=lambda e: e["DTSTART"].dt)
    assert first["DTSTART"].dt.astimezone(UTC) == datetime(2024, 11, 20, 12, 0, tzinfo=UTC)
    training = [e for e in events.values() if "Societal Benefit" in str(e["SUMMARY"])]
    assert training  # participant01 is a confirmed trainee


def _text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def test_feed_is_secret_resettable_and_shows_only_the_owner(app, client, demo):
    _login(client, app, "participant22@example.org")
    page = client.get("/me/").get_data(as_text=True)
    https = page.split('id="feed-url" type="text" readonly value="')[1].split('"')[0]
    assert "webcal://" in page
    path = https.split("localhost", 1)[1]
    r = client.get(path)
    assert r.status_code == 200 and r.headers["Content-Disposition"].startswith("inline;")
    mine = _events(r.data)
    client.post("/auth/logout")
    assert client.get(path).status_code == 200  # no log-in needed: the address is the secret
    tampered = path[:-8] + "00000000"[: 8 - 4] + path[-4:]
    assert client.get(tampered).status_code == 404
    other = db.session.scalar(select(User).where(User.email == "participant01@example.org"))
    forged = path.replace(path.split("/feed/")[1].split("-")[0] + "-", f"{other.id}-", 1)
    assert client.get(forged).status_code == 404
    _login(client, app, "participant22@example.org")
    client.post("/calendar/feed/reset")  # not confirmed: the address keeps working
    assert client.get(path).status_code == 200
    assert "stops working" in _text_of(client.get("/calendar/feed/reset"))
    client.post("/calendar/feed/reset", data={"confirmed": "yes"})
    assert client.get(path).status_code == 404
    assert all(
        "Societal Benefit" in str(e["SUMMARY"])
        or "Main part" in str(e["SUMMARY"])
        or "speed" in str(e["SUMMARY"]).lower()
        or "Round" in str(e["SUMMARY"])
        for e in mine.values()
    )


def test_feed_marks_a_withdrawn_registration_cancelled(app, client, demo):
    from meetingapp.calendar.service import feed_calendar

    user = db.session.scalar(select(User).where(User.email == "participant23@example.org"))
    morning = next(s for s in demo["New York"].sessions if s.title.endswith("morning"))
    from meetingapp.registration.service import cancel_registration

    cancel_registration(user=user, session_id=morning.id, now=datetime(2024, 10, 2, tzinfo=UTC))
    body = feed_calendar(user, lambda s: "https://example.org/", datetime.now(UTC)).body
    assert str(_events(body)[f"session-{morning.id}@meetingapp"]["STATUS"]) == "CANCELLED"


@pytest.mark.parametrize("parser", ["ical.js", "libical"])
def test_real_clients_read_the_demo_exports_at_the_right_instants(client, demo, parser, tmp_path):
    expected = {}
    body = b""
    for event in demo.values():
        data = client.get(f"/calendar/events/{event.id}.ics").data
        body = data
        for s in db.session.scalars(select(EventSession).where(EventSession.event_id == event.id)):
            expected[f"session-{s.id}@meetingapp"] = s.starts_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        seen = read_with(parser, data, tmp_path)
        for uid, (start, _end) in seen.items():
            assert start == expected[uid], (parser, uid)
    assert body
    assert "2024-11-20T12:00:00Z" in expected.values()
    assert "2024-10-28T13:30:00Z" in expected.values()


@pytest.mark.parametrize("parser", ["ical.js", "libical"])
def test_empty_itinerary_is_a_valid_calendar_of_one_vtimezone(app, client, parser, tmp_path):
    from tests import factories

    nobody = factories.user()  # registered for nothing, hosts nothing
    db.session.commit()
    client.post("/auth/login", data={"email": nobody.email, "password": factories.PASSWORD})

    r = client.get("/calendar/me.ics")

    assert r.status_code == 200
    calendar = Calendar.from_ical(r.data)
    # RFC 5545 3.6: at least one component; a VTIMEZONE is one, a made-up VEVENT would lie.
    assert [c.name for c in calendar.subcomponents] == ["VTIMEZONE"]
    assert read_with(parser, r.data, tmp_path) == {}


def test_host_sees_their_table_in_each_round_in_itinerary_and_feed(app, client, demo):
    from meetingapp.calendar.service import feed_calendar

    host = db.session.scalar(select(User).where(User.email == "host-a@example.org"))
    tables = db.session.scalars(select(TopicTable).where(TopicTable.host_user_id == host.id)).all()
    duties = {
        f"table-{t.id}-round-{r.number + 1}-host@meetingapp": r.starts_at
        for t in tables
        for r in t.session.rounds
    }
    assert len(duties) >= 8  # host-a hosts table a in each edition's speed dating
    _login(client, app, host.email)

    downloaded = _events(client.get("/calendar/me.ics").data)
    fed = _events(feed_calendar(host, lambda s: "https://example.org/", datetime.now(UTC)).body)
    page = _text_of(client.get("/me/itinerary"))

    for events in (downloaded, fed):
        hosting = {uid: e["DTSTART"].dt.astimezone(UTC) for uid, e in events.items()}
        assert {uid: hosting.get(uid) for uid in duties} == duties
    first = downloaded[min(duties, key=duties.get)]
    assert str(first["SUMMARY"]).startswith(f"Round 1: you host table {tables[0].code}")
    assert page.count(f"you host table {tables[0].code} — {tables[0].topic}") == len(duties)
