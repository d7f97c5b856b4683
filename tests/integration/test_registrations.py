"""Registration, waitlist and promotion through the service, on both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from meetingapp.domain.capacity import AlreadyRegistered, CapacityBelowConfirmed, RegistrationClosed
from meetingapp.extensions import db
from meetingapp.models import Notification, Registration, RegistrationLog, RegistrationStatus
from meetingapp.registration import queries as reg_queries
from meetingapp.registration import service as svc
from tests import factories


@pytest.fixture
def full_session(app, now):
    session = factories.session(capacity=2)
    people = [factories.user() for _ in range(5)]
    db.session.commit()
    outcomes = [svc.register_participant(user=p, session_id=session.id, now=now) for p in people]
    return session, people, outcomes


def test_register_confirms_then_waitlists_with_positions(full_session):
    _, _, outcomes = full_session
    assert [o.status for o in outcomes] == [
        "confirmed",
        "confirmed",
        "waitlisted",
        "waitlisted",
        "waitlisted",
    ]
    assert [o.waitlist_position for o in outcomes] == [None, None, 1, 2, 3]


def test_register_twice_is_refused(full_session, now):
    session, people, _ = full_session
    with pytest.raises(AlreadyRegistered):
        svc.register_participant(user=people[0], session_id=session.id, now=now)


def test_database_refuses_a_second_active_registration(full_session, now):
    session, people, _ = full_session
    db.session.add(
        Registration(
            session_id=session.id,
            user_id=people[0].id,
            status=RegistrationStatus.WAITLISTED,
            waitlist_rank=99,
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_cancel_promotes_the_head_of_the_waitlist_and_notifies(full_session, now):
    session, people, _ = full_session
    promoted = svc.cancel_registration(user=people[0], session_id=session.id, now=now)
    assert promoted == [people[2].id]
    assert (
        reg_queries.active_registration(session.id, people[2].id).status
        == RegistrationStatus.CONFIRMED
    )
    assert (
        reg_queries.waitlist_position(reg_queries.active_registration(session.id, people[3].id))
        == 1
    )
    note = db.session.scalar(select(Notification).where(Notification.user_id == people[2].id))
    assert "A seat opened" in note.message


def test_cancelled_registration_is_kept_and_logged(full_session, now):
    session, people, _ = full_session
    svc.cancel_registration(user=people[0], session_id=session.id, now=now)
    rows = db.session.scalars(
        select(Registration).where(Registration.user_id == people[0].id)
    ).all()
    assert [r.status for r in rows] == [RegistrationStatus.CANCELLED]
    actions = db.session.scalars(select(RegistrationLog.action).order_by(RegistrationLog.id)).all()
    assert actions.count("register") == 5 and "cancel" in actions and "promote" in actions


def test_register_again_after_cancelling_is_allowed(full_session, now):
    session, people, _ = full_session
    svc.cancel_registration(user=people[4], session_id=session.id, now=now)
    outcome = svc.register_participant(user=people[4], session_id=session.id, now=now)
    assert outcome.status == "waitlisted" and outcome.waitlist_position == 3


def test_raising_capacity_promotes_as_many_as_fit(full_session, now):
    session, people, _ = full_session
    organiser = factories.organiser()
    db.session.commit()
    promoted = svc.change_capacity(session_id=session.id, new_capacity=4, now=now, actor=organiser)
    assert promoted == [people[2].id, people[3].id]


def test_lowering_capacity_below_confirmed_is_refused_and_nobody_unconfirmed(full_session, now):
    session, people, _ = full_session
    organiser = factories.organiser()
    db.session.commit()
    with pytest.raises(CapacityBelowConfirmed, match="2 people are already confirmed"):
        svc.change_capacity(session_id=session.id, new_capacity=1, now=now, actor=organiser)
    assert reg_queries.confirmed_count(session.id) == 2


def test_register_after_session_start_is_refused(app, now):
    session = factories.session(capacity=5)
    person = factories.user()
    db.session.commit()
    with pytest.raises(RegistrationClosed):
        svc.register_participant(
            user=person, session_id=session.id, now=session.starts_at + timedelta(minutes=1)
        )
