from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from meetingapp.checkin.queries import presence_for_sessions
from meetingapp.demo.service import load_demo
from meetingapp.extensions import db
from meetingapp.models import (
    CheckIn,
    Event,
    FocalPoint,
    Organisation,
    Registration,
    RegistrationStatus,
    Role,
    SessionKind,
    TablePick,
    TopicTable,
    User,
)
from meetingapp.models.rotation import RotationPlan

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
MODELS = (Event, Organisation, User, Registration, TopicTable, TablePick, RotationPlan, CheckIn)


def _count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _event(title_part: str) -> Event:
    return db.session.scalar(select(Event).where(Event.title.like(f"%{title_part}%")))


def _training(event: Event):
    return next(s for s in event.sessions if s.kind == SessionKind.TRAINING)


def test_demo_load_creates_the_seed_events_entities_and_accounts(app):
    load_demo(NOW)
    assert _count(Event) == 5  # four seed editions and today's demo session
    assert _count(Organisation) == 28
    assert _count(User, User.role == Role.ORGANISER) == 1
    assert _count(User, User.email.like("participant%")) == 60
    assert _count(TopicTable) == 22 + 4  # 11 tables at each speed dating, 4 today
    hosts = db.session.scalars(select(TopicTable.host_user_id)).all()
    assert len(set(hosts)) == 11 and None not in hosts
    # participant16 is DESA's focal point (the logins the command prints say so).
    (focal,) = db.session.scalars(select(FocalPoint)).all()
    person = db.session.get(User, focal.user_id)
    assert person.email == "participant16@example.org"
    assert db.session.get(Organisation, focal.organisation_id).short_name == "DESA"


def test_demo_2024_training_day_had_21_trainees_from_the_15_offices(app):
    load_demo(NOW)
    day = _training(_event("43rd session"))
    assert day.capacity == 21 and len(day.parts) == 5
    assert (
        _count(
            Registration,
            Registration.session_id == day.id,
            Registration.status == RegistrationStatus.WAITLISTED,
        )
        == 4
    )
    present = presence_for_sessions([day.id])[day.id]
    assert len(present) == 21
    offices = {db.session.get(User, p.user_id).organisation.short_name for p in present}
    assert offices == {
        "DESA",
        "DGACM",
        "DGC",
        "DMSPC",
        "DOS",
        "DPO",
        "ICAO",
        "UNODA",
        "OICT",
        "OIOS",
        "DCO",
        "UNGSC",
        "UNIDIR",
        "UNFPA",
        "CTED",
    }


def test_demo_2024_speed_dating_has_a_published_rotation_filling_every_table(app):
    load_demo(NOW)
    speed = _event("20th open informal").sessions[0]
    plan = db.session.scalar(select(RotationPlan).where(RotationPlan.session_id == speed.id))
    assert plan.status == "published"
    assert {a.table_id for a in plan.assignments} == {t.id for t in speed.tables}
    assert _count(CheckIn, CheckIn.session_id == speed.id) == 44 * 4 - 2


def test_demo_upcoming_editions_are_open_a_few_weeks_after_loading(app):
    load_demo(NOW)
    ny = _event("44th session")
    vienna = _event("21st open informal")
    assert ny.published and vienna.published
    # Three weeks on is Monday 21 December, but the session would run into the year-end
    # holidays (24 December to 2 January): the first Monday after them instead.
    assert ny.starts_on == date(2027, 1, 4)
    assert ny.starts_on.weekday() == 0  # a Monday, like 28 October 2024
    day = _training(ny)
    assert (
        _count(
            Registration,
            Registration.session_id == day.id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
        == 18
    )
    assert day.starts_at > NOW + timedelta(days=14)
    # 09:30 in New York stays 09:30 local although December is on standard time.
    assert day.starts_at.strftime("%H:%M") == "14:30"
    speed = vienna.sessions[0]
    assert speed.picks_deadline > NOW
    assert _count(TablePick, TablePick.session_id == speed.id) > 0


def test_demo_editions_outside_the_holidays_keep_their_three_weeks(app):
    load_demo(datetime(2026, 9, 29, 10, 0, tzinfo=UTC))
    ny = _event("44th session")
    assert ny.starts_on.weekday() == 0
    assert date(2026, 10, 20) <= ny.starts_on <= date(2026, 10, 26)


def test_demo_load_twice_changes_nothing(app):
    load_demo(NOW)
    before = {m.__name__: _count(m) for m in MODELS}
    summary = load_demo(NOW + timedelta(days=3))
    after = {m.__name__: _count(m) for m in MODELS}
    assert before == after
    assert (summary.created_events, summary.created_users, summary.created_registrations) == (
        0,
        0,
        0,
    )


def test_demo_accounts_log_in_with_the_printed_password(app, client):
    load_demo(NOW)
    r = client.post(
        "/auth/login",
        data={"email": "participant07@example.org", "password": app.config["DEMO_PASSWORD"]},
    )
    assert r.status_code == 302
