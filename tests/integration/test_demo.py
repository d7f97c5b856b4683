from sqlalchemy import func, select

from meetingapp.extensions import db
from meetingapp.models import Event, Organisation, Registration, RegistrationStatus, Role, SessionKind, TopicTable, User
from meetingapp.services.demo import load_demo


def _count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_demo_load_creates_the_seed_events_entities_and_accounts(app):
    load_demo()
    assert _count(Event) == 2
    assert _count(Organisation) == 28
    assert _count(User, User.role == Role.ORGANISER) == 1
    assert _count(User, User.email.like("participant%")) == 60
    assert _count(TopicTable) == 11
    hosts = db.session.scalars(select(TopicTable.host_user_id)).all()
    assert len(set(hosts)) == 11 and None not in hosts


def test_demo_training_day_is_full_with_a_waitlist(app):
    load_demo()
    training = db.session.scalar(select(Event).where(Event.city == "New York")).sessions
    day = next(s for s in training if s.kind == SessionKind.TRAINING)
    assert day.capacity == 21
    assert len(day.parts) == 5
    assert _count(Registration, Registration.session_id == day.id,
                  Registration.status == RegistrationStatus.CONFIRMED) == 21
    assert _count(Registration, Registration.session_id == day.id,
                  Registration.status == RegistrationStatus.WAITLISTED) == 4


def test_demo_load_twice_changes_nothing(app):
    load_demo()
    before = {m.__name__: _count(m) for m in (Event, Organisation, User, Registration, TopicTable)}
    summary = load_demo()
    after = {m.__name__: _count(m) for m in (Event, Organisation, User, Registration, TopicTable)}
    assert before == after
    assert (summary.created_events, summary.created_users, summary.created_registrations) == (0, 0, 0)


def test_demo_accounts_log_in_with_the_printed_password(app, client):
    load_demo()
    r = client.post("/auth/login", data={"email": "participant07@example.org",
                                         "password": app.config["DEMO_PASSWORD"]})
    assert r.status_code == 302
