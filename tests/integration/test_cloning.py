"""Cloning an event to new dates keeps local wall-clock times, also across DST changes."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from meetingapp.domain.errors import ValidationFailed
from meetingapp.domain.timezones import local_to_utc, utc_to_local
from meetingapp.extensions import db
from meetingapp.models import CheckIn, Event, Registration, SessionKind, TablePick
from meetingapp.models.rotation import RotationPlan
from meetingapp.organise.cloning import clone_event
from tests import factories

pytestmark = pytest.mark.demo
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def _event(part):
    return db.session.scalar(select(Event).where(Event.title.like(f"%{part}%")))


def _count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_clone_keeps_0930_local_across_the_dst_change(app):
    source = _event("43rd session")
    copy = clone_event(
        event_id=source.id,
        title="UN-Space, 45th session",
        starts_on=date(2025, 12, 1),
        actor=factories.organiser(),
        now=NOW,
    )
    training = next(s for s in copy.sessions if s.kind == SessionKind.TRAINING)
    local = utc_to_local(training.starts_at, "America/New_York")
    assert (local.date(), local.strftime("%H:%M")) == (date(2025, 12, 1), "09:30")
    assert training.starts_at.strftime("%H:%M") == "14:30"  # EST now, was 13:30Z in EDT
    assert [p.title for p in training.parts] == [
        p.title for p in next(s for s in source.sessions if s.kind == SessionKind.TRAINING).parts
    ]
    assert copy.ends_on == date(2025, 12, 4) and not copy.published


def test_clone_copies_tables_rounds_agenda_but_no_people(app):
    source = _event("20th open informal")
    copy = clone_event(
        event_id=source.id,
        title="Speed dating 2027",
        starts_on=date(2027, 6, 16),
        actor=factories.organiser(),
        now=NOW,
    )
    speed = copy.sessions[0]
    assert [t.code for t in speed.tables] == list("abcdefghijk")
    assert [utc_to_local(r.starts_at, "Europe/Vienna").strftime("%H:%M") for r in speed.rounds] == [
        "13:00",
        "13:23",
        "13:46",
        "14:09",
    ]
    assert speed.starts_at == local_to_utc(datetime(2027, 6, 16, 13, 0), "Europe/Vienna")  # CEST
    for model in (Registration, TablePick, RotationPlan, CheckIn):
        column = model.session_id
        assert _count(model, column == speed.id) == 0
    ny = clone_event(
        event_id=_event("43rd session").id,
        title="Next",
        starts_on=date(2027, 10, 25),
        actor=factories.organiser(),
        now=NOW,
    )
    morning = next(s for s in ny.sessions if s.title.endswith("morning"))
    assert [a.title for a in morning.agenda_items][0] == "Space sustainability"


def test_clone_onto_a_skipped_local_hour_is_refused_with_the_session_named(app):
    event = factories.event(timezone="America/New_York", starts_on=date(2024, 3, 9))
    factories.session(
        event,
        title="Night owl",
        starts_at=local_to_utc(datetime(2024, 3, 9, 2, 30), "America/New_York"),
    )
    db.session.commit()
    with pytest.raises(ValidationFailed, match="“Night owl” \\(start\\): .*does not exist"):
        clone_event(
            event_id=event.id,
            title="Copy",
            starts_on=date(2024, 3, 10),
            actor=factories.organiser(),
            now=NOW,
        )


def test_clone_page_creates_an_unpublished_copy(app, client):
    client.post(
        "/auth/login",
        data={"email": "organiser@example.org", "password": app.config["DEMO_PASSWORD"]},
    )
    source = _event("20th open informal")
    r = client.post(
        f"/organise/events/{source.id}/clone",
        data={"title": "Speed dating 2026", "starts_on": "2026-12-16"},
    )
    assert r.status_code == 302
    copy = _event("Speed dating 2026")
    assert copy is not None and not copy.published
    r = client.post(f"/organise/events/{source.id}/clone", data={"title": "", "starts_on": "nope"})
    assert r.status_code == 422
