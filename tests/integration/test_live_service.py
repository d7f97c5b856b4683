"""Running a session on the day (live/service.py): absences, re-plans and walk-ins."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from meetingapp.checkin.service import check_in
from meetingapp.domain.errors import PermissionDenied
from meetingapp.domain.live import LiveConflict
from meetingapp.extensions import db
from meetingapp.live import service
from meetingapp.models import AuditEntry
from meetingapp.rotation.queries import latest_plan
from tests import factories
from tests.live_world import START, live_world


@pytest.fixture
def world(app):
    return live_world()


def _seats(session_id: int) -> dict[tuple[int, int], int]:
    plan = latest_plan(session_id, published_only=True)
    return {(a.user_id, a.round_number): a.table_id for a in plan.assignments}


def _in_round_two(world) -> None:
    service.perform(session_id=world.session.id, action="start", actor=world.organiser, now=START)
    service.snapshot(world.session.id, START + timedelta(minutes=30))  # round 2 is under way


def test_no_shows_marked_in_round_two_are_left_out_of_rounds_three_and_four(world):
    _in_round_two(world)
    before = _seats(world.session.id)
    gone = world.people[:2]
    for person in gone:
        service.mark_absent(
            session_id=world.session.id,
            user_id=person.id,
            round_number=1,
            absent=True,
            actor=world.organiser,
            now=START,
        )
    done = service.replan_remaining(
        session_id=world.session.id, actor=world.organiser, now=START + timedelta(minutes=30)
    )
    after = _seats(world.session.id)
    assert done.from_round == 2 and done.plan.status == "published"
    played = {k: v for k, v in before.items() if k[1] < 2}
    assert {k: after[k] for k in played} == played  # rounds 1 and 2 stay as played
    for person in gone:
        assert {r for (u, r) in after if u == person.id} == {0, 1}
    for person in world.people[2:]:
        assert {r for (u, r) in after if u == person.id} == {0, 1, 2, 3}
        assert len({after[(person.id, r)] for r in range(4)}) == 4  # still four different tables
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert actions.count("live: absent") == 2 and "live: re-planned" in actions


def test_a_replan_after_the_last_round_began_is_refused(world):
    service.perform(session_id=world.session.id, action="start", actor=world.organiser, now=START)
    service.snapshot(world.session.id, START + timedelta(minutes=75))
    with pytest.raises(LiveConflict):
        service.replan_remaining(
            session_id=world.session.id, actor=world.organiser, now=START + timedelta(minutes=75)
        )


def test_absences_can_be_taken_from_the_check_in_of_the_round(world):
    _in_round_two(world)
    seated = [u for (u, r) in _seats(world.session.id) if r == 1]
    for user_id in seated[:-3]:
        check_in(
            session_id=world.session.id,
            user_id=user_id,
            actor=world.organiser,
            now=START + timedelta(minutes=25),
            round_number=1,
            enforce_day=False,
        )
    marked = service.absences_from_check_in(
        session_id=world.session.id, round_number=1, actor=world.organiser, now=START
    )
    assert marked == 3 and set(service.absent_ids(world.session.id)) == set(seated[-3:])


def test_a_host_marks_absent_only_the_people_at_their_table(world):
    seats = _seats(world.session.id)
    busy = 0
    table_a = next(t for (_u, r), t in sorted(seats.items()) if r == busy)
    for table in world.tables:  # the host leads a table with people in round 1
        table.host_user_id = world.host.id if table.id == table_a else None
    db.session.commit()
    at_a = [u for (u, r), t in seats.items() if r == busy and t == table_a]
    elsewhere = [u for (u, r), t in seats.items() if r == busy and t != table_a]
    service.mark_absent(
        session_id=world.session.id,
        user_id=at_a[0],
        round_number=busy,
        absent=True,
        actor=world.host,
        now=START,
    )
    with pytest.raises(PermissionDenied):
        service.mark_absent(
            session_id=world.session.id,
            user_id=elsewhere[0],
            round_number=busy,
            absent=True,
            actor=world.host,
            now=START,
        )
    assert set(service.absent_ids(world.session.id)) == {at_a[0]}


def test_a_walk_in_gets_free_seats_of_the_rounds_left_and_nobody_else_moves(world):
    _in_round_two(world)
    before = _seats(world.session.id)
    newcomer = factories.user(name="Wanda Walk-in")
    db.session.commit()
    done = service.seat_walk_in(
        session_id=world.session.id, user=newcomer, actor=world.organiser, now=START
    )
    after = _seats(world.session.id)
    assert done.moved == [newcomer.id]
    assert {r for (u, r) in after if u == newcomer.id} == {2, 3}
    assert {k: v for k, v in after.items() if k[0] != newcomer.id} == before


def test_participants_cannot_run_the_session(world):
    with pytest.raises(PermissionDenied):
        service.perform(
            session_id=world.session.id, action="start", actor=world.people[0], now=START
        )


def test_a_live_replan_keeps_the_organisers_seating_rules(world):
    from meetingapp.rotation.rules import save_seating_rules
    from meetingapp.rotation.service import plan_rotation, publish_plan

    stayer, rival, other = world.people[2], world.people[3], world.people[4]
    before_day = START - timedelta(hours=1)
    save_seating_rules(
        session_id=world.session.id,
        stays_at_one_table=[stayer.id],
        apart=[[rival.id, other.id]],
        together=[],
        actor=world.organiser,
        now=before_day,
    )
    plan = plan_rotation(session_id=world.session.id, actor=world.organiser, now=before_day)
    publish_plan(plan_id=plan.id, actor=world.organiser, now=before_day)
    _in_round_two(world)
    for person in world.people[:2]:
        service.mark_absent(
            session_id=world.session.id,
            user_id=person.id,
            round_number=1,
            absent=True,
            actor=world.organiser,
            now=START,
        )
    service.replan_remaining(
        session_id=world.session.id, actor=world.organiser, now=START + timedelta(minutes=30)
    )
    after = _seats(world.session.id)
    assert len({after[(stayer.id, r)] for r in range(4)}) == 1  # one table in every round
    assert all(after[(rival.id, r)] != after[(other.id, r)] for r in range(4))
