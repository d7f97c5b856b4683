"""Registering from the timetable, My programme and the organiser's roster tools."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from meetingapp.extensions import db
from meetingapp.models import Registration, RegistrationLog, RegistrationStatus, User
from meetingapp.registration import queries as reg_queries
from meetingapp.registration import service as svc
from tests import factories
from tests.text import page_text


def _text(response) -> str:
    return page_text(response)


@pytest.fixture
def future_session(app):
    start = (datetime.now(UTC) + timedelta(days=10)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    org = factories.organisation("DESA", "Economic and Social Affairs")
    session = factories.session(capacity=2, title="Training day", starts_at=start)
    people = [factories.user(f"p{i}@example.org", org=org, name=f"Person {i}") for i in range(4)]
    organiser = factories.organiser("boss@example.org")
    db.session.commit()
    return session, people, organiser


def test_register_from_timetable_confirms_then_waitlists_with_ordinal(client, auth, future_session):
    session, people, _ = future_session
    for p in people[:2]:
        auth.login(p.email)
        r = client.post(f"/registration/sessions/{session.id}", follow_redirects=True)
        assert "You are confirmed" in _text(r)
        auth.logout()
    auth.login(people[2].email)
    r = client.post(f"/registration/sessions/{session.id}", follow_redirects=True)
    assert "you are 1st on the waitlist" in _text(r)
    assert "You are 1st on the waitlist." in _text(client.get(f"/events/{session.event_id}"))


def test_anonymous_register_goes_to_login(client, future_session):
    session, _, _ = future_session
    r = client.post(f"/registration/sessions/{session.id}")
    assert r.status_code == 302 and "/auth/login" in r.headers["Location"]


def test_double_registration_shows_a_message_not_an_error(client, auth, future_session):
    session, people, _ = future_session
    auth.login(people[0].email)
    client.post(f"/registration/sessions/{session.id}")
    r = client.post(f"/registration/sessions/{session.id}", follow_redirects=True)
    assert r.status_code == 200
    assert "already registered" in _text(r)


def test_unknown_session_registration_is_404(client, auth, future_session):
    _, people, _ = future_session
    auth.login(people[0].email)
    assert client.post("/registration/sessions/999999").status_code == 404


def test_my_programme_lists_registrations_and_cancel_promotes(client, auth, future_session, now):
    session, people, _ = future_session
    for p in people[:3]:
        svc.register_participant(user=p, session_id=session.id, now=now)
    auth.login(people[0].email)
    page = _text(client.get("/me/"))
    assert "Training day" in page and "Confirmed" in page
    r = client.post(
        f"/registration/sessions/{session.id}/cancel",
        data={"back": "programme"},
        follow_redirects=True,
    )
    assert "withdrawn" in _text(r)
    auth.logout()
    auth.login(people[2].email)
    page = _text(client.get("/me/"))
    assert "A seat opened and it is yours" in page
    assert "Confirmed" in page


def test_my_programme_shows_only_my_own_registrations(client, auth, future_session, now):
    session, people, _ = future_session
    svc.register_participant(user=people[1], session_id=session.id, now=now)
    auth.login(people[0].email)
    assert "Training day" not in _text(client.get("/me/"))


def test_participant_cannot_open_the_organiser_roster(client, auth, future_session):
    session, people, _ = future_session
    auth.login(people[0].email)
    assert client.get(f"/registration/sessions/{session.id}/manage").status_code == 403
    assert (
        client.post(
            f"/registration/sessions/{session.id}/capacity", data={"capacity": 50}
        ).status_code
        == 403
    )


def test_organiser_roster_override_move_and_remove(client, auth, future_session, now):
    session, people, organiser = future_session
    for p in people:
        svc.register_participant(user=p, session_id=session.id, now=now)
    auth.login(organiser.email)
    page = _text(client.get(f"/registration/sessions/{session.id}/manage"))
    assert "2 confirmed of 2 seats · 2 on the waitlist" in page
    waiting = reg_queries.waitlist_for(session.id)
    client.post(f"/registration/registrations/{waiting[1].id}/up")
    assert [r.user_id for r in reg_queries.waitlist_for(session.id)] == [people[3].id, people[2].id]
    client.post(f"/registration/registrations/{waiting[0].id}/override")
    assert reg_queries.confirmed_count(session.id) == 3
    reg = reg_queries.active_registration(session.id, people[0].id)
    asked = client.post(f"/registration/registrations/{reg.id}/remove")
    assert asked.status_code == 302 and "/confirm-remove" in asked.headers["Location"]
    assert reg_queries.active_registration(session.id, people[0].id) is not None
    client.post(f"/registration/registrations/{reg.id}/remove", data={"confirmed": "yes"})
    assert reg_queries.active_registration(session.id, people[0].id) is None
    actions = set(db.session.scalars(select(RegistrationLog.action)))
    assert {"override_confirm", "move_up", "cancel"} <= actions


def test_organiser_lowering_capacity_below_confirmed_sees_the_reason(
    client, auth, future_session, now
):
    session, people, organiser = future_session
    for p in people[:2]:
        svc.register_participant(user=p, session_id=session.id, now=now)
    auth.login(organiser.email)
    r = client.post(
        f"/registration/sessions/{session.id}/capacity",
        data={"capacity": "1"},
        follow_redirects=True,
    )
    assert "2 people are already confirmed" in _text(r)
    db.session.expire_all()
    assert db.session.get(type(session), session.id).capacity == 2


def _csv(rows: list[str]) -> tuple[io.BytesIO, str]:
    return io.BytesIO(("\n".join(rows) + "\n").encode()), "people.csv"


def test_import_csv_reports_row_by_row_and_never_twice(client, auth, future_session):
    session, people, organiser = future_session
    auth.login(organiser.email)
    rows = [
        "name,email,organisation",
        "New Person,new@example.org,DESA",
        "Bad,not-an-email,DESA",
        "Who,who@example.org,NOPE",
        f"Existing,{people[0].email},DESA",
        "Again,NEW@example.org,DESA",
    ]
    r = client.post(
        f"/registration/sessions/{session.id}/import",
        data={"file": _csv(rows)},
        content_type="multipart/form-data",
    )
    text = _text(r)
    assert "not a valid e-mail address" in text
    assert "unknown organisation 'NOPE'" in text
    assert "appears earlier in the file" in text
    assert "confirmed (new account)" in text and "confirmed (existing account)" in text
    r = client.post(
        f"/registration/sessions/{session.id}/import",
        data={"file": _csv(rows)},
        content_type="multipart/form-data",
    )
    assert "already registered" in _text(r)
    assert (
        db.session.scalar(
            select(func.count()).select_from(User).where(User.email == "new@example.org")
        )
        == 1
    )
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(Registration)
            .where(
                Registration.session_id == session.id,
                Registration.status != RegistrationStatus.CANCELLED,
            )
        )
        == 2
    )


def test_import_xlsx_registers_people(client, auth, future_session):
    session, _, organiser = future_session
    wb = Workbook()
    ws = wb.active
    ws.append(["Name", "Email", "Organisation"])
    ws.append(["Xl Person", "xl@example.org", "Economic and Social Affairs"])
    data = io.BytesIO()
    wb.save(data)
    data.seek(0)
    auth.login(organiser.email)
    r = client.post(
        f"/registration/sessions/{session.id}/import",
        data={"file": (data, "people.xlsx")},
        content_type="multipart/form-data",
    )
    assert "confirmed (new account)" in _text(r)


def test_import_rejects_wrong_files_with_a_message(client, auth, future_session):
    session, _, organiser = future_session
    auth.login(organiser.email)
    r = client.post(
        f"/registration/sessions/{session.id}/import",
        data={"file": (io.BytesIO(b"PK\x03\x04garbage"), "people.xlsx")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "cannot be read" in _text(r)
    r = client.post(
        f"/registration/sessions/{session.id}/import",
        data={"file": _csv(["who,what", "a,b"])},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "missing: name, email, organisation" in _text(r)
    r = client.post(
        f"/registration/sessions/{session.id}/import",
        data={"file": (io.BytesIO(b"x"), "people.exe")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Only CSV or XLSX" in _text(r)
