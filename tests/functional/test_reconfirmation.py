"""Reconfirmation (issue 21, item 2): some days before a session its organisers ask the people
confirmed to say they are still coming; those who say no free their seat at once, and, by the
organisers' choice, those silent at the deadline free theirs then, to the waitlist. Through the
roster page, My programme, the JSON API, the cron command and the mails."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from meetingapp.api import tokens as api_tokens
from meetingapp.cli import registrations_release_unreconfirmed
from meetingapp.extensions import db
from meetingapp.models import AuditEntry, Notification, OutboxMessage, Registration
from meetingapp.registration import queries as reg_queries
from meetingapp.registration import service as svc
from tests import factories
from tests.text import page_text

NOW = datetime(2030, 3, 2, 9, 0, tzinfo=UTC)
STARTS = datetime(2030, 3, 12, 9, 0, tzinfo=UTC)  # 10:00 in Vienna (CET)
DEADLINE_LOCAL = "2030-03-10T18:00"  # 18:00 Vienna, CET = 17:00 UTC
DEADLINE = datetime(2030, 3, 10, 17, 0, tzinfo=UTC)


def _bearer(user) -> dict[str, str]:
    secret = api_tokens.issue_token(user=user, name="test", now=NOW).secret
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def _mails(kind: str) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)))


def _status(session_id: int, user_id: int) -> str | None:
    reg = reg_queries.active_registration(session_id, user_id)
    return reg.status.value if reg else None


@pytest.fixture
def full(app, clock):
    """Two seats, Ann and Ben confirmed, Cleo waiting; an organiser. Ten days ahead."""
    clock.set(NOW)
    event = factories.event(published=True, starts_on=STARTS.date())
    session = factories.session(event, capacity=2, title="Ocean data clinic", starts_at=STARTS)
    session.ends_at = STARTS + timedelta(hours=2)
    ann, ben, cleo = (factories.user(name=n) for n in ("Ann", "Ben", "Cleo"))
    organiser = factories.organiser()
    db.session.commit()
    for p in (ann, ben, cleo):
        svc.register_participant(user=p, session_id=session.id, now=NOW)
    return session.id, ann, ben, cleo, organiser


def _ask(client, auth, organiser, session_id, *, releases: bool, deadline=DEADLINE_LOCAL):
    auth.login(organiser.email)
    data = {"deadline": deadline}
    if releases:
        data["releases"] = "y"
    answer = client.post(f"/registration/sessions/{session_id}/reconfirmation", data=data)
    auth.logout()
    return answer


def test_organiser_asks_on_the_roster_and_the_confirmed_are_mailed(client, auth, full):
    session_id, ann, ben, cleo, organiser = full
    auth.login(organiser.email)
    roster = page_text(client.get(f"/registration/sessions/{session_id}/manage"))
    assert "Ask the 2 people confirmed whether they are still coming" in roster
    answer = client.post(
        f"/registration/sessions/{session_id}/reconfirmation",
        data={"deadline": DEADLINE_LOCAL, "releases": "y"},
        follow_redirects=True,
    )
    said = page_text(answer)
    assert "2 people were asked to reconfirm by 10 Mar 2030 18:00 Vienna, CET" in said
    assert "The seats of those who do not answer by then are released." in said
    assert "Reconfirmed: 0 · not answered yet: 2" in said
    # Ann and Ben (confirmed) are asked, by mail with the deadline in the event's zone, and on
    # their notifications; Cleo (waiting) is not.
    mails = _mails("reconfirm_request")
    assert sorted(m.to_address for m in mails) == sorted([ann.email, ben.email])
    body = mails[0].body_text
    assert "Sunday 10 March 2030, 18:00 Vienna, CET (UTC+1)" in body
    assert "If you do not answer by then, your seat goes to the next person" in body
    notes = db.session.scalars(select(Notification.user_id).where(Notification.url == "/me/"))
    assert sorted(notes) == sorted([ann.id, ben.id])
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "reconfirmation asked"))
    assert audit is not None and "2 asked" in audit.detail


def test_reconfirming_on_my_programme_and_a_second_time_is_refused(client, auth, full):
    session_id, ann, _ben, _cleo, organiser = full
    assert _ask(client, auth, organiser, session_id, releases=True).status_code == 302
    auth.login(ann.email)
    page = page_text(client.get("/me/"))
    assert "Confirmed; please reconfirm by Sunday 10 March 2030, 18:00 Vienna, CET (UTC+1)" in page
    assert "Without an answer by then, the seat goes to the next person on the waitlist." in page
    done = client.post(
        f"/registration/sessions/{session_id}/reconfirm",
        data={"back": "programme"},
        follow_redirects=True,
    )
    text = page_text(done)
    assert "your seat for “Ocean data clinic” is reconfirmed" in text
    assert "(reconfirmed)" in text and "please reconfirm" not in text
    again = client.post(f"/registration/sessions/{session_id}/reconfirm", follow_redirects=True)
    assert again.status_code == 200
    assert "There is nothing to reconfirm for this session." in page_text(again)


def test_silence_releases_the_seat_at_the_deadline_by_the_cron_command(app, client, auth, full):
    session_id, ann, ben, cleo, organiser = full
    _ask(client, auth, organiser, session_id, releases=True)
    svc.reconfirm(user=ann, session_id=session_id, now=NOW + timedelta(days=1))
    # Before the deadline nothing happens; at it, Ben (silent) loses his seat to Cleo.
    assert svc.release_unreconfirmed(now=DEADLINE - timedelta(minutes=1)) == 0
    app.config["FROZEN_NOW"] = DEADLINE
    result = app.test_cli_runner().invoke(registrations_release_unreconfirmed)
    assert result.exit_code == 0, result.output
    assert "1 seats not reconfirmed were released to the waitlist." in result.output
    db.session.expire_all()
    assert (_status(session_id, ann.id), _status(session_id, ben.id)) == ("confirmed", None)
    assert _status(session_id, cleo.id) == "confirmed"
    lapsed = _mails("reconfirm_lapsed")
    assert [m.to_address for m in lapsed] == [ben.email]
    assert "You did not, so your seat went to the next person" in lapsed[0].body_text
    assert [m.to_address for m in _mails("promoted")] == [cleo.email]
    # Once only: running it again frees nothing, and Cleo (confirmed later) was never asked.
    assert svc.release_unreconfirmed(now=DEADLINE + timedelta(hours=1)) == 0
    log = db.session.scalars(select(Registration).where(Registration.user_id == ben.id)).one()
    assert log.status.value == "cancelled"


def test_a_registration_after_the_deadline_releases_first_so_the_waitlist_goes_first(
    client, auth, full
):
    session_id, ann, ben, cleo, organiser = full
    _ask(client, auth, organiser, session_id, releases=True)
    svc.reconfirm(user=ann, session_id=session_id, now=NOW)
    dana = factories.user(name="Dana")
    db.session.commit()
    # No cron run: Dana's registration touches the session, Ben's silent seat goes to Cleo
    # (who was waiting), and Dana waits.
    outcome = svc.register_participant(
        user=dana, session_id=session_id, now=DEADLINE + timedelta(minutes=5)
    )
    assert (outcome.status, outcome.waitlist_position) == ("waitlisted", 1)
    db.session.expire_all()
    assert _status(session_id, ben.id) is None
    assert _status(session_id, cleo.id) == "confirmed"


def test_without_release_nobody_loses_a_seat_and_a_late_answer_counts(client, auth, full):
    session_id, ann, ben, cleo, organiser = full
    _ask(client, auth, organiser, session_id, releases=False)
    assert "If you cannot come, give up your seat there" in _mails("reconfirm_request")[0].body_text
    late = DEADLINE + timedelta(hours=3)
    assert svc.release_unreconfirmed(now=late) == 0
    svc.reconfirm(user=ben, session_id=session_id, now=late)
    db.session.expire_all()
    assert (_status(session_id, ann.id), _status(session_id, ben.id)) == ("confirmed", "confirmed")
    assert _status(session_id, cleo.id) == "waitlisted"


def test_saying_no_gives_the_seat_to_the_waitlist_and_the_newly_confirmed_are_not_asked(
    client, auth, full
):
    session_id, ann, _ben, cleo, organiser = full
    _ask(client, auth, organiser, session_id, releases=True)
    svc.cancel_registration(user=ann, session_id=session_id, now=NOW + timedelta(hours=1))
    assert _status(session_id, cleo.id) == "confirmed"
    auth.login(cleo.email)
    page = page_text(client.get("/me/"))
    assert "please reconfirm" not in page  # confirmed after the question: not asked
    refused = client.post(
        f"/api/v1/sessions/{session_id}/registrations/me/reconfirm", headers=_bearer(cleo)
    )
    assert refused.status_code == 409
    # At the deadline Cleo keeps her seat.
    svc.release_unreconfirmed(now=DEADLINE)
    db.session.expire_all()
    assert _status(session_id, cleo.id) == "confirmed"


def test_api_asks_and_reconfirms(client, full):
    session_id, ann, ben, _cleo, organiser = full
    path = f"/api/v1/sessions/{session_id}/reconfirmation"
    body = {"deadline": "2030-03-10T18:00:00", "release_unanswered": True}
    refused = client.post(path, json=body, headers=_bearer(ann))
    assert refused.status_code == 403 and refused.get_json()["error"]
    asked = client.post(path, json=body, headers=_bearer(organiser))
    assert asked.status_code == 200, asked.get_json()
    assert asked.get_json() == {
        "asked": 2,
        "deadline": "2030-03-10T18:00:00+01:00",
        "release_unanswered": True,
    }
    mine = f"/api/v1/sessions/{session_id}/registrations/me/reconfirm"
    ok = client.post(mine, headers=_bearer(ben))
    assert ok.status_code == 200 and ok.get_json()["status"] == "confirmed"
    assert client.post(mine, headers=_bearer(ben)).status_code == 409
    # Asked again with a new deadline: only Ann, who has not answered, is asked.
    again = client.post(path, json={"deadline": "2030-03-11T09:00:00Z"}, headers=_bearer(organiser))
    assert again.status_code == 200 and again.get_json()["asked"] == 1
    assert again.get_json()["release_unanswered"] is False


@pytest.mark.parametrize(
    ("deadline", "message"),
    [
        ("2030-03-01T10:00:00", "The deadline to reconfirm must be in the future."),
        ("2030-03-12T11:00:00", "The deadline to reconfirm must be before the session starts."),
    ],
)
def test_a_deadline_past_or_after_the_start_is_refused(client, auth, full, deadline, message):
    session_id, _ann, _ben, _cleo, organiser = full
    answer = client.post(
        f"/api/v1/sessions/{session_id}/reconfirmation",
        json={"deadline": deadline},
        headers=_bearer(organiser),
    )
    assert answer.status_code == 422 and message in str(answer.get_json())
    page = _ask(client, auth, organiser, session_id, releases=True, deadline=deadline[:16])
    auth.login(organiser.email)
    shown = client.get(page.headers["Location"])
    assert message in page_text(shown)
    assert _mails("reconfirm_request") == []


def test_participants_cannot_ask(client, auth, full):
    session_id, ann, *_ = full
    auth.login(ann.email)
    answer = client.post(
        f"/registration/sessions/{session_id}/reconfirmation", data={"deadline": DEADLINE_LOCAL}
    )
    assert answer.status_code == 403
    assert _mails("reconfirm_request") == []
