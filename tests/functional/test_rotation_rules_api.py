"""The seating rules' API: ``GET``/``PUT /api/v1/sessions/{id}/rotation/constraints`` (organisers:
the whole set) and ``GET``/``PUT /api/v1/sessions/{id}/seating-needs`` (a participant's own
request to stay at one table), and the plan the API makes with them."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest

from meetingapp.api import tokens as api_tokens
from meetingapp.domain.networking import round_times
from meetingapp.extensions import db
from meetingapp.models import NetworkingRound, SessionKind, TopicTable
from meetingapp.registration.service import register_participant
from meetingapp.rotation import service
from tests import factories

NOW = datetime(2024, 10, 1, 12, 0, tzinfo=UTC)
START = datetime(2024, 11, 20, 12, 0, tzinfo=UTC)
EMPTY = {"stays_at_one_table": [], "apart": [], "together": [], "asked_themselves": []}


class Room:
    def __init__(self, speed, people, organiser, stranger):
        self.speed, self.people, self.organiser, self.stranger = speed, people, organiser, stranger
        self.secrets = {
            u.id: api_tokens.issue_token(user=u, name="test", now=NOW).secret
            for u in (*people, organiser, stranger)
        }
        db.session.commit()
        self.constraints = f"/api/v1/sessions/{speed.id}/rotation/constraints"
        self.needs = f"/api/v1/sessions/{speed.id}/seating-needs"

    def headers(self, user) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secrets[user.id]}"}


@pytest.fixture
def room(app, clock):
    """Six people confirmed for a three-round speed dating at four tables of three seats."""
    clock.set(NOW)
    organiser = factories.organiser()
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
    people = [factories.user(org=factories.organisation()) for _ in range(6)]
    stranger = factories.user()
    db.session.commit()
    ids = [t.id for t in tables]
    for n, person in enumerate(people):
        register_participant(user=person, session_id=speed.id, now=NOW)
        service.save_picks(
            user=person, session_id=speed.id, table_ids=(ids[n % 4 :] + ids[: n % 4])[:3], now=NOW
        )
    return Room(speed, people, organiser, stranger)


def _put(client, room, body, user=None):
    return client.put(room.constraints, json=body, headers=room.headers(user or room.organiser))


def test_constraints_are_replaced_whole_and_read_back_with_pairs_lower_id_first(client, room):
    a, b, c, d, e, _ = room.people
    assert client.get(room.constraints, headers=room.headers(room.organiser)).get_json() == EMPTY
    client.put(room.needs, json={"stays_at_one_table": True}, headers=room.headers(c))

    r = _put(
        client,
        room,
        {
            "stays_at_one_table": [e.id, c.id],
            "apart": [[b.id, a.id]],
            "together": [[d.id, c.id]],
        },
    )

    want = {
        "stays_at_one_table": sorted([c.id, e.id]),
        "apart": [sorted([a.id, b.id])],
        "together": [sorted([c.id, d.id])],
        "asked_themselves": [c.id],
    }
    assert (r.status_code, r.get_json()) == (200, want)
    assert client.get(room.constraints, headers=room.headers(room.organiser)).get_json() == want
    r = _put(client, room, {"stays_at_one_table": [], "apart": [], "together": []})
    assert r.get_json() == EMPTY


def test_a_plan_made_through_the_api_keeps_the_constraints(client, room):
    a, b, c, d, e, _ = room.people
    _put(
        client,
        room,
        {"stays_at_one_table": [e.id], "apart": [[a.id, b.id]], "together": [[c.id, d.id]]},
    )
    r = client.post(
        f"/api/v1/sessions/{room.speed.id}/rotation", headers=room.headers(room.organiser)
    )
    assert r.status_code == 201
    body = r.get_json()
    seats = defaultdict(dict)
    for s in body["assignments"]:
        seats[s["participant_id"]][s["round"]] = s["table_id"]
    assert len(set(seats[e.id].values())) == 1 and len(seats[e.id]) == 3
    assert all(seats[a.id][n] != seats[b.id][n] for n in (1, 2, 3))
    assert seats[c.id] == seats[d.id]
    assert body["stats"]["seating_rules"] == {
        "stays_at_one_table": 1,
        "apart": 1,
        "together": 1,
        "honoured": True,
    }


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"apart": [[0, 0]]}, "apart", "A pair needs two different people."),
        ({"apart": [[0, 1], [1, 0]]}, "apart", "are already kept apart"),
        ({"apart": [[0, 1]], "together": [[1, 0]]}, "together", "both apart and together"),
        ({"stays_at_one_table": ["stranger"]}, "stays_at_one_table", "is not confirmed"),
        ({"together": [[0, 1], [1, 2], [2, 3]]}, "together", "must sit together but no table"),
    ],
)
def test_constraints_that_break_a_rule_answer_422_naming_the_field(
    client, room, body, field, message
):
    def ids(value):
        if isinstance(value, list):
            return [ids(v) for v in value]
        return room.stranger.id if value == "stranger" else room.people[value].id

    full = {"stays_at_one_table": [], "apart": [], "together": []}
    full.update({k: ids(v) for k, v in body.items()})
    r = _put(client, room, full)
    assert r.status_code == 422
    error = r.get_json()["error"]
    assert error["code"] == "invalid" and set(error["fields"]) == {field}
    assert message in error["fields"][field]
    assert client.get(room.constraints, headers=room.headers(room.organiser)).get_json() == EMPTY


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"apart": [[1, 2, 3]], "stays_at_one_table": [], "together": []}, 422),
        ({"apart": [], "together": []}, 422),  # the whole set, every key
        ({"apart": [], "together": [], "stays_at_one_table": [], "moves": False}, 422),
        ({"apart": "1,2", "together": [], "stays_at_one_table": []}, 400),
        ({"apart": [], "together": [], "stays_at_one_table": ["7"]}, 400),
    ],
)
def test_malformed_constraints_answer_4xx(client, room, body, status):
    r = _put(client, room, body)
    assert r.status_code == status and r.get_json()["error"]["code"]


def test_constraints_are_for_organisers_of_a_session_that_exists(client, room):
    participant = room.people[0]
    assert client.get(room.constraints, headers=room.headers(participant)).status_code == 403
    body = {"stays_at_one_table": [participant.id], "apart": [], "together": []}
    assert _put(client, room, body, participant).status_code == 403
    assert client.get(room.constraints).status_code == 401
    unknown = "/api/v1/sessions/999999/rotation/constraints"
    assert client.get(unknown, headers=room.headers(room.organiser)).status_code == 404
    assert client.put(unknown, json=body, headers=room.headers(room.organiser)).status_code == 404


def test_a_participant_asks_to_stay_and_takes_it_back(client, room):
    me = room.people[1]
    get = client.get(room.needs, headers=room.headers(me))
    assert get.get_json() == {"stays_at_one_table": False, "marked_by_organiser": False}
    r = client.put(room.needs, json={"stays_at_one_table": True}, headers=room.headers(me))
    assert r.get_json() == {"stays_at_one_table": True, "marked_by_organiser": False}
    r = client.put(room.needs, json={"stays_at_one_table": False}, headers=room.headers(me))
    assert r.get_json() == {"stays_at_one_table": False, "marked_by_organiser": False}


def test_a_participant_cannot_lift_an_organisers_mark(client, room):
    me = room.people[1]
    _put(client, room, {"stays_at_one_table": [me.id], "apart": [], "together": []})
    get = client.get(room.needs, headers=room.headers(me))
    assert get.get_json() == {"stays_at_one_table": True, "marked_by_organiser": True}
    r = client.put(room.needs, json={"stays_at_one_table": False}, headers=room.headers(me))
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "seating_need_kept"
    r = client.put(room.needs, json={"stays_at_one_table": True}, headers=room.headers(me))
    assert r.status_code == 200  # asking again for what is already so changes nothing
    assert client.get(room.needs, headers=room.headers(me)).get_json()["marked_by_organiser"]


def test_seating_needs_refuse_strangers_late_requests_and_wrong_types(client, room, clock):
    stranger = room.stranger
    r = client.put(room.needs, json={"stays_at_one_table": True}, headers=room.headers(stranger))
    assert r.status_code == 403
    me = room.people[0]
    r = client.put(room.needs, json={"stays_at_one_table": "yes"}, headers=room.headers(me))
    assert r.status_code == 400
    assert client.put(room.needs, json={}, headers=room.headers(me)).status_code == 422
    assert client.get(room.needs).status_code == 401
    unknown = "/api/v1/sessions/999999/seating-needs"
    assert client.get(unknown, headers=room.headers(me)).status_code == 404
    clock.set(room.speed.picks_deadline)
    r = client.put(room.needs, json={"stays_at_one_table": True}, headers=room.headers(me))
    assert r.status_code == 422 and "deadline" in r.get_json()["error"]["message"]
