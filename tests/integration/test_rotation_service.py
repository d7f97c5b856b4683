"""Table picks and rotation plans (rotation/service.py, rotation/queries.py) on the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from meetingapp.domain.errors import PermissionDenied, ValidationFailed
from meetingapp.domain.networking import round_times
from meetingapp.extensions import db
from meetingapp.models import NetworkingRound, Notification, OutboxMessage, SessionKind, TopicTable
from meetingapp.models.rotation import RotationPlan
from meetingapp.registration.service import register_participant
from meetingapp.rotation import queries, service
from tests import factories

NOW = datetime(2024, 10, 1, 12, 0, tzinfo=UTC)
START = datetime(2024, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def room(app):
    """Six people confirmed for a three-round speed dating with four tables of three seats."""
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
    outsider = factories.user()
    db.session.commit()
    for person in people:
        register_participant(user=person, session_id=speed.id, now=NOW)
    return speed, tables, people, outsider, organiser


def test_picks_are_ranked_replaced_and_checked(room):
    speed, tables, people, outsider, _ = room
    ids = [t.id for t in tables]
    assert service.save_picks(user=people[0], session_id=speed.id, table_ids=ids[:3], now=NOW)
    service.save_picks(user=people[0], session_id=speed.id, table_ids=[ids[3], ids[0]], now=NOW)
    assert queries.my_picks(speed.id, people[0].id) == [ids[3], ids[0]]
    with pytest.raises(ValidationFailed, match="only once"):
        service.save_picks(user=people[0], session_id=speed.id, table_ids=[ids[0]] * 2, now=NOW)
    with pytest.raises(ValidationFailed, match="at most 3"):
        service.save_picks(user=people[0], session_id=speed.id, table_ids=ids, now=NOW)
    with pytest.raises(PermissionDenied):
        service.save_picks(user=outsider, session_id=speed.id, table_ids=ids[:1], now=NOW)
    with pytest.raises(ValidationFailed, match="deadline"):
        service.save_picks(
            user=people[1], session_id=speed.id, table_ids=ids[:1], now=speed.picks_deadline
        )
    assert [d.first for d in queries.demand(speed)] == [0, 0, 0, 1]


def test_a_plan_seats_everyone_once_per_round_at_distinct_tables(room):
    speed, _, people, _, organiser = room
    plan = service.plan_rotation(session_id=speed.id, actor=organiser, now=NOW)
    assert plan.status == "draft" and plan.version == 1
    seats = {(a.user_id, a.round_number): a.table_id for a in plan.assignments}
    assert len(seats) == 6 * 3
    for person in people:
        assert len({seats[(person.id, r)] for r in range(3)}) == 3
    for r in range(3):
        per_table = [
            sum(1 for (u, rr), t in seats.items() if rr == r and t == tid)
            for tid in {*seats.values()}
        ]
        assert max(per_table) <= 3
    assert plan.stats["preference_score"] == plan.stats["optimal_preference_score"]


def test_replanning_from_a_round_keeps_the_rounds_before_it(room):
    speed, _, _, _, organiser = room
    first = service.plan_rotation(session_id=speed.id, actor=organiser, now=NOW)
    kept = {(a.user_id, a.table_id) for a in first.assignments if a.round_number == 0}
    second = service.plan_rotation(session_id=speed.id, actor=organiser, now=NOW, from_round=1)
    assert {(a.user_id, a.table_id) for a in second.assignments if a.round_number == 0} == kept
    assert db.session.get(RotationPlan, first.id).status == "superseded"
    assert second.version == 2


def test_moving_someone_pins_them_and_a_full_table_is_refused(room):
    speed, tables, _, _, organiser = room
    plan = service.plan_rotation(session_id=speed.id, actor=organiser, now=NOW)
    spare = TopicTable(session_id=speed.id, code="e", topic="Added late", seats=3)
    db.session.add(spare)
    db.session.commit()
    first, second = sorted({a.user_id for a in plan.assignments})[:2]
    service.move_participant(
        plan_id=plan.id, user_id=first, round_number=0, table_id=spare.id, actor=organiser
    )
    moved = next(a for a in plan.assignments if a.user_id == first and a.round_number == 0)
    assert (moved.table_id, moved.pinned) == (spare.id, True)
    spare.seats = 1
    db.session.commit()
    with pytest.raises(ValidationFailed, match="full"):
        service.move_participant(
            plan_id=plan.id, user_id=second, round_number=0, table_id=spare.id, actor=organiser
        )


def test_publishing_notifies_everyone_and_mails_their_rounds(room):
    speed, _, people, _, organiser = room
    plan = service.plan_rotation(session_id=speed.id, actor=organiser, now=NOW)
    service.publish_plan(plan_id=plan.id, actor=organiser, now=NOW)
    assert queries.latest_plan(speed.id, published_only=True).id == plan.id
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 6
    mails = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "rotation_published")
    ).all()
    assert len(mails) == 6 and {m.ics_method for m in mails} == {"PUBLISH"}
    stops = queries.itinerary_for(people[0].id)
    assert [s.round_number for s in stops] == [0, 1, 2]


def test_hosts_see_only_their_tables_people_from_the_published_plan(room):
    speed, tables, _, _, organiser = room
    host = factories.user()
    tables[0].host_user_id = host.id
    db.session.commit()
    plan = service.plan_rotation(session_id=speed.id, actor=organiser, now=NOW)
    assert queries.hosted_seats(speed, host.id, 0) == set()  # a draft is not what people saw
    service.publish_plan(plan_id=plan.id, actor=organiser, now=NOW)
    expected = {
        a.user_id for a in plan.assignments if a.round_number == 0 and a.table_id == tables[0].id
    }
    assert queries.hosted_seats(speed, host.id, 0) == expected
    _, by_round = queries.roster_for_table(tables[0].id, host)
    assert {u.id for u in by_round[0]} == expected
    with pytest.raises(PermissionDenied):
        queries.roster_for_table(tables[1].id, host)
