"""Seating rules on the pages: a participant asks to stay at one table on the picks page, the
organiser adds and removes rules on the planning page, plans and publishes, and My programme
shows the stayer's one table; the planning page says when a rule cannot be met."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest

from meetingapp.domain.networking import round_times
from meetingapp.extensions import db
from meetingapp.models import NetworkingRound, SessionKind, TopicTable
from meetingapp.registration.service import register_participant
from meetingapp.rotation import queries, rules, service
from tests import factories
from tests.text import page_text

NOW = datetime(2024, 10, 1, 12, 0, tzinfo=UTC)
START = datetime(2024, 11, 20, 12, 0, tzinfo=UTC)


def _text(response) -> str:
    return page_text(response)


@pytest.fixture
def room(app, clock):
    """Six people confirmed for a three-round speed dating (four tables of three seats), each
    with three picks; the clock before the picks deadline."""
    clock.set(NOW)
    organiser = factories.organiser("organiser@example.org")
    speed = factories.session(
        kind=SessionKind.SPEED_NETWORKING, title="Speed dating", starts_at=START, minutes=90
    )
    speed.round_count, speed.round_minutes, speed.move_minutes = 3, 20, 5
    speed.min_tables, speed.max_picks = 3, 3
    speed.picks_deadline = START - timedelta(days=1)
    speed.rounds = [
        NetworkingRound(number=n, starts_at=s, ends_at=e)
        for n, (s, e) in enumerate(round_times(START, 3, 20, 5))
    ]
    tables = [TopicTable(session_id=speed.id, code=c, topic=f"Topic {c}", seats=3) for c in "abcd"]
    db.session.add_all(tables)
    people = [
        factories.user(f"p{n}@example.org", name=f"Person {n}", org=factories.organisation())
        for n in range(6)
    ]
    db.session.commit()
    ids = [t.id for t in tables]
    for n, person in enumerate(people):
        register_participant(user=person, session_id=speed.id, now=NOW)
        service.save_picks(
            user=person, session_id=speed.id, table_ids=(ids[n % 4 :] + ids[: n % 4])[:3], now=NOW
        )
    return speed, tables, people, organiser


def _seats(session_id: int) -> dict[int, list[int]]:
    db.session.expire_all()
    by_person = defaultdict(list)
    plan = queries.latest_plan(session_id)
    for a in sorted(plan.assignments, key=lambda a: a.round_number):
        by_person[a.user_id].append(a.table_id)
    return by_person


def test_a_participant_who_asks_to_stay_keeps_one_table_on_my_programme(client, auth, room):
    speed, tables, people, organiser = room
    me = people[3]
    auth.login(me.email)
    picks = f"/rotation/sessions/{speed.id}/picks"
    assert "I need to stay at one table" in _text(client.get(picks))

    r = client.post(f"/rotation/sessions/{speed.id}/seating-need", data={"stays": "yes"})
    assert r.status_code == 303
    text = _text(client.get(picks))
    assert "You stay at one table in every round; the organisers see that you asked." in text
    assert "I can move between tables" in text

    auth.logout()
    auth.login(organiser.email)
    plan_page = f"/rotation/sessions/{speed.id}"
    assert re.search(
        r"Stays at one table .* Person 3 ORG\d+ asked themselves", _text(client.get(plan_page))
    )
    client.post(f"/rotation/sessions/{speed.id}/plan")
    client.post(f"/rotation/sessions/{speed.id}/publish")
    assert "1 person stays at one table: all honoured" in _text(client.get(plan_page))
    (kept,) = set(_seats(speed.id)[me.id])
    code = db.session.get(TopicTable, kept).code

    auth.logout()
    auth.login(me.email)
    for page in ("/me/", "/me/itinerary"):
        text = _text(client.get(page))
        assert re.findall(r"Round (\d), \d\d:\d\d", text) == ["1", "2", "3"], page
        assert re.findall(r"table ([a-d]) — Topic", text) == [code] * 3, page


def test_the_organiser_adds_and_removes_rules_on_the_planning_page(client, auth, room):
    speed, _, people, organiser = room
    a, b, c, d, e = people[:5]
    auth.login(organiser.email)
    rules_url = f"/rotation/sessions/{speed.id}/rules"

    said = [
        client.post(
            rules_url, data={"op": "stay", "stay-participant": e.id}, follow_redirects=True
        ),
        client.post(
            rules_url,
            data={"op": "pair", "pair-first": a.id, "pair-second": b.id, "pair-kind": "apart"},
            follow_redirects=True,
        ),
        client.post(
            rules_url,
            data={"op": "pair", "pair-first": d.id, "pair-second": c.id, "pair-kind": "together"},
            follow_redirects=True,
        ),
    ]
    assert "Person 4 stays at one table in every round." in _text(said[0])
    assert "Person 0 and Person 1 are kept apart: never at one table." in _text(said[1])
    page = _text(said[2])
    assert "Person 3 and Person 2 sit together in every round." in page
    assert re.search(r"Person 4 ORG\d+ marked by ", page)
    assert "Person 0 & Person 1 kept apart" in page and "Person 2 & Person 3 together" in page

    r = client.post(f"/rotation/sessions/{speed.id}/plan", follow_redirects=True)
    assert (
        "1 person stays at one table; 1 pair kept apart; 1 pair together: all honoured." in _text(r)
    )
    seats = _seats(speed.id)
    assert len(set(seats[e.id])) == 1
    assert all(x != y for x, y in zip(seats[a.id], seats[b.id], strict=True))
    assert seats[c.id] == seats[d.id]

    first, second = sorted((a.id, b.id))
    r = client.post(rules_url, data={"op": f"unpair:apart:{first}:{second}"}, follow_redirects=True)
    assert "The pair Person 0 and Person 1 is removed." in _text(r)
    r = client.post(rules_url, data={"op": f"unstay:{e.id}"}, follow_redirects=True)
    assert "Person 4 moves between tables again." in _text(r)
    assert "Nobody stays at one table: everyone moves." in _text(r)
    left = queries.stored_rules(speed.id)
    assert (left.stays_at_one_table, left.apart, left.together) == (
        (),
        (),
        (tuple(sorted((c.id, d.id))),),
    )


def test_the_planning_page_says_when_a_rule_cannot_be_met(client, auth, room):
    speed, _, people, organiser = room
    a, b, c, d = people[:4]
    auth.login(organiser.email)
    rules_url = f"/rotation/sessions/{speed.id}/rules"
    for first, second in ((a, b), (b, c), (c, d)):
        r = client.post(
            rules_url,
            data={
                "op": "pair",
                "pair-first": first.id,
                "pair-second": second.id,
                "pair-kind": "together",
            },
            follow_redirects=True,
        )
    # Tables of three: the third pair would join four people.
    assert (
        "No rotation is possible: participants Person 0, Person 1, Person 2, Person 3 must "
        "sit together but no table seats 4" in _text(r)
    )
    assert len(queries.stored_rules(speed.id).together) == 2

    # Five people pairwise apart at four tables: accepted, but no plan can meet it.
    rules.save_seating_rules(
        session_id=speed.id,
        stays_at_one_table=[],
        apart=[(p.id, q.id) for i, p in enumerate(people[:5]) for q in people[i + 1 : 5]],
        together=[],
        actor=organiser,
        now=NOW,
    )
    r = client.post(f"/rotation/sessions/{speed.id}/plan", follow_redirects=True)
    assert "No rotation is possible: the pinned assignments and rules cannot be completed" in _text(
        r
    )
    assert queries.latest_plan(speed.id) is None


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"op": "drop everything"},
        {"op": "stay"},
        {"op": "stay", "stay-participant": "someone"},
        {"op": "pair", "pair-first": "1", "pair-second": "2", "pair-kind": "sideways"},
        {"op": "unstay:x"},
        {"op": "unpair:beside:1:2"},
    ],
)
def test_malformed_rule_forms_answer_400(client, auth, room, data):
    speed, _, _, organiser = room
    auth.login(organiser.email)
    assert client.post(f"/rotation/sessions/{speed.id}/rules", data=data).status_code == 400
    assert not queries.stored_rules(speed.id)


def test_a_pair_of_one_person_is_refused_with_a_message(client, auth, room):
    speed, _, people, organiser = room
    auth.login(organiser.email)
    r = client.post(
        f"/rotation/sessions/{speed.id}/rules",
        data={
            "op": "pair",
            "pair-first": people[0].id,
            "pair-second": people[0].id,
            "pair-kind": "apart",
        },
        follow_redirects=True,
    )
    assert r.status_code == 200 and "A pair needs two different people." in _text(r)


def test_participants_cannot_set_rules_and_need_a_confirmed_seat_to_ask(client, auth, room):
    speed, _, people, _ = room
    auth.login(people[0].email)
    r = client.post(
        f"/rotation/sessions/{speed.id}/rules",
        data={"op": "stay", "stay-participant": people[0].id},
    )
    assert r.status_code == 403
    assert (
        client.post(
            f"/rotation/sessions/{speed.id}/seating-need", data={"stays": "maybe"}
        ).status_code
        == 400
    )
    auth.logout()
    stranger = factories.user("stranger@example.org")
    db.session.commit()
    auth.login(stranger.email)
    r = client.post(f"/rotation/sessions/{speed.id}/seating-need", data={"stays": "yes"})
    assert r.status_code == 403 and "Register for the session" in _text(r)
    assert queries.own_seating_need(speed.id, stranger.id) is None


def test_after_the_deadline_the_picks_page_sends_participants_to_the_organisers(
    client, auth, room, clock
):
    speed, _, people, _ = room
    clock.set(speed.picks_deadline + timedelta(minutes=1))
    auth.login(people[0].email)
    text = _text(client.get(f"/rotation/sessions/{speed.id}/picks"))
    assert "if you need to stay at one table, ask the organisers" in text
    assert "I need to stay at one table" not in text
    r = client.post(f"/rotation/sessions/{speed.id}/seating-need", data={"stays": "yes"})
    assert r.status_code == 422 and "deadline" in _text(r)
