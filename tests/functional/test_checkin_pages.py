"""The check-in page: list, search, one button per person, undo, QR codes, walk-ins, hosts."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from meetingapp.checkin.qr import qr_code_for
from meetingapp.extensions import db
from meetingapp.models import (
    CheckIn,
    EventSession,
    NetworkingRound,
    Registration,
    RegistrationStatus,
    SessionKind,
    TopicTable,
    User,
)
from meetingapp.models.rotation import RotationAssignment, RotationPlan
from meetingapp.registration.service import register_participant
from tests import factories
from tests.text import page_text

START = datetime(2024, 11, 20, 12, 0, tzinfo=UTC)  # 13:00 in Vienna
ON_THE_DAY = "2024-11-20T12:05:00+00:00"
SIGNED_UP = datetime(2024, 10, 1, 9, 0, tzinfo=UTC)


def _text(response) -> str:
    return page_text(response)


def _log() -> list[tuple[int, str, str]]:
    db.session.expire_all()
    return list(
        db.session.execute(
            select(CheckIn.user_id, CheckIn.action, CheckIn.method).order_by(CheckIn.id)
        ).tuples()
    )


@pytest.fixture
def day(app, clock):
    """A training day (capacity 2, both seats taken), two more people and an organiser."""
    clock.set(ON_THE_DAY)
    org = factories.organisation("DESA", "Economic and Social Affairs")
    session = factories.session(
        kind=SessionKind.TRAINING, capacity=2, title="Training day", starts_at=START, minutes=300
    )
    people = [factories.user(f"p{i}@example.org", org=org, name=f"Person {i}") for i in range(4)]
    organiser = factories.organiser("boss@example.org")
    db.session.commit()
    for p in people[:2]:
        register_participant(user=p, session_id=session.id, now=SIGNED_UP, check_window=False)
    return session, people, organiser


def test_page_lists_confirmed_people_and_the_search_filters_without_js(client, auth, day):
    session, people, organiser = day
    auth.login(organiser.email)
    page = _text(client.get(f"/checkin/sessions/{session.id}"))
    assert "Person 0" in page and "Person 1" in page and "0 of 2 present" in page
    assert "Person 2" not in page  # not registered
    r = client.get(f"/checkin/sessions/{session.id}?q=person+1")
    assert "Person 1" in _text(r) and "Person 0" not in _text(r)
    assert 'src="/static/checkin.js"' in r.get_data(as_text=True)
    assert "onclick" not in r.get_data(as_text=True)


def test_one_tap_checks_in_and_undo_appends_to_the_log(client, auth, day):
    session, people, organiser = day
    auth.login(organiser.email)
    r = client.post(
        f"/checkin/sessions/{session.id}/people/{people[0].id}/check-in", data={"q": "person"}
    )
    assert r.status_code == 303
    location = r.headers["Location"]
    assert location.endswith(f"/checkin/sessions/{session.id}?q=person#p-{people[0].id}")
    page = _text(client.get(f"/checkin/sessions/{session.id}"))
    assert "1 of 2 present" in page and "Person 0 is checked in" in page
    client.post(f"/checkin/sessions/{session.id}/people/{people[0].id}/undo")
    assert _log() == [(people[0].id, "check_in", "list"), (people[0].id, "undo", "list")]
    entry = db.session.scalar(select(CheckIn).order_by(CheckIn.id))
    assert entry.by_id == organiser.id and entry.at == datetime.fromisoformat(ON_THE_DAY)
    assert "0 of 2 present" in _text(client.get(f"/checkin/sessions/{session.id}"))


def test_double_check_in_is_refused_with_a_message_and_changes_nothing(client, auth, day):
    session, people, organiser = day
    auth.login(organiser.email)
    url = f"/checkin/sessions/{session.id}/people/{people[0].id}/check-in"
    client.post(url)
    r = client.post(url)
    assert r.status_code == 409
    assert "Person 0 is already checked in." in _text(r)
    assert len(_log()) == 1


def test_check_in_outside_the_sessions_day_is_refused(app, client, auth, day, clock):
    session, people, organiser = day
    clock.set("2024-11-19T12:00:00+00:00")
    auth.login(organiser.email)
    page = _text(client.get(f"/checkin/sessions/{session.id}"))
    assert "Check-in is open on 20 November 2024 only" in page  # said before anyone taps
    r = client.post(f"/checkin/sessions/{session.id}/people/{people[0].id}/check-in")
    assert r.status_code == 409
    assert "today is 19 November 2024" in _text(r)
    r = client.post(f"/checkin/sessions/{session.id}/walk-in", data={"email": people[2].email})
    assert r.status_code == 409
    assert _log() == []
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 2


def test_frozen_now_is_ignored_outside_testing(app, client, auth, day, clock):
    session, people, organiser = day
    clock.set("2024-11-19T12:00:00+00:00")
    app.testing = False
    auth.login(organiser.email)
    page = _text(client.get(f"/checkin/sessions/{session.id}"))
    assert "Check-in is open on 20 November 2024 only" in page  # real today is years later
    assert "19 November 2024" not in page


def test_participant_qr_code_checks_them_in(app, client, auth, day):
    session, people, organiser = day
    code = qr_code_for(people[1], app.config["SECRET_KEY"])
    auth.login(organiser.email)
    r = client.post(f"/checkin/sessions/{session.id}/code", data={"code": f"  {code.lower()} "})
    assert r.status_code == 303
    assert _log() == [(people[1].id, "check_in", "qr")]


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("https://example.org/ticket/123", "This is not a meetingapp check-in code."),
        ("MTG1-1-000000000000000000000000", "not valid (unknown or altered)"),
        ("MTG1-999999-000000000000000000000000", "not valid (unknown or altered)"),
    ],
)
def test_unknown_or_foreign_codes_are_refused(client, auth, day, code, message):
    session, _, organiser = day
    auth.login(organiser.email)
    r = client.post(f"/checkin/sessions/{session.id}/code", data={"code": code})
    assert r.status_code == 409
    assert message in _text(r)
    assert _log() == []


def test_code_of_someone_not_registered_says_to_use_walk_in(app, client, auth, day):
    session, people, organiser = day
    auth.login(organiser.email)
    r = client.post(
        f"/checkin/sessions/{session.id}/code",
        data={"code": qr_code_for(people[3], app.config["SECRET_KEY"])},
    )
    assert r.status_code == 409
    assert "Person 3 is not confirmed" in _text(r) and "walk-in" in _text(r)
    assert _log() == []


def test_empty_code_is_a_form_error(client, auth, day):
    session, _, organiser = day
    auth.login(organiser.email)
    r = client.post(f"/checkin/sessions/{session.id}/code", data={"code": "  "})
    assert r.status_code == 422
    assert "Scan or paste a check-in code." in _text(r)


def test_walk_in_on_a_full_session_needs_the_override(client, auth, day):
    session, people, organiser = day
    auth.login(organiser.email)
    url = f"/checkin/sessions/{session.id}/walk-in"
    r = client.post(url, data={"email": people[2].email.upper()})
    assert r.status_code == 409
    assert "The session is full" in _text(r)
    assert _log() == []
    r = client.post(url, data={"email": people[2].email, "override": "y"})
    assert r.status_code == 303
    assert _log() == [(people[2].id, "check_in", "walk_in")]
    reg = db.session.scalar(select(Registration).where(Registration.user_id == people[2].id))
    assert reg.status == RegistrationStatus.CONFIRMED and reg.override


def test_walk_in_with_a_free_seat_registers_and_checks_in(client, auth, day):
    session, people, organiser = day
    db.session.get(EventSession, session.id).capacity = 5
    db.session.commit()
    auth.login(organiser.email)
    r = client.post(
        f"/checkin/sessions/{session.id}/walk-in",
        data={"email": people[3].email},
        follow_redirects=True,
    )
    assert f"Person 3 is registered for “{session.title}” and checked in (walk-in)." in _text(r)
    assert "1 of 3 present" in _text(r)


def test_walk_in_without_an_account_gets_one_and_is_checked_in(client, auth, day):
    session, people, organiser = day
    db.session.get(EventSession, session.id).capacity = 5
    db.session.commit()
    auth.login(organiser.email)
    r = client.post(
        f"/checkin/sessions/{session.id}/walk-in",
        data={"email": "new.face@example.org", "name": "New Face"},
        follow_redirects=True,
    )
    assert "New Face is registered for" in _text(r) and "1 of 3 present" in _text(r)
    newcomer = db.session.scalar(select(User).where(User.email == "new.face@example.org"))
    assert newcomer is not None and newcomer.name == "New Face"
    assert _log() == [(newcomer.id, "check_in", "walk_in")]


def test_walk_in_with_an_unknown_email_is_a_form_error(client, auth, day):
    session, _, organiser = day
    auth.login(organiser.email)
    r = client.post(f"/checkin/sessions/{session.id}/walk-in", data={"email": "nobody@example.org"})
    assert r.status_code == 422
    assert "No account has this e-mail address" in _text(r)
    r = client.post(f"/checkin/sessions/{session.id}/walk-in", data={"email": "not an address"})
    assert r.status_code == 422
    assert _log() == []


def test_participants_and_anonymous_cannot_check_anyone_in(client, auth, day):
    session, people, _ = day
    r = client.get(f"/checkin/sessions/{session.id}")
    assert r.status_code == 302 and "/auth/login" in r.headers["Location"]
    auth.login(people[0].email)
    assert client.get(f"/checkin/sessions/{session.id}").status_code == 403
    r = client.post(f"/checkin/sessions/{session.id}/people/{people[0].id}/check-in")
    assert r.status_code == 403
    assert (
        client.post(
            f"/checkin/sessions/{session.id}/walk-in", data={"email": people[0].email}
        ).status_code
        == 403
    )
    assert _log() == []


def test_a_training_days_part_leads_to_the_days_check_in(client, auth, day):
    session, _, organiser = day
    part = EventSession(
        event_id=session.event_id,
        parent=session,
        kind=SessionKind.PART,
        title="Morning",
        starts_at=START,
        ends_at=START + timedelta(hours=1),
    )
    db.session.add(part)
    db.session.commit()
    auth.login(organiser.email)
    r = client.get(f"/checkin/sessions/{part.id}")
    assert r.status_code == 302
    assert r.headers["Location"].endswith(f"/checkin/sessions/{session.id}")
    assert client.get("/checkin/sessions/999999").status_code == 404


def test_my_programme_shows_my_qr_code(app, client, auth, day):
    _, people, _ = day
    auth.login(people[0].email)
    r = client.get("/me/")
    body = r.get_data(as_text=True)
    assert qr_code_for(people[0], app.config["SECRET_KEY"]) in body
    assert '<svg role="img"' in body and "Your check-in code" in body


# --- speed networking: rounds and table hosts ------------------------------------------------


@pytest.fixture
def networking(app, clock):
    """Two rounds, tables a (hosted by ``host``) and b, four people seated by a published plan."""
    clock.set(ON_THE_DAY)
    org = factories.organisation("UNODA", "Office for Disarmament Affairs")
    session = factories.session(
        kind=SessionKind.SPEED_NETWORKING, title="Speed dating", starts_at=START, minutes=60
    )
    session.round_count = 2
    for n in range(2):
        session.rounds.append(
            NetworkingRound(
                number=n,
                starts_at=START + timedelta(minutes=25 * n),
                ends_at=START + timedelta(minutes=25 * n + 20),
            )
        )
    host = factories.user("host@example.org", name="Host A")
    table_a = TopicTable(session=session, code="a", topic="Space law", host_user=host, seats=4)
    table_b = TopicTable(session=session, code="b", topic="Space debris", seats=4)
    db.session.add_all([table_a, table_b])
    people = [factories.user(f"n{i}@example.org", org=org, name=f"Networker {i}") for i in range(4)]
    organiser = factories.organiser("boss@example.org")
    db.session.commit()
    for p in people:
        register_participant(user=p, session_id=session.id, now=SIGNED_UP, check_window=False)
    seats = [
        (0, table_a, people[:2]),
        (0, table_b, people[2:]),
        (1, table_b, people[:2]),
        (1, table_a, people[2:]),
    ]
    plan = RotationPlan(
        session_id=session.id,
        version=1,
        status="published",
        assignments=[
            RotationAssignment(round_number=r, table_id=t.id, user_id=p.id)
            for r, t, ps in seats
            for p in ps
        ],
    )
    db.session.add(plan)
    db.session.commit()
    return session, people, host, organiser


def test_host_sees_only_the_people_at_their_table_in_the_round(client, auth, networking):
    session, people, host, _ = networking
    auth.login(host.email)
    page = _text(client.get(f"/checkin/sessions/{session.id}?round=1"))
    assert "Networker 0" in page and "Networker 1" in page and "Networker 2" not in page
    assert "your table a in round 1" in page
    page = _text(client.get(f"/checkin/sessions/{session.id}?round=2"))
    assert "Networker 2" in page and "Networker 0" not in page


def test_host_checks_in_their_table_but_not_another(client, auth, networking):
    session, people, host, _ = networking
    auth.login(host.email)
    ok = client.post(
        f"/checkin/sessions/{session.id}/people/{people[0].id}/check-in", data={"round": "1"}
    )
    assert ok.status_code == 303 and "round=1" in ok.headers["Location"]
    refused = client.post(
        f"/checkin/sessions/{session.id}/people/{people[2].id}/check-in", data={"round": "1"}
    )
    assert refused.status_code == 403
    assert "their own table" in _text(refused)
    assert (
        client.post(
            f"/checkin/sessions/{session.id}/walk-in", data={"email": people[2].email, "round": "1"}
        ).status_code
        == 403
    )
    db.session.expire_all()
    assert list(db.session.execute(select(CheckIn.user_id, CheckIn.round_number)).tuples()) == [
        (people[0].id, 0)
    ]


def test_rounds_are_checked_in_separately(client, auth, networking):
    session, people, _, organiser = networking
    auth.login(organiser.email)
    url = f"/checkin/sessions/{session.id}/people/{people[0].id}/check-in"
    assert client.post(url, data={"round": "1"}).status_code == 303
    assert client.post(url, data={"round": "2"}).status_code == 303
    r = client.post(url, data={"round": "2"})
    assert r.status_code == 409 and "already checked in for round 2" in _text(r)
    page = _text(client.get(f"/checkin/sessions/{session.id}?round=2"))
    assert "1 of 4 present in round 2" in page and "table b" in page


def test_a_round_that_does_not_exist_is_a_bad_request(client, auth, networking):
    session, people, _, organiser = networking
    auth.login(organiser.email)
    assert client.get(f"/checkin/sessions/{session.id}?round=3").status_code == 400
    assert client.get(f"/checkin/sessions/{session.id}?round=x").status_code == 400
    r = client.post(
        f"/checkin/sessions/{session.id}/people/{people[0].id}/check-in", data={"round": "0"}
    )
    assert r.status_code == 400 and "Choose a round between 1 and 2." in _text(r)
    assert _log() == []


def test_the_round_under_way_is_chosen_by_default(app, client, auth, networking, clock):
    session, _, _, organiser = networking
    clock.set(START + timedelta(minutes=30))
    auth.login(organiser.email)
    page = client.get(f"/checkin/sessions/{session.id}").get_data(as_text=True)
    assert re.search(r'aria-current="page">Round 2', page)


def test_check_in_page_queries_do_not_grow_with_the_list(client, auth, day, count_queries):
    session, people, organiser = day
    auth.login(organiser.email)
    url = f"/checkin/sessions/{session.id}"
    # One of each kind of row first (present, expected, waiting), then many more of them.
    register_participant(user=people[2], session_id=session.id, now=SIGNED_UP, check_window=False)
    client.post(f"{url}/people/{people[0].id}/check-in")
    client.get(url)
    db.session.expire_all()  # as in a new request: nothing loaded yet
    with count_queries() as few:
        client.get(url)
    org = people[0].organisation
    more = [factories.user(f"w{i}@example.org", org=org, name=f"Waiting {i}") for i in range(6)]
    db.session.commit()
    for p in [people[3], *more]:  # the two seats are taken: all of them wait
        register_participant(user=p, session_id=session.id, now=SIGNED_UP, check_window=False)
    client.post(f"{url}/people/{people[1].id}/check-in")
    client.post(f"{url}/people/{people[1].id}/undo")
    db.session.expire_all()
    with count_queries() as many:
        body = client.get(url).get_data(as_text=True)
    assert many.count == few.count
    # Each row's buttons still act on their own person.
    assert f'action="{url}/people/{people[0].id}/undo"' in body
    assert f'action="{url}/people/{people[1].id}/check-in"' in body
    assert body.count(f'action="{url}/walk-in"') == 1 + 8  # the walk-in form, a "Let in" each
    assert 'name="email" value="w5@example.org"' in body
    text = _text(client.get(url))
    assert "Undo check-in of Person 0" in text and "Let in Waiting 5 past capacity" in text
