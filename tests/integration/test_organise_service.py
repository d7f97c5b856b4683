"""Organisers' use cases (organise/service.py, organise/sessions.py) on the database."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import func, select

from meetingapp.domain.capacity import CapacityBelowConfirmed
from meetingapp.domain.errors import PermissionDenied, ValidationFailed
from meetingapp.extensions import db
from meetingapp.models import (
    AuditEntry,
    Event,
    EventSession,
    Notification,
    OutboxMessage,
    RegistrationStatus,
    SessionKind,
)
from meetingapp.organise import service, sessions
from meetingapp.organise.mappers import EventData, SessionData, TableData
from meetingapp.registration import queries as reg_queries
from meetingapp.registration.service import register_participant
from tests import factories

NOW = datetime(2024, 10, 1, 12, 0, tzinfo=UTC)
DAY = date(2024, 11, 20)


def _event_data(**changes) -> EventData:
    values = dict(
        title="Spring session",
        city="Vienna",
        venue="VIC",
        timezone="Europe/Vienna",
        starts_on=DAY,
        ends_on=DAY,
    )
    return EventData(**(values | changes))


def _plenary(**changes) -> SessionData:
    values = dict(
        kind=SessionKind.MEETING,
        title="Plenary",
        day=DAY,
        start_time=time(13),
        end_time=time(14),
        capacity=1,
        room="M1",
    )
    return SessionData(**(values | changes))


@pytest.fixture
def organiser(app):
    person = factories.organiser("organiser@example.org")
    db.session.commit()
    return person


@pytest.fixture
def published(organiser):
    event = service.create_event(_event_data(published=True), actor=organiser, now=NOW)
    plenary = sessions.create_session(event.id, _plenary(), actor=organiser, now=NOW)
    return event, plenary


def _audit(action: str) -> list[str]:
    return list(db.session.scalars(select(AuditEntry.detail).where(AuditEntry.action == action)))


def test_participants_cannot_run_organiser_use_cases(app):
    person = factories.user()
    db.session.commit()
    with pytest.raises(PermissionDenied):
        service.create_event(_event_data(), actor=person, now=NOW)
    assert db.session.scalar(select(func.count()).select_from(Event)) == 0


def test_the_same_event_form_posted_twice_creates_one_event(organiser):
    first = service.create_event(_event_data(), actor=organiser, now=NOW)
    second = service.create_event(_event_data(), actor=organiser, now=NOW)
    assert first.id == second.id
    assert db.session.scalar(select(func.count()).select_from(Event)) == 1


def test_the_time_zone_is_fixed_once_sessions_are_scheduled(published, organiser):
    event, _ = published
    with pytest.raises(ValidationFailed, match="time zone cannot change"):
        service.update_event(
            event.id, _event_data(timezone="America/New_York"), actor=organiser, now=NOW
        )
    assert db.session.get(Event, event.id).timezone == "Europe/Vienna"


def test_raising_capacity_in_an_edit_promotes_and_is_audited_once(published, organiser):
    event, plenary = published
    people = [factories.user() for _ in range(3)]
    db.session.commit()
    for person in people:
        register_participant(user=person, session_id=plenary.id, now=NOW)
    saved = sessions.update_session(
        plenary.id, _plenary(capacity=3, title="Plenary, larger room"), actor=organiser, now=NOW
    )
    assert saved.session.title == "Plenary, larger room" and not saved.timing_changed
    assert reg_queries.confirmed_count(plenary.id) == 3
    assert _audit("capacity changed") == ["1 → 3; 2 promoted"]


def test_lowering_capacity_below_the_confirmed_refuses_the_whole_edit(published, organiser):
    _, plenary = published
    people = [factories.user() for _ in range(2)]
    db.session.commit()
    sessions.update_session(plenary.id, _plenary(capacity=2), actor=organiser, now=NOW)
    for person in people:
        register_participant(user=person, session_id=plenary.id, now=NOW)
    with pytest.raises(CapacityBelowConfirmed):
        sessions.update_session(
            plenary.id, _plenary(capacity=1, title="Renamed"), actor=organiser, now=NOW
        )
    db.session.expire_all()
    session = db.session.get(EventSession, plenary.id)
    assert (session.title, session.capacity) == ("Plenary", 2)  # one transaction: nothing kept


def test_moving_a_session_tells_the_confirmed_with_a_new_sequence(published, organiser):
    _, plenary = published
    person = factories.user()
    db.session.commit()
    register_participant(user=person, session_id=plenary.id, now=NOW)
    saved = sessions.update_session(
        plenary.id, _plenary(start_time=time(15), end_time=time(16)), actor=organiser, now=NOW
    )
    assert saved.timing_changed and saved.session.sequence == 1
    kinds = db.session.scalars(
        select(OutboxMessage.kind).where(OutboxMessage.to_address == person.email)
    ).all()
    assert kinds == ["confirmed", "session_changed"]


def test_a_double_booked_room_is_refused(published, organiser):
    event, _ = published
    with pytest.raises(ValidationFailed, match="M1"):
        sessions.create_session(
            event.id,
            _plenary(title="Side event", start_time=time(13, 30)),
            actor=organiser,
            now=NOW,
        )


def test_training_day_parts_stay_inside_their_day(published, organiser):
    event, _ = published
    day = sessions.create_session(
        event.id,
        _plenary(
            kind=SessionKind.TRAINING, title="Training", start_time=time(9), end_time=time(12)
        ),
        actor=organiser,
        now=NOW,
    )
    part = sessions.create_session(
        event.id,
        _plenary(title="Part 1", start_time=time(9), end_time=time(10), capacity=None),
        actor=organiser,
        now=NOW,
        parent_id=day.id,
    )
    assert part.kind == SessionKind.PART and part.parent_id == day.id
    with pytest.raises(ValidationFailed):
        sessions.create_session(
            event.id,
            _plenary(title="Late part", start_time=time(11), end_time=time(12, 30)),
            actor=organiser,
            now=NOW,
            parent_id=day.id,
        )


def test_cancelling_an_event_with_registrations_keeps_it_and_tells_each_person_once(
    published, organiser
):
    event, plenary = published
    people = [factories.user() for _ in range(2)]
    db.session.commit()
    for person in people:
        register_participant(user=person, session_id=plenary.id, now=NOW)  # one confirmed
    assert service.delete_or_cancel_event(event.id, actor=organiser, now=NOW) == "cancelled"
    assert service.delete_or_cancel_event(event.id, actor=organiser, now=NOW) == "cancelled"
    assert db.session.get(Event, event.id).is_cancelled
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 2
    cancellations = db.session.scalars(
        select(OutboxMessage.to_address).where(OutboxMessage.kind == "session_cancelled")
    ).all()
    assert cancellations == [people[0].email]
    statuses = {r.status for r in reg_queries.active_registrations_of_event(event.id)}
    assert statuses == {RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED}


def test_an_event_nobody_registered_for_is_deleted(organiser):
    event = service.create_event(_event_data(), actor=organiser, now=NOW)
    assert service.delete_or_cancel_event(event.id, actor=organiser, now=NOW) == "deleted"
    assert db.session.get(Event, event.id) is None
    assert _audit("event deleted") == [f"event {event.id}"]


def test_a_speed_networking_session_keeps_enough_tables_for_its_minimum(published, organiser):
    event, _ = published
    speed = sessions.create_session(
        event.id,
        _plenary(
            kind=SessionKind.SPEED_NETWORKING,
            title="Speed dating",
            start_time=time(15),
            end_time=time(16, 30),
            room="M2",
            capacity=None,
            round_count=3,
            round_minutes=20,
            move_minutes=5,
            min_tables=3,
        ),
        actor=organiser,
        now=NOW,
    )
    tables = [
        sessions.add_table(
            speed.id,
            TableData(code=c, topic=f"Topic {c}", host_organisation_id=None),
            actor=organiser,
            now=NOW,
        )
        for c in "abc"
    ]
    assert [r.number for r in db.session.get(EventSession, speed.id).rounds] == [0, 1, 2]
    with pytest.raises(ValidationFailed, match="keep at least 3 tables"):
        sessions.delete_table(tables[0].id, actor=organiser, now=NOW)
    with pytest.raises(ValidationFailed, match="already exists"):
        sessions.add_table(
            speed.id,
            TableData(code="A", topic="Again", host_organisation_id=None),
            actor=organiser,
            now=NOW,
        )
