"""Data protection through the pages and the command: download my data, delete my account
(asks first), the event form's retention period, ``flask data purge [--dry-run]``."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from sqlalchemy import select

from meetingapp.extensions import db
from meetingapp.models import Event, OutboxMessage, Registration, RegistrationStatus, User
from meetingapp.privacy import service as privacy
from meetingapp.registration.service import register_participant
from tests import factories

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _full_session(organiser):
    """A session to come with one seat: the first person holds it, the second waits."""
    session = factories.session(
        factories.event(title="Next edition", starts_on=date(2026, 12, 10)),
        capacity=1,
        title="Workshop on orbits",
        starts_at=datetime(2026, 12, 10, 9, tzinfo=UTC),
    )
    holder = factories.user("holder@example.org", name="Holder Person")
    waiting = factories.user("waiting@example.org", name="Waiting Person")
    db.session.commit()
    for person in (holder, waiting):
        register_participant(
            user=person, session_id=session.id, now=NOW, actor=organiser, check_window=False
        )
    return session, holder, waiting


def test_download_my_data_holds_mine_and_nobody_elses(app, client, auth, clock):
    clock.set(NOW)
    _, holder, waiting = _full_session(factories.organiser())
    auth.login("holder@example.org")

    response = client.post("/account/data")

    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["tables"]["users"][0]["name"] == "Holder Person"
    assert [r["user_id"] for r in data["tables"]["registrations"]] == [holder.id]
    body = response.get_data(as_text=True)
    assert "Waiting Person" not in body and "waiting@example.org" not in body


def test_delete_account_asks_first_frees_the_seat_and_logs_out(app, client, auth, clock):
    clock.set(NOW)
    session, holder, waiting = _full_session(factories.organiser())
    auth.login("holder@example.org")

    page = client.get("/account/delete").get_data(as_text=True)
    assert "Workshop on orbits" in page and "first person waiting" in page
    wrong = client.post("/account/delete", data={"password": "not-mine"})
    assert wrong.status_code == 422
    assert db.session.get(User, holder.id).anonymised_at is None

    done = client.post("/account/delete", data={"password": factories.PASSWORD})

    assert done.status_code == 302
    db.session.expire_all()
    status = dict(
        db.session.execute(
            select(Registration.user_id, Registration.status).where(
                Registration.session_id == session.id
            )
        ).all()
    )
    assert status[waiting.id] == RegistrationStatus.CONFIRMED
    assert status[holder.id] == RegistrationStatus.CANCELLED
    assert "/auth/login" in client.get("/account/").headers["Location"]
    assert auth.login("holder@example.org").status_code != 302  # the address is gone


def test_an_organiser_cannot_delete_their_account_here(app, client, auth):
    organiser = factories.organiser("boss@example.org")
    db.session.commit()
    auth.login("boss@example.org")
    assert "ask another organiser" in client.get("/account/delete").get_data(as_text=True)
    refused = client.post("/account/delete", data={"password": factories.PASSWORD})
    assert refused.status_code == 403
    assert db.session.get(User, organiser.id).anonymised_at is None


def test_event_form_keeps_the_retention_period_and_refuses_zero(app, client, auth):
    factories.organiser("boss@example.org")
    ev = factories.event(title="Retained")
    db.session.commit()
    auth.login("boss@example.org")
    form = {
        "title": "Retained",
        "city": "Vienna",
        "timezone": "Europe/Vienna",
        "starts_on": "2024-11-20",
        "ends_on": "2024-11-20",
    }
    assert client.get(f"/organise/events/{ev.id}/edit").get_data(as_text=True).count('value="24"')

    refused = client.post(f"/organise/events/{ev.id}/edit", data=form | {"retention_months": 0})
    saved = client.post(f"/organise/events/{ev.id}/edit", data=form | {"retention_months": 36})

    assert refused.status_code == 422
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(Event, ev.id).retention_months == 36


def test_purge_command_dry_run_says_what_and_changes_nothing(app, runner, clock):
    clock.set(NOW)
    organiser = factories.organiser()
    old = factories.session(
        factories.event(title="Vienna 2024", starts_on=date(2024, 10, 15)),
        starts_at=datetime(2024, 10, 15, 9, tzinfo=UTC),
    )
    person = factories.user("old@example.org", name="Old Participant")
    db.session.commit()
    register_participant(
        user=person, session_id=old.id, now=old.starts_at, actor=organiser, check_window=False
    )

    dry = runner.invoke(args=["data", "purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Would purge event" in dry.output and "Vienna 2024" in dry.output
    assert "1 participants anonymised" in dry.output and "nothing was changed" in dry.output
    db.session.expire_all()
    assert db.session.get(User, person.id).email == "old@example.org"

    real = runner.invoke(args=["data", "purge"])
    assert real.exit_code == 0 and "Purged event" in real.output
    db.session.expire_all()
    assert db.session.get(User, person.id).email == f"anonymised-{person.id}@invalid"
    assert "Nothing is past" in runner.invoke(args=["data", "purge"]).output


def test_a_deleted_account_gets_no_password_reset_link(app, client, clock):
    clock.set(NOW)
    leaver = factories.user("leaver@example.org")
    db.session.commit()
    privacy.delete_account(user=leaver, now=NOW)
    app.config["MAIL_SERVER"] = "127.0.0.1"  # mail could be sent (nothing is delivered here)
    try:
        client.post("/auth/reset", data={"email": f"anonymised-{leaver.id}@invalid"})
    finally:
        app.config["MAIL_SERVER"] = ""
    kinds = db.session.scalars(
        select(OutboxMessage.kind).where(OutboxMessage.user_id == leaver.id)
    ).all()
    assert "password_reset" not in kinds
