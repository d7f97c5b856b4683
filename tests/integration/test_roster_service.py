"""The roster's use cases and reads, on both databases: moving to the waitlist, bulk actions (one
unit, one lock, all or nothing), adding a person, and one page of 2,000 registrations."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from meetingapp.domain.capacity import AlreadyRegistered, NotRegistrable
from meetingapp.domain.errors import PermissionDenied, ValidationFailed
from meetingapp.extensions import db
from meetingapp.models import (
    AuditEntry,
    OutboxMessage,
    Registration,
    RegistrationLog,
    User,
)
from meetingapp.registration import people as people_svc
from meetingapp.registration import queries as reg_queries
from meetingapp.registration import service as svc
from meetingapp.registration.roster import RosterFilter, bulk_preview, roster_page, roster_rows
from tests import factories
from tests.crowd import seed_crowd


@pytest.fixture
def full(app, now):
    """Capacity 2: Person 0 and 1 confirmed, 2 and 3 waiting; an organiser."""
    session = factories.session(capacity=2, title="Training day")
    org = factories.organisation("DESA", "Economic and Social Affairs")
    people = [factories.user(f"p{i}@example.org", name=f"Person {i}", org=org) for i in range(4)]
    organiser = factories.organiser("boss@example.org")
    db.session.commit()
    regs = [svc.register_participant(user=p, session_id=session.id, now=now) for p in people]
    return session, people, [r.registration_id for r in regs], organiser


def _status(registration_id: int) -> str:
    db.session.expire_all()
    return db.session.get(Registration, registration_id).status.value


def _waiting_users(session_id: int) -> list[int]:
    db.session.expire_all()
    return [r.user_id for r in reg_queries.waitlist_for(session_id)]


def _outbox(kind: str) -> list[str]:
    return list(
        db.session.scalars(
            select(OutboxMessage.to_address)
            .where(OutboxMessage.kind == kind)
            .order_by(OutboxMessage.id)
        )
    )


# --- moving to the waitlist ---------------------------------------------------------------------


def test_moving_to_the_waitlist_sends_the_person_to_the_end_and_the_head_takes_the_seat(full, now):
    session, people, regs, organiser = full
    outcome = svc.move_to_waitlist(
        session_id=session.id, registration_ids=[regs[0]], now=now, actor=organiser
    )
    assert outcome.changed == ("Person 0",) and outcome.promoted == ("Person 2",)
    assert _waiting_users(session.id) == [people[3].id, people[0].id]
    assert _status(regs[2]) == "confirmed"
    log = db.session.scalar(
        select(RegistrationLog).where(
            RegistrationLog.registration_id == regs[0], RegistrationLog.action == "move_to_waitlist"
        )
    )
    assert (log.from_status, log.to_status, log.actor_id) == (
        "confirmed",
        "waitlisted",
        organiser.id,
    )
    moved = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.kind == "moved_to_waitlist")
    )
    assert moved.to_address == "p0@example.org" and moved.ics_method == "CANCEL"
    assert "number 2" in moved.body_text
    assert _outbox("promoted") == ["p2@example.org"]
    audit = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "moved to the waitlist")
    ).all()
    assert (
        len(audit) == 1 and "p0@example.org" in audit[0].detail and "1 promoted" in audit[0].detail
    )


def test_moving_when_nobody_else_waits_is_refused_and_changes_nothing(app, now):
    session = factories.session(capacity=3)
    people = [factories.user() for _ in range(2)]
    organiser = factories.organiser()
    db.session.commit()
    regs = [svc.register_participant(user=p, session_id=session.id, now=now) for p in people]
    before = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    with pytest.raises(NotRegistrable, match="Nobody else is waiting"):
        svc.move_to_waitlist(
            session_id=session.id,
            registration_ids=[r.registration_id for r in regs],
            now=now,
            actor=organiser,
        )
    assert {_status(r.registration_id) for r in regs} == {"confirmed"}
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == before
    assert not db.session.scalars(select(AuditEntry)).all()


def test_moving_several_keeps_their_confirmation_order_behind_those_already_waiting(full, now):
    session, people, regs, organiser = full
    outcome = svc.move_to_waitlist(
        session_id=session.id,
        registration_ids=[regs[1], regs[0], regs[2]],
        now=now,
        actor=organiser,
    )
    assert outcome.skipped == 1  # Person 2 was waiting, not confirmed
    assert set(outcome.promoted) == {"Person 2", "Person 3"}
    assert _waiting_users(session.id) == [people[0].id, people[1].id]


def test_moving_past_capacity_frees_no_seat(full, now):
    session, people, regs, organiser = full
    svc.confirm_with_override(registration_id=regs[2], now=now, actor=organiser)  # 3 of 2 seats
    outcome = svc.move_to_waitlist(
        session_id=session.id, registration_ids=[regs[0]], now=now, actor=organiser
    )
    assert outcome.promoted == ()
    assert _waiting_users(session.id) == [people[3].id, people[0].id]


# --- bulk actions: one unit of work each --------------------------------------------------------


def test_bulk_remove_promotes_once_per_freed_seat_and_audits_once(full, now):
    session, people, regs, organiser = full
    outcome = svc.remove_registrations(
        session_id=session.id, registration_ids=[regs[0], regs[3]], now=now, actor=organiser
    )
    assert set(outcome.changed) == {"Person 0", "Person 3"} and outcome.promoted == ("Person 2",)
    assert [_status(r) for r in regs] == ["cancelled", "confirmed", "confirmed", "cancelled"]
    assert sorted(_outbox("cancelled")) == ["p0@example.org", "p3@example.org"]
    audit = db.session.scalars(select(AuditEntry)).all()
    assert [a.action for a in audit] == ["registrations removed"]
    assert "2: " in audit[0].detail and "1 promoted" in audit[0].detail


def test_bulk_actions_run_in_one_transaction(full, now):
    session, people, regs, organiser = full
    db.session.commit()
    session_id = session.id
    db.session.rollback()  # end the read that loading the id began: only the use case commits
    commits = []
    count_commit = commits.append  # one bound method: remove() finds it by identity
    sa_event.listen(db.engine, "commit", count_commit)
    try:
        svc.remove_registrations(
            session_id=session_id, registration_ids=regs, now=now, actor=organiser
        )
    finally:
        sa_event.remove(db.engine, "commit", count_commit)
    assert len(commits) == 1
    assert {_status(r) for r in regs} == {"cancelled"}


def test_a_refused_bulk_action_leaves_everyone_as_they_were(app, now):
    session = factories.session(capacity=None)
    people = [factories.user() for _ in range(3)]
    organiser = factories.organiser()
    db.session.commit()
    regs = [
        svc.register_participant(user=p, session_id=session.id, now=now).registration_id
        for p in people
    ]
    with pytest.raises(NotRegistrable):
        svc.move_to_waitlist(session_id=session.id, registration_ids=regs, now=now, actor=organiser)
    assert [_status(r) for r in regs] == ["confirmed"] * 3
    assert not db.session.scalars(
        select(RegistrationLog).where(RegistrationLog.action == "move_to_waitlist")
    ).all()


def test_bulk_confirm_overrides_the_waitlisted_and_skips_the_rest(full, now):
    session, people, regs, organiser = full
    outcome = svc.confirm_past_capacity(
        session_id=session.id, registration_ids=regs, now=now, actor=organiser
    )
    assert outcome.changed == ("Person 2", "Person 3") and outcome.skipped == 2
    db.session.expire_all()
    assert all(db.session.get(Registration, r).override for r in regs[2:])
    assert reg_queries.confirmed_count(session.id) == 4
    assert len(db.session.scalars(select(AuditEntry)).all()) == 1


def test_bulk_actions_ignore_registrations_of_other_sessions(full, now):
    session, people, regs, organiser = full
    other = factories.session(capacity=5, title="Other")
    db.session.commit()
    elsewhere = svc.register_participant(user=people[0], session_id=other.id, now=now)
    outcome = svc.remove_registrations(
        session_id=session.id,
        registration_ids=[elsewhere.registration_id],
        now=now,
        actor=organiser,
    )
    assert outcome.changed == () and _status(elsewhere.registration_id) == "confirmed"


def test_only_organisers_run_bulk_actions(full, now):
    session, people, regs, _ = full
    for run in (svc.remove_registrations, svc.move_to_waitlist, svc.confirm_past_capacity):
        with pytest.raises(PermissionDenied):
            run(session_id=session.id, registration_ids=regs, now=now, actor=people[0])
    assert [_status(r) for r in regs] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]


def test_bulk_preview_says_where_the_seats_go(full, now):
    session, people, regs, organiser = full
    removing = bulk_preview(session.id, "remove", [regs[0], regs[1], regs[3]])
    assert len(removing.applicable) == 3 and removing.seats_to_waitlist == 1
    # Both confirmed to the waitlist: the two waiting take their seats (the waiting chosen are
    # skipped, they are on the waitlist already).
    moving = bulk_preview(session.id, "waitlist", regs)
    assert len(moving.applicable) == 2 and moving.skipped == 2 and not moving.refused
    assert moving.seats_to_waitlist == 2
    # With one person waiting, the second seat would go straight back to a person moved.
    svc.remove_registrations(
        session_id=session.id, registration_ids=[regs[3]], now=now, actor=organiser
    )
    assert bulk_preview(session.id, "waitlist", regs[:2]).refused
    assert not bulk_preview(session.id, "waitlist", [regs[0]]).refused


# --- adding a person ----------------------------------------------------------------------------


def test_adding_an_existing_account_registers_it(full, now):
    session, people, regs, organiser = full
    svc.cancel_registration(user=people[1], session_id=session.id, now=now)
    added = people_svc.add_person(
        session_id=session.id,
        email=" P1@Example.org ",
        name="",
        organisation_id=None,
        now=now,
        actor=organiser,
    )
    assert not added.created and added.name == "Person 1"
    assert added.outcome.status == "waitlisted" and added.outcome.waitlist_position == 2


def test_adding_a_new_person_creates_their_account_with_the_entity(full, now):
    session, people, regs, organiser = full
    entity = people[0].organisation_id
    added = people_svc.add_person(
        session_id=session.id,
        email="ana.silva@example.org",
        name="  Ana   Silva ",
        organisation_id=entity,
        now=now,
        actor=organiser,
    )
    assert added.created and added.outcome.status == "waitlisted"
    user = db.session.scalar(select(User).where(User.email == "ana.silva@example.org"))
    assert (user.name, user.organisation_id) == ("Ana Silva", entity)
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "participant added"))
    assert "ana.silva@example.org (new account), waitlisted" == audit.detail


@pytest.mark.parametrize(
    ("email", "name", "entity", "field"),
    [
        ("not-an-address", "Ana", True, "email"),
        ("new@example.org", "", True, "name"),
        ("new@example.org", "Ana", False, "organisation"),
    ],
)
def test_adding_a_new_person_needs_a_valid_address_a_name_and_an_entity(
    full, now, email, name, entity, field
):
    session, people, regs, organiser = full
    with pytest.raises(ValidationFailed) as refused:
        people_svc.add_person(
            session_id=session.id,
            email=email,
            name=name,
            organisation_id=people[0].organisation_id if entity else None,
            now=now,
            actor=organiser,
        )
    assert refused.value.field == field
    assert db.session.scalar(select(User).where(User.email == "new@example.org")) is None


def test_adding_someone_already_registered_is_refused(full, now):
    session, people, regs, organiser = full
    with pytest.raises(AlreadyRegistered):
        people_svc.add_person(
            session_id=session.id,
            email="p0@example.org",
            name="",
            organisation_id=None,
            now=now,
            actor=organiser,
        )


# --- the roster read at 2,000 -------------------------------------------------------------------


@pytest.fixture
def crowd(app, now):
    session = factories.session(capacity=1500, title="Plenary")
    db.session.commit()
    return session, seed_crowd(session.id, 2000, confirmed=1500, cancelled=100, now=now)


def test_roster_page_filters_searches_sorts_and_pages_in_sql(crowd):
    session, people = crowd
    everyone = roster_page(session.id, RosterFilter(status="all"))
    assert everyone.total == 2000 and len(everyone.rows) == 50 and everyone.pages == 40
    assert everyone.counts == {"confirmed": 1500, "waitlisted": 400, "cancelled": 100}
    assert everyone.rows[0].status == "confirmed"
    entity_id, short = people.entities[0]
    mine = roster_page(session.id, RosterFilter(entity=entity_id, status="all", per_page=200))
    assert mine.total == 200 and {r.entity for r in mine.rows} == {short}
    found = roster_page(session.id, RosterFilter(q="crowd0042@", status="all"))
    assert [r.email for r in found.rows] == ["crowd0042@example.org"]
    by_word = roster_page(session.id, RosterFilter(q="müller CRWD3", status="all", per_page=200))
    assert by_word.total and all("Müller" in r.name and r.entity == "CRWD3" for r in by_word.rows)
    waiting = roster_page(session.id, RosterFilter(status="waitlisted", page=2))
    assert [r.position for r in waiting.rows] == list(range(51, 101))
    by_name = roster_page(session.id, RosterFilter(sort="name", status="all"))
    assert all(r.name.startswith("Amina ") for r in by_name.rows)  # the first of the names
    last = roster_page(session.id, RosterFilter(status="all", page=999))
    assert last.filter.page == 40 and len(last.rows) == 50


def test_search_is_literal_and_matches_entity_names(crowd):
    session, people = crowd
    assert roster_page(session.id, RosterFilter(q="%", status="all")).total == 0
    assert roster_page(session.id, RosterFilter(q="_", status="all")).total == 0
    assert roster_page(session.id, RosterFilter(q="crowd entity 1", status="all")).total > 0


def test_export_rows_are_exactly_the_filtered_rows_on_every_page(crowd):
    session, people = crowd
    chosen = RosterFilter(entity=people.entities[0][0], status="active", per_page=50)
    rows = list(roster_rows(session.id, chosen))
    assert len(rows) == roster_page(session.id, chosen).total == 190
    assert all(r.status != "cancelled" for r in rows)


def test_roster_page_is_a_constant_number_of_queries(crowd, count_queries):
    # Its speed at 2,000 people is a benchmark's (benchmarks/bench_pages.py), not a test's.
    session, people = crowd
    counts = []
    for chosen in (
        RosterFilter(status="all", sort="status", page=20),
        RosterFilter(q="silva", status="all", sort="name", page=2),
        RosterFilter(status="waitlisted", sort="entity", page=1),
    ):
        roster_page(session.id, chosen)  # warm up
        with count_queries() as counted:
            roster_page(session.id, chosen)
        counts.append(counted.count)
    assert max(counts) <= 5


def test_a_page_of_the_roster_ignores_nonsense_in_the_query_string():
    chosen = RosterFilter.from_args(
        {
            "status": "nope",
            "sort": "DROP",
            "page": "-3",
            "per_page": "7",
            "entity": "²",
            "q": "  a  b ",
        }
    )
    assert chosen == RosterFilter(q="a b")
    assert RosterFilter(q="x", page=2).args() == {"q": "x", "page": 2}


def test_moving_the_head_of_a_long_waitlist_keeps_positions_dense(crowd, now):
    session, people = crowd
    organiser = factories.organiser()
    db.session.commit()
    confirmed = people.registration_ids[:3]
    outcome = svc.move_to_waitlist(
        session_id=session.id,
        registration_ids=confirmed,
        now=now + timedelta(hours=1),
        actor=organiser,
    )
    assert len(outcome.changed) == 3 and len(outcome.promoted) == 3
    waiting = roster_page(session.id, RosterFilter(status="waitlisted", per_page=200, page=2))
    assert [r.position for r in waiting.rows] == list(range(201, 401))
    assert [r.registration_id for r in waiting.rows[-3:]] == confirmed
