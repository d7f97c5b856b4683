"""Picks, planning, publishing, itineraries and host rosters on the demo's speed-dating session."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from meetingapp.extensions import db
from meetingapp.models import (
    Event,
    EventSession,
    Registration,
    RegistrationStatus,
    SessionKind,
    TopicTable,
)
from meetingapp.models.rotation import RotationAssignment
from meetingapp.rotation.queries import latest_plan
from tests import factories
from tests.text import page_text


def _text(response) -> str:
    return page_text(response)


pytestmark = pytest.mark.demo


@pytest.fixture
def speed(app, clock):
    """The 20th open informal meeting's speed dating, with the clock two days before it (so it can
    still be planned: a session in the past is history, not a plan)."""
    session = db.session.scalar(
        select(EventSession)
        .join(Event)
        .where(
            EventSession.kind == SessionKind.SPEED_NETWORKING,
            Event.title.like("%20th open informal%"),
        )
    )
    clock.set(session.starts_at - timedelta(days=2))
    return session


def _future(session):
    """Leave picks open until the session starts."""
    session.picks_deadline = session.starts_at
    db.session.commit()


def _login(client, app, email):
    client.post("/auth/logout")
    return client.post(
        "/auth/login", data={"email": email, "password": app.config["DEMO_PASSWORD"]}
    )


def test_participant_ranks_tables_and_organiser_sees_demand(app, client, speed):
    from sqlalchemy import delete

    from meetingapp.models import TablePick

    _future(speed)
    db.session.execute(delete(TablePick).where(TablePick.session_id == speed.id))  # start afresh
    db.session.commit()
    tables = {t.code: t.id for t in speed.tables}
    _login(client, app, "participant05@example.org")
    r = client.post(
        f"/rotation/sessions/{speed.id}/picks",
        data={"rank1": tables["g"], "rank2": tables["h"], "rank3": tables["a"]},
    )
    assert r.status_code in (302, 303)
    text = _text(client.get(f"/rotation/sessions/{speed.id}/picks"))
    assert re.search(r"1st choice g — Satellite imagery.*2nd choice h — .*3rd choice a — ", text), (
        text
    )  # the picks, in the order given
    _login(client, app, "organiser@example.org")
    text = _text(client.get(f"/rotation/sessions/{speed.id}"))
    assert re.search(r"g Satellite imagery acquisition and disaster management 8 1 1", text)


def test_picks_refuse_duplicates_and_unregistered_people(app, client, speed):
    _future(speed)
    t = speed.tables[0].id
    _login(client, app, "participant05@example.org")
    r = client.post(f"/rotation/sessions/{speed.id}/picks", data={"rank1": t, "rank2": t})
    assert r.status_code == 422 and "only once" in _text(r)
    _login(client, app, "participant55@example.org")  # not registered for the speed dating
    r = client.post(f"/rotation/sessions/{speed.id}/picks", data={"rank1": t})
    assert r.status_code == 403


def test_picks_after_the_deadline_are_refused(app, client, speed, clock):
    speed.picks_deadline = speed.starts_at - timedelta(days=1)
    db.session.commit()
    clock.set(speed.picks_deadline + timedelta(minutes=1))
    _login(client, app, "participant05@example.org")
    r = client.post(f"/rotation/sessions/{speed.id}/picks", data={"rank1": speed.tables[0].id})
    assert r.status_code == 422 and "deadline" in _text(r)


def test_planned_rotation_meets_the_seed_rules_and_reaches_itineraries(app, client, speed):
    _login(client, app, "organiser@example.org")
    r = client.post(f"/rotation/sessions/{speed.id}/plan", data={}, follow_redirects=True)
    assert "Rotation planned" in _text(r)
    plan = latest_plan(speed.id)
    by_person = defaultdict(list)
    per_cell = Counter()
    for a in plan.assignments:
        by_person[a.user_id].append(a.table_id)
        per_cell[(a.round_number, a.table_id)] += 1
    confirmed = db.session.scalars(
        select(Registration.user_id).where(
            Registration.session_id == speed.id, Registration.status == RegistrationStatus.CONFIRMED
        )
    ).all()
    assert set(by_person) == set(confirmed)
    assert all(len(set(tables)) == len(tables) == 4 for tables in by_person.values())
    assert max(per_cell.values()) <= 8
    client.post(f"/rotation/sessions/{speed.id}/publish")
    _login(client, app, "participant01@example.org")
    text = _text(client.get("/me/"))
    assert re.search(r"Round 1, 13:00 –13:20 CET \(UTC\+1\), table [a-k] — ", text)
    day = speed.starts_at.astimezone(ZoneInfo("Europe/Vienna")).strftime("%d %b %Y")
    assert f"Getting to know the UN: speed dating · {day}" in text  # which day, at a glance
    assert "Your table rotation" in text


def test_host_sees_own_roster_but_not_another_table(app, client, speed):
    _login(client, app, "organiser@example.org")
    client.post(f"/rotation/sessions/{speed.id}/plan")
    client.post(f"/rotation/sessions/{speed.id}/publish")
    table_a = db.session.scalar(select(TopicTable).where(TopicTable.code == "a"))
    table_b = db.session.scalar(select(TopicTable).where(TopicTable.code == "b"))
    _login(client, app, "host-a@example.org")
    text = _text(client.get(f"/rotation/tables/{table_a.id}/roster"))
    assert "Round 1 · 13:00–13:20" in text and "Participant" in text
    assert client.get(f"/rotation/tables/{table_b.id}/roster").status_code == 403
    _login(client, app, "participant01@example.org")
    assert client.get(f"/rotation/tables/{table_a.id}/roster").status_code == 403


def test_move_pins_a_seat_and_replanning_keeps_it_and_earlier_rounds(app, client, speed):
    _login(client, app, "organiser@example.org")
    client.post(f"/rotation/sessions/{speed.id}/plan")
    plan = latest_plan(speed.id)
    seat = next(a for a in plan.assignments if a.round_number == 2)
    mine = {a.table_id for a in plan.assignments if a.user_id == seat.user_id}
    target = next(t for t in speed.tables if t.id not in mine)
    full = sum(1 for a in plan.assignments if a.round_number == 2 and a.table_id == target.id)
    r = client.post(
        f"/rotation/sessions/{speed.id}/move",
        data={"participant": seat.user_id, "round_number": 2, "table": target.id},
        follow_redirects=True,
    )
    if full >= target.seats:
        assert "is full" in _text(r)
        return
    assert "Moved and pinned" in _text(r)
    round0 = {
        (a.user_id, a.table_id) for a in latest_plan(speed.id).assignments if a.round_number == 0
    }
    client.post(f"/rotation/sessions/{speed.id}/plan", data={"from_round": 1})
    new = latest_plan(speed.id)
    assert new.version == plan.version + 1
    assert {(a.user_id, a.table_id) for a in new.assignments if a.round_number == 0} == round0
    kept = db.session.scalar(
        select(RotationAssignment).where(
            RotationAssignment.plan_id == new.id,
            RotationAssignment.user_id == seat.user_id,
            RotationAssignment.round_number == 2,
        )
    )
    assert kept.table_id == target.id


def test_move_to_a_table_already_visited_is_refused(app, client, speed):
    _login(client, app, "organiser@example.org")
    client.post(f"/rotation/sessions/{speed.id}/plan")
    plan = latest_plan(speed.id)
    seat0 = next(a for a in plan.assignments if a.round_number == 0)
    seat1 = next(a for a in plan.assignments if a.round_number == 1 and a.user_id == seat0.user_id)
    r = client.post(
        f"/rotation/sessions/{speed.id}/move",
        data={"participant": seat0.user_id, "round_number": 1, "table": seat0.table_id},
        follow_redirects=True,
    )
    assert "already visit" in _text(r)
    db.session.expire_all()
    assert db.session.get(RotationAssignment, seat1.id).table_id == seat1.table_id


def test_too_many_participants_for_the_seats_says_why(app, client, speed):
    for t in speed.tables:
        t.seats = 2
        t.min_seats = 0
    db.session.commit()
    _login(client, app, "organiser@example.org")
    r = client.post(f"/rotation/sessions/{speed.id}/plan", follow_redirects=True)
    assert "No rotation is possible" in _text(r)
    assert "44 participants but 22 seats" in _text(r)


def test_printable_cards_list_every_table(app, client, speed):
    _login(client, app, "organiser@example.org")
    client.post(f"/rotation/sessions/{speed.id}/plan")
    text = _text(client.get(f"/rotation/sessions/{speed.id}/cards"))
    assert all(f"Table {c}" in text for c in "abcdefghijk")


def test_cards_and_planning_page_queries_do_not_grow_with_the_tables(
    app, client, speed, count_queries
):
    _login(client, app, "organiser@example.org")
    client.post(f"/rotation/sessions/{speed.id}/plan")
    pages = [f"/rotation/sessions/{speed.id}/cards", f"/rotation/sessions/{speed.id}"]

    def counts() -> list[int]:
        out = []
        for page in pages:
            db.session.expire_all()  # as in a new request: nothing loaded yet
            with count_queries() as counted:
                assert client.get(page).status_code == 200
            out.append(counted.count)
        return out

    def add_tables(numbers) -> None:  # each with its own host and entity
        for n in numbers:
            org = factories.organisation(f"XT{n}")
            host = factories.user(f"xhost{n}@example.org", name=f"Extra host {n}", org=org)
            speed.tables.append(
                TopicTable(code=f"x{n}", topic=f"Extra {n}", host_user=host, host_organisation=org)
            )
        db.session.commit()

    add_tables([0])
    before = counts()
    add_tables([1, 2, 3])
    assert counts() == before
    text = _text(client.get(pages[0]))
    assert "Table x2" in text and "Host: XT2 — Extra host 2" in text
