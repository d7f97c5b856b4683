"""Attendance reports (reports/queries.py) on the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from meetingapp.checkin.service import check_in
from meetingapp.domain.errors import NotFound
from meetingapp.extensions import db
from meetingapp.models import SessionKind
from meetingapp.registration.service import cancel_registration, register_participant
from meetingapp.reports.queries import event_report, session_report
from tests import factories

NOW = datetime(2024, 10, 1, 12, 0, tzinfo=UTC)
START = datetime(2024, 10, 28, 13, 30, tzinfo=UTC)


@pytest.fixture
def training_day(app):
    """A training day for three seats: DESA ×2 and DPO ×1 confirmed, a DPO colleague waiting,
    and a DESA colleague who left the waitlist."""
    organiser = factories.organiser()
    event = factories.event(title="UN-Space", timezone="America/New_York", starts_on=START.date())
    day = factories.session(
        event, kind=SessionKind.TRAINING, capacity=3, title="Training day", starts_at=START
    )
    part = factories.session(event, kind=SessionKind.PART, title="Part 1", starts_at=START)
    part.parent_id = day.id
    desa = factories.organisation("DESA", "Economic and Social Affairs")
    dpo = factories.organisation("DPO", "Peace Operations")
    people = [factories.user(org=o) for o in (desa, desa, dpo, dpo, desa)]
    db.session.commit()
    for person in people:
        register_participant(user=person, session_id=day.id, now=NOW)
    cancel_registration(user=people[4], session_id=day.id, now=NOW)  # the waitlist moves up
    return event, day, part, people, organiser


def test_a_session_report_counts_registered_attended_and_no_shows(training_day):
    _, day, _, people, organiser = training_day
    for person in people[:3]:
        check_in(
            session_id=day.id, user_id=person.id, actor=organiser, now=START, enforce_day=False
        )
    report = session_report(day.id)
    c = report.counts
    assert (c.registered, c.waitlisted, c.cancelled, c.attended, c.no_shows) == (3, 1, 1, 3, 0)
    assert [(e.entity, e.counts.attended) for e in report.by_entity] == [("DESA", 2), ("DPO", 1)]
    assert report.paragraph == (
        "A total of 3 participants benefited from the training; they came from the following "
        "United Nations offices and entities: Economic and Social Affairs; and Peace Operations."
    )


def test_a_part_reports_as_its_training_day_and_a_break_has_no_report(training_day):
    event, day, part, _, _ = training_day
    assert session_report(part.id).session.id == day.id
    pause = factories.session(event, kind=SessionKind.BREAK, starts_at=START + timedelta(hours=3))
    db.session.commit()
    with pytest.raises(NotFound):
        session_report(pause.id)


def test_an_event_report_lists_each_entity_once_across_sessions(training_day):
    event, day, _, people, organiser = training_day
    check_in(session_id=day.id, user_id=people[0].id, actor=organiser, now=START, enforce_day=False)
    report = event_report(event.id)
    rows = {r.entity: (r.registered, r.attended) for r in report.entities}
    assert rows == {"DESA": (2, 1), "DPO": (1, 0)}
