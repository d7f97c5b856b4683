"""Each rule answers the same through every entry point: pages, the JSON API, calendar files and
feeds, registration, picks and check-in (issue 16: the copies of a rule had drifted apart)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from meetingapp.api import tokens as api_tokens
from meetingapp.calendar.service import feed_token
from meetingapp.domain.networking import round_times
from meetingapp.extensions import db
from meetingapp.models import (
    AuditEntry,
    NetworkingRound,
    OutboxMessage,
    Registration,
    RegistrationStatus,
    SessionKind,
    TopicTable,
)
from meetingapp.registration.service import register_participant
from meetingapp.rotation.service import plan_rotation, publish_plan, save_picks
from tests import factories
from tests.text import page_text

NOW = datetime(2024, 10, 1, 12, 0, tzinfo=UTC)
DAY_START = datetime(2024, 11, 20, 12, 0, tzinfo=UTC)  # 13:00 in Vienna


def _text(response) -> str:
    return page_text(response)


class World:
    """An event in Vienna with a plenary (two seats) and a speed dating with three tables."""

    def __init__(self, *, published: bool):
        self.organiser = factories.organiser("organiser@example.org")
        self.alice = factories.user("alice@example.org", name="Alice")
        self.bob = factories.user("bob@example.org", name="Bob")
        self.event = factories.event(title="Spring session", published=published)
        self.plenary = factories.session(
            self.event, capacity=2, title="Plenary", starts_at=DAY_START
        )
        self.speed = factories.session(
            self.event,
            kind=SessionKind.SPEED_NETWORKING,
            title="Speed dating",
            starts_at=DAY_START + timedelta(hours=2),
            minutes=90,
        )
        self.speed.round_count, self.speed.round_minutes, self.speed.move_minutes = 3, 20, 5
        self.speed.min_tables, self.speed.max_picks = 3, 3
        self.speed.rounds = [
            NetworkingRound(number=n, starts_at=start, ends_at=end)
            for n, (start, end) in enumerate(round_times(self.speed.starts_at, 3, 20, 5))
        ]
        self.tables = [
            TopicTable(session_id=self.speed.id, code=c, topic=f"Topic {c}", seats=4) for c in "abc"
        ]
        db.session.add_all(self.tables)
        db.session.commit()
        self.tokens = {
            u.email: api_tokens.issue_token(user=u, name="t", now=NOW).secret
            for u in (self.organiser, self.alice, self.bob)
        }

    def bearer(self, user) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user.email]}"}


@pytest.fixture
def hidden(app, clock) -> World:
    clock.set(NOW)
    return World(published=False)


@pytest.fixture
def cancelled(app, clock, client, auth) -> World:
    """Alice is confirmed for both sessions with a published rotation; then the event is
    cancelled by its organiser through the page."""
    clock.set(NOW)
    world = World(published=True)
    register_participant(user=world.alice, session_id=world.plenary.id, now=NOW)
    register_participant(user=world.alice, session_id=world.speed.id, now=NOW)
    save_picks(
        user=world.alice,
        session_id=world.speed.id,
        table_ids=[t.id for t in world.tables],
        now=NOW,
    )
    plan = plan_rotation(session_id=world.speed.id, actor=world.organiser, now=NOW)
    publish_plan(plan_id=plan.id, actor=world.organiser, now=NOW)
    auth.login(world.organiser.email)
    deleted = client.post(f"/organise/events/{world.event.id}/delete", data={"confirmed": "yes"})
    assert deleted.status_code == 302
    auth.logout()
    return world


# --- an unpublished event does not exist for participants, wherever they ask -----------------


def test_unpublished_event_is_missing_for_participants_at_every_entry_point(client, auth, hidden):
    w = hidden
    auth.login(w.alice.email)
    pages = {
        "event page": client.get(f"/events/{w.event.id}"),
        "register (page)": client.post(f"/registration/sessions/{w.plenary.id}"),
        "picks page": client.get(f"/rotation/sessions/{w.speed.id}/picks"),
        "save picks (page)": client.post(f"/rotation/sessions/{w.speed.id}/picks", data={}),
        "event .ics": client.get(f"/calendar/events/{w.event.id}.ics"),
        "session .ics": client.get(f"/calendar/sessions/{w.plenary.id}.ics"),
    }
    api = {
        "event": client.get(f"/api/v1/events/{w.event.id}", headers=w.bearer(w.alice)),
        "session": client.get(f"/api/v1/sessions/{w.plenary.id}", headers=w.bearer(w.alice)),
        "register": client.post(
            f"/api/v1/sessions/{w.plenary.id}/registrations", headers=w.bearer(w.alice)
        ),
        "picks": client.put(
            f"/api/v1/sessions/{w.speed.id}/picks",
            json={"tables": [w.tables[0].id]},
            headers=w.bearer(w.alice),
        ),
    }
    assert {name: r.status_code for name, r in pages.items()} == dict.fromkeys(pages, 404)
    assert {name: r.status_code for name, r in api.items()} == dict.fromkeys(api, 404)
    assert {r.get_json()["error"]["code"] for r in api.values()} == {"not_found"}
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_organisers_see_an_unpublished_event_and_register_people_for_it(client, auth, hidden):
    w = hidden
    auth.login(w.organiser.email)
    assert client.get(f"/events/{w.event.id}").status_code == 200
    assert client.get(f"/calendar/events/{w.event.id}.ics").status_code == 200
    outcome = register_participant(user=w.bob, session_id=w.plenary.id, now=NOW, actor=w.organiser)
    assert outcome.status == "confirmed"


# --- a cancelled event says so everywhere, and nothing more can be done with it ---------------


def test_cancelled_event_page_shows_cancelled_without_actions_or_seats(client, auth, cancelled):
    w = cancelled
    auth.login(w.alice.email)
    page = _text(client.get(f"/events/{w.event.id}"))
    assert "This event is cancelled." in page
    assert "You are registered." not in page and "You were registered; it is cancelled." in page
    for gone in ("Cancel registration", "Pick your tables", "seats left", "Join the waitlist"):
        assert gone not in page, gone
    raw = client.get(f"/events/{w.event.id}").get_data(as_text=True)
    assert "/registration/sessions/" not in raw  # no register or withdraw form left


def test_cancelled_event_is_cancelled_on_my_programme(client, auth, cancelled):
    auth.login(cancelled.alice.email)
    raw = client.get("/me/").get_data(as_text=True)
    assert 'class="card status-confirmed"' not in raw
    assert raw.count('class="card status-cancelled"') == 2
    assert "Cancelled by the organisers" in _text(client.get("/me/"))


def test_cancelled_event_is_cancelled_in_the_personal_feed_rounds_included(app, client, cancelled):
    token = feed_token(cancelled.alice, app.config["SECRET_KEY"])
    calendar = Calendar.from_ical(client.get(f"/calendar/feed/{token}.ics").data)
    events = list(calendar.walk("VEVENT"))
    summaries = [str(e["SUMMARY"]) for e in events]
    assert any(s.startswith("Round 1") for s in summaries), summaries  # the published rounds
    assert {str(e["STATUS"]) for e in events} == {"CANCELLED"}


def test_cancelled_event_is_cancelled_in_the_api(client, cancelled):
    w = cancelled
    headers = w.bearer(w.alice)
    event = client.get(f"/api/v1/events/{w.event.id}", headers=headers).get_json()
    session = client.get(f"/api/v1/sessions/{w.plenary.id}", headers=headers).get_json()
    items = client.get("/api/v1/me/itinerary", headers=headers).get_json()["items"]
    assert event["cancelled"] is True
    assert (session["cancelled"], session["registrable"]) == (True, False)
    assert {(i["session_id"], i["status"], i["cancelled"]) for i in items} == {
        (w.plenary.id, "cancelled", True),
        (w.speed.id, "cancelled", True),
    }


def test_cancelled_event_mails_a_calendar_cancellation_to_the_confirmed(cancelled):
    methods = db.session.scalars(
        select(OutboxMessage.ics_method).where(
            OutboxMessage.to_address == cancelled.alice.email,
            OutboxMessage.kind == "session_cancelled",
        )
    ).all()
    assert methods == ["CANCEL", "CANCEL"]


def test_cancelled_event_refuses_registering_withdrawing_picking_and_checking_in(
    client, auth, clock, cancelled
):
    w = cancelled
    auth.login(w.bob.email)
    page = client.post(f"/registration/sessions/{w.plenary.id}", follow_redirects=True)
    assert "This event is cancelled." in _text(page)
    answers = {
        "register": client.post(
            f"/api/v1/sessions/{w.plenary.id}/registrations", headers=w.bearer(w.bob)
        ),
        "withdraw": client.delete(
            f"/api/v1/sessions/{w.plenary.id}/registrations/me", headers=w.bearer(w.alice)
        ),
        "picks": client.put(
            f"/api/v1/sessions/{w.speed.id}/picks",
            json={"tables": [t.id for t in w.tables]},
            headers=w.bearer(w.alice),
        ),
    }
    clock.set(DAY_START + timedelta(minutes=5))  # check-in is open on the day
    answers["check-in"] = client.post(
        f"/api/v1/sessions/{w.plenary.id}/check-ins",
        json={"participant": w.alice.id},
        headers=w.bearer(w.organiser),
    )
    assert {k: (r.status_code, r.get_json()["error"]["code"]) for k, r in answers.items()} == {
        k: (409, "session_cancelled") for k in answers
    }
    assert db.session.scalar(select(func.count()).where(Registration.user_id == w.bob.id)) == 0
    alice = db.session.scalars(select(Registration).where(Registration.user_id == w.alice.id))
    assert {r.status for r in alice} == {RegistrationStatus.CONFIRMED}  # kept for the record


# --- smaller defects ---------------------------------------------------------------------------


def test_capacity_raised_through_the_api_is_audited_once_with_the_old_value(client, app, clock):
    clock.set(NOW)
    w = World(published=True)
    r = client.patch(
        f"/api/v1/sessions/{w.plenary.id}", json={"capacity": 5}, headers=w.bearer(w.organiser)
    )
    assert r.status_code == 200 and r.get_json()["capacity"] == 5
    rows = db.session.scalars(
        select(AuditEntry.detail).where(AuditEntry.action == "capacity changed")
    ).all()
    assert rows == ["2 → 5; 0 promoted"]


@pytest.mark.parametrize("field", ["next"])
def test_a_newline_in_next_is_refused_not_a_server_error(client, app, field):
    factories.user("carol@example.org")
    db.session.commit()
    evil = "/me/\r\nSet-Cookie: x=1"
    login = client.post(
        f"/auth/login?{field}=" + evil.replace("\r", "%0D").replace("\n", "%0A"),
        data={"email": "carol@example.org", "password": factories.PASSWORD},
    )
    language = client.post("/auth/language", data={"locale": "en", field: evil})
    assert (login.status_code, login.headers["Location"]) == (302, "/")
    assert (language.status_code, language.headers["Location"]) == (303, "/")


def test_pages_and_the_api_name_an_error_with_the_same_code(client):
    page = client.get("/events/999", headers={"Accept": "application/json"})
    api = client.get("/api/v1/events/999")
    wrong_method_page = client.put("/events/1", headers={"Accept": "application/json"})
    wrong_method_api = client.put("/api/v1/events/1/sessions")
    assert page.get_json()["error"]["code"] == api.get_json()["error"]["code"] == "not_found"
    assert (
        wrong_method_page.get_json()["error"]["code"]
        == wrong_method_api.get_json()["error"]["code"]
        == "method_not_allowed"
    )
