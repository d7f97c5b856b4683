"""Check-in service rules that views rely on: refusals change nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from meetingapp.checkin import queries as checkin_queries
from meetingapp.checkin import service as checkin
from meetingapp.domain.attendance import CheckInRefused
from meetingapp.extensions import db
from meetingapp.models import CheckIn, Registration
from meetingapp.registration import queries as reg_queries
from meetingapp.registration import service as registrations
from tests import factories


@pytest.fixture
def full_session(app, now):
    session = factories.session(capacity=1, starts_at=now + timedelta(hours=2))
    seated, walker = factories.user(), factories.user()
    organiser = factories.organiser()
    db.session.commit()
    registrations.register_participant(user=seated, session_id=session.id, now=now)
    return session, walker, organiser


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_walk_in_to_a_full_session_without_override_writes_nothing(full_session, now):
    session, walker, organiser = full_session
    before = (_count(Registration), _count(CheckIn))
    with pytest.raises(CheckInRefused, match="full"):
        checkin.walk_in(session_id=session.id, user=walker, actor=organiser, now=now)
    assert (_count(Registration), _count(CheckIn)) == before


def test_walk_in_with_override_registers_and_checks_in(full_session, now):
    session, walker, organiser = full_session
    entry = checkin.walk_in(
        session_id=session.id, user=walker, actor=organiser, now=now, override=True
    )
    assert entry.method == "walk_in"
    assert reg_queries.confirmed_count(session.id) == 2


def test_walk_in_on_another_day_is_refused(full_session, now):
    session, walker, organiser = full_session
    with pytest.raises(CheckInRefused, match="session's day"):
        checkin.walk_in(
            session_id=session.id,
            user=walker,
            actor=organiser,
            now=now - timedelta(days=3),
            override=True,
        )
    assert reg_queries.active_registration(session.id, walker.id) is None


def test_undo_for_a_training_part_applies_to_the_day(app, now):
    from meetingapp.models import EventSession, SessionKind

    day = factories.session(
        kind=SessionKind.TRAINING, capacity=5, starts_at=now + timedelta(hours=1), minutes=480
    )
    part = EventSession(
        event_id=day.event_id,
        parent_id=day.id,
        kind=SessionKind.PART,
        title="Part 1",
        starts_at=day.starts_at,
        ends_at=day.starts_at + timedelta(hours=1),
    )
    person, organiser = factories.user(), factories.organiser()
    db.session.add(part)
    db.session.commit()
    registrations.register_participant(user=person, session_id=day.id, now=now)
    checkin.check_in(session_id=part.id, user_id=person.id, actor=organiser, now=now)
    checkin.undo_check_in(session_id=part.id, user_id=person.id, actor=organiser, now=now)
    assert checkin_queries.presence_for_sessions([day.id])[day.id] == []
