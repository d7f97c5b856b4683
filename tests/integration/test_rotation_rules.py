"""Organisers' seating rules (rotation/rules.py) in the plans rotation/service.py makes: who stays
at one table, pairs kept apart or together, the participant's own request, moves."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from itertools import combinations

import pytest
from sqlalchemy import select

from meetingapp.domain.errors import PermissionDenied, ValidationFailed
from meetingapp.domain.networking import round_times
from meetingapp.extensions import db
from meetingapp.models import NetworkingRound, SessionKind, TopicTable
from meetingapp.models.audit import AuditEntry
from meetingapp.models.rotation import RotationPair, SeatingNeed
from meetingapp.registration.service import cancel_registration, register_participant
from meetingapp.rotation import queries, rules, service
from tests import factories

NOW = datetime(2024, 10, 1, 12, 0, tzinfo=UTC)
START = datetime(2024, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def room(app):
    """Nine people confirmed for a three-round speed dating with four tables of three seats;
    each has picked three tables."""
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
    people = [factories.user(org=factories.organisation()) for _ in range(9)]
    outsider = factories.user()
    db.session.commit()
    ids = [t.id for t in tables]
    for n, person in enumerate(people):
        register_participant(user=person, session_id=speed.id, now=NOW)
        service.save_picks(
            user=person, session_id=speed.id, table_ids=(ids[n % 4 :] + ids[: n % 4])[:3], now=NOW
        )
    return speed, tables, people, outsider, organiser


def _set(room, *, stays=(), apart=(), together=()):
    speed, _, _, _, organiser = room
    return rules.save_seating_rules(
        session_id=speed.id,
        stays_at_one_table=[p.id for p in stays],
        apart=[(p.id, q.id) for p, q in apart],
        together=[(p.id, q.id) for p, q in together],
        actor=organiser,
        now=NOW,
    )


def _plan(room, **options):
    speed, _, _, _, organiser = room
    return service.plan_rotation(session_id=speed.id, actor=organiser, now=NOW, **options)


def _tables_by_person(plan) -> dict[int, list[int]]:
    by_person = defaultdict(list)
    for a in sorted(plan.assignments, key=lambda a: a.round_number):
        by_person[a.user_id].append(a.table_id)
    return by_person


def test_a_stayer_keeps_one_of_their_picks_in_every_round_and_the_others_still_move(room):
    speed, tables, people, _, _ = room
    stayer = people[4]
    assert len(set(_tables_by_person(_plan(room))[stayer.id])) == 3  # without the rule

    _set(room, stays=[stayer])
    plan = _plan(room)

    by_person = _tables_by_person(plan)
    assert len(by_person[stayer.id]) == 3 and len(set(by_person[stayer.id])) == 1
    assert by_person[stayer.id][0] in queries.my_picks(speed.id, stayer.id)
    assert all(len(set(t)) == 3 for uid, t in by_person.items() if uid != stayer.id)
    assert plan.stats["preference_score"] == plan.stats["optimal_preference_score"]
    assert plan.stats["seating_rules"] == {
        "stays_at_one_table": 1,
        "apart": 0,
        "together": 0,
        "honoured": True,
    }


def test_an_apart_pair_never_shares_a_table_and_a_together_pair_shares_every_round(room):
    _, _, people, _, _ = room
    control = _tables_by_person(_plan(room))
    pairs = list(combinations(people, 2))
    # Rules chosen against the plan without them: a pair that met, a pair that did not always.
    apart = next((p, q) for p, q in pairs if any(map(int.__eq__, control[p.id], control[q.id])))
    together = next(
        (p, q) for p, q in pairs if {p, q}.isdisjoint(apart) and control[p.id] != control[q.id]
    )

    _set(room, apart=[apart], together=[together])
    plan = _plan(room)

    by_person = _tables_by_person(plan)
    p, q = apart
    assert all(a != b for a, b in zip(by_person[p.id], by_person[q.id], strict=True))
    r, s = together
    assert by_person[r.id] == by_person[s.id] and len(set(by_person[r.id])) == 3
    assert plan.stats["seating_rules"]["honoured"] is True
    assert plan.stats["preference_score"] == plan.stats["optimal_preference_score"]


def test_rules_about_someone_no_longer_confirmed_are_kept_but_left_out_of_planning(room):
    speed, _, people, _, _ = room
    _set(room, stays=[people[0]], apart=[(people[0], people[1])])
    cancel_registration(user=people[0], session_id=speed.id, now=NOW)

    plan = _plan(room)

    assert people[0].id not in _tables_by_person(plan)
    assert plan.stats["seating_rules"]["stays_at_one_table"] == 0
    assert queries.stored_rules(speed.id).stays_at_one_table == (people[0].id,)
    # Saving the set again keeps them; naming them anew is refused.
    _set(room, stays=[people[0]], apart=[(people[0], people[1])])
    with pytest.raises(ValidationFailed, match="not confirmed"):
        _set(room, stays=[people[0]], apart=[(people[0], people[1])], together=[people[:2]])


def test_a_pair_both_apart_and_together_or_of_one_person_or_listed_twice_is_refused(room):
    _, _, people, outsider, _ = room
    a, b, c = people[:3]
    with pytest.raises(ValidationFailed, match="both apart and together"):
        _set(room, apart=[(a, b)], together=[(b, a)])
    with pytest.raises(ValidationFailed, match="two different people"):
        _set(room, apart=[(a, a)])
    with pytest.raises(ValidationFailed, match="already kept apart"):
        _set(room, apart=[(a, b), (b, a)])
    with pytest.raises(ValidationFailed, match=f"{outsider.name} is not confirmed"):
        _set(room, together=[(c, outsider)])
    assert not queries.stored_rules(room[0].id)


def test_rules_that_contradict_each_other_are_refused_with_the_peoples_names(room):
    _, _, people, _, _ = room
    a, b, c, d = people[:4]
    # Four people joined by together pairs, tables of three.
    with pytest.raises(ValidationFailed) as refused:
        _set(room, together=[(a, b), (b, c), (c, d)])
    message = str(refused.value)
    assert message.startswith("No rotation is possible: participants ")
    assert all(p.name in message for p in (a, b, c, d)) and "no table seats 4" in message
    # Kept apart but joined through another person.
    with pytest.raises(ValidationFailed, match=f"{a.name} and {c.name} must be kept apart"):
        _set(room, apart=[(a, c)], together=[(a, b), (b, c)])


def test_rules_the_room_cannot_meet_are_refused_when_planning_with_the_reason(room):
    speed, _, people, _, _ = room
    # Five people pairwise apart, four tables: someone would share a table in every round.
    _set(room, apart=list(combinations(people[:5], 2)))
    with pytest.raises(service.RotationInfeasible, match="^No rotation is possible: "):
        _plan(room)
    assert queries.latest_plan(speed.id) is None


def test_a_change_from_apart_to_together_replaces_the_pair(room):
    speed, _, people, _, organiser = room
    a, b = people[:2]
    _set(room, apart=[(a, b)])
    _set(room, together=[(b, a)])
    stored = db.session.scalars(select(RotationPair).where(RotationPair.session_id == speed.id))
    assert [(p.kind, p.first_user_id, p.second_user_id) for p in stored] == [
        ("together", *sorted((a.id, b.id)))
    ]
    trail = db.session.scalars(
        select(AuditEntry.detail).where(AuditEntry.action == "rotation seating rules changed")
    ).all()
    assert trail[-1] == f"apart: -{a.name} & {b.name}; together: +{a.name} & {b.name}"


def test_only_organisers_set_the_rules(room):
    speed, _, people, _, _ = room
    with pytest.raises(PermissionDenied):
        rules.save_seating_rules(
            session_id=speed.id,
            stays_at_one_table=[people[0].id],
            apart=[],
            together=[],
            actor=people[0],
            now=NOW,
        )


def test_a_participant_asks_to_stay_and_takes_it_back_until_the_deadline(room):
    speed, _, people, outsider, _ = room
    me = people[2]
    assert rules.set_own_seating_need(user=me, session_id=speed.id, stays=True, now=NOW)
    need = queries.own_seating_need(speed.id, me.id)
    assert need.asked_themselves and need.asked_by_id == me.id
    assert not rules.set_own_seating_need(user=me, session_id=speed.id, stays=False, now=NOW)
    assert queries.own_seating_need(speed.id, me.id) is None
    with pytest.raises(PermissionDenied):
        rules.set_own_seating_need(user=outsider, session_id=speed.id, stays=True, now=NOW)
    with pytest.raises(ValidationFailed, match="deadline"):
        rules.set_own_seating_need(
            user=me, session_id=speed.id, stays=True, now=speed.picks_deadline
        )


def test_a_participant_cannot_lift_what_an_organiser_marked(room):
    speed, _, people, _, _ = room
    me = people[2]
    _set(room, stays=[me])
    with pytest.raises(rules.SeatingNeedKept):
        rules.set_own_seating_need(user=me, session_id=speed.id, stays=False, now=NOW)
    assert not queries.own_seating_need(speed.id, me.id).asked_themselves
    assert db.session.scalar(select(SeatingNeed.user_id)) == me.id


def test_moving_a_stayer_moves_them_in_every_round(room):
    speed, tables, people, _, organiser = room
    for t in tables:
        t.seats = 9  # room everywhere: the move is about the rounds, not the seats
    db.session.commit()
    stayer = people[0]
    _set(room, stays=[stayer])
    plan = _plan(room)
    target = next(t for t in tables if t.id != _tables_by_person(plan)[stayer.id][0])

    service.move_participant(
        plan_id=plan.id, user_id=stayer.id, round_number=1, table_id=target.id, actor=organiser
    )

    db.session.expire_all()
    moved = [a for a in queries.latest_plan(speed.id).assignments if a.user_id == stayer.id]
    assert {a.table_id for a in moved} == {target.id} and all(a.pinned for a in moved)


def test_moving_one_of_a_together_pair_alone_or_next_to_their_rival_is_refused(room):
    _, _, people, _, organiser = room
    a, b, c = people[:3]
    _set(room, apart=[(a, c)], together=[(a, b)])
    plan = _plan(room)
    with pytest.raises(ValidationFailed, match=f"sit with {b.name} in every round"):
        service.move_participant(
            plan_id=plan.id,
            user_id=a.id,
            round_number=0,
            table_id=next(x.table_id for x in plan.assignments if x.user_id == c.id),
            actor=organiser,
        )
    seats = {(x.user_id, x.round_number): x.table_id for x in plan.assignments}
    # c next to a: refused, whatever the room at that table.
    with pytest.raises(ValidationFailed, match=f"kept apart from {a.name}"):
        service.move_participant(
            plan_id=plan.id,
            user_id=c.id,
            round_number=0,
            table_id=seats[a.id, 0],
            actor=organiser,
        )
