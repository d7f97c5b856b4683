"""Data protection: the retention purge, the personal data export, deleting one's account."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Enum, String, func, select

from meetingapp.checkin.service import check_in
from meetingapp.domain import feedback as feedback_rules
from meetingapp.extensions import db
from meetingapp.models import (
    Event,
    EventSession,
    FeedbackAnswer,
    FeedbackQuestion,
    FeedbackResponse,
    FeedbackSurvey,
    Registration,
    RegistrationStatus,
    User,
)
from meetingapp.models.audit import record_audit
from meetingapp.privacy import service as privacy
from meetingapp.registration.service import register_participant
from meetingapp.reports.queries import event_report
from tests import factories

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _attended(organiser, org, *, ended: date, name: str, email: str, answer: str) -> User:
    """An event that ended on ``ended``: one person registered, checked in, who answered
    a named survey in free text and whom the organiser's audit trail names."""
    ev = factories.event(title=f"Event of {ended:%Y-%m}", starts_on=ended)
    session = factories.session(ev, starts_at=datetime.combine(ended, datetime.min.time(), UTC))
    person = factories.user(email, name=name, org=org)
    db.session.commit()
    register_participant(
        user=person,
        session_id=session.id,
        now=session.starts_at,
        actor=organiser,
        check_window=False,
    )
    check_in(
        session_id=session.id,
        user_id=person.id,
        actor=organiser,
        now=session.starts_at,
        enforce_day=False,
    )
    survey = FeedbackSurvey(session_id=session.id, anonymous=False, intro="")
    db.session.add(survey)
    db.session.flush()
    question = FeedbackQuestion(
        survey_id=survey.id, position=0, kind=feedback_rules.TEXT, prompt="Anything else?"
    )
    response = FeedbackResponse(survey_id=survey.id, user_id=person.id, submitted_at=NOW)
    db.session.add_all([question, response])
    db.session.flush()
    db.session.add(
        FeedbackAnswer(
            survey_id=survey.id, response_id=response.id, question_id=question.id, text=answer
        )
    )
    record_audit(
        event_id=ev.id,
        actor=organiser,
        action="registration removed",
        target=session.title,
        detail=f"{name} <{email}>",
    )
    db.session.commit()
    return person


def _occurrences(*needles: str) -> list[str]:
    """Every table.column whose text holds one of the needles (every text column scanned)."""
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, String) or isinstance(column.type, Enum):
                continue
            for needle in needles:
                hits = db.session.scalar(
                    select(func.count()).select_from(table).where(column.contains(needle))
                )
                if hits:
                    found.append(f"{table.name}.{column.name}")
    return found


def _world():
    organiser = factories.organiser()
    org = factories.organisation("UNOOSA", "Office for Outer Space Affairs")
    old = _attended(
        organiser,
        org,
        ended=date(2024, 10, 15),
        name="Zephyrine Quillfeather",
        email="zephyrine@example.org",
        answer="Zephyrine Quillfeather liked the coffee",
    )
    recent = _attended(
        organiser,
        org,
        ended=date(2025, 1, 15),
        name="Bartholomew Inkwell",
        email="bartholomew@example.org",
        answer="Bartholomew wants more breaks",
    )
    return organiser, old, recent


def test_purge_anonymises_an_event_ended_25_months_ago_and_keeps_one_ended_23(app):
    _, old, recent = _world()
    old_id = old.id
    old_event = db.session.scalar(
        select(EventSession.event_id)
        .join(Registration, Registration.session_id == EventSession.id)
        .where(Registration.user_id == old_id)
    )
    report_before = event_report(old_event)
    # The official paragraph names the office by its official name.
    assert "Office for Outer Space Affairs" in report_before.sessions[0].paragraph

    result = privacy.purge_expired(now=NOW)

    assert result.people == 1 and [t for _, t in result.events] == ["Event of 2024-10"]
    assert _occurrences("Zephyrine", "zephyrine@example.org", "Quillfeather") == []
    assert "users.email" in _occurrences("bartholomew@example.org")
    assert _occurrences("Bartholomew wants more breaks") == ["feedback_answers.text"]
    person = db.session.get(User, old_id)
    assert person.name == f"Anonymised participant {old_id}"
    assert person.organisation.short_name == "UNOOSA"  # counts per entity stay right
    report_after = event_report(old_event)
    assert report_after.sessions[0].counts == report_before.sessions[0].counts
    assert report_after.sessions[0].paragraph == report_before.sessions[0].paragraph
    assert recent.anonymised_at is None


def test_purge_dry_run_changes_nothing_and_a_second_purge_finds_nothing(app):
    _world()
    dry = privacy.purge_expired(now=NOW, dry_run=True)
    assert dry.people == 1 and dry.free_texts == 1
    assert "users.name" in _occurrences("Zephyrine Quillfeather")
    privacy.purge_expired(now=NOW)
    again = privacy.purge_expired(now=NOW)
    assert (again.events, again.people) == ([], 0)


def test_purge_keeps_a_participant_who_also_comes_to_a_later_event(app):
    organiser, old, recent = _world()
    later = factories.session(
        factories.event(title="Next edition", starts_on=date(2026, 12, 10)),
        starts_at=datetime(2026, 12, 10, 9, tzinfo=UTC),
    )
    db.session.commit()
    register_participant(
        user=old, session_id=later.id, now=NOW, actor=organiser, check_window=False
    )
    result = privacy.purge_expired(now=NOW)
    assert result.people == 0 and len(result.events) == 1
    assert db.session.get(User, old.id).email == "zephyrine@example.org"
    assert _occurrences("Zephyrine Quillfeather liked the coffee") == []  # free text goes anyway


def test_export_holds_the_persons_rows_and_nobody_elses(app):
    _, old, recent = _world()
    data = privacy.export_personal_data(user=old, now=NOW)
    text = json.dumps(data)
    tables = data["tables"]
    assert tables["users"][0]["email"] == "zephyrine@example.org"
    assert "password_hash" not in tables["users"][0]
    assert [r["user_id"] for r in tables["registrations"]] == [old.id]
    assert [r["user_id"] for r in tables["check_ins"]] == [old.id]
    assert tables["feedback_answers"][0]["text"] == "Zephyrine Quillfeather liked the coffee"
    assert tables["outbox_messages"] and all(
        m["to_address"] == "zephyrine@example.org" for m in tables["outbox_messages"]
    )
    assert "artholomew" not in text and f'"user_id": {recent.id}' not in text
    assert (
        db.session.scalar(select(func.count()).select_from(FeedbackAnswer)) == 2
    )  # the export wrote nothing but its audit entry


def test_delete_account_frees_the_seat_to_the_first_person_waiting(app):
    organiser = factories.organiser()
    session = factories.session(
        factories.event(starts_on=date(2026, 12, 10)),
        capacity=1,
        starts_at=datetime(2026, 12, 10, 9, tzinfo=UTC),
    )
    leaver, waiting = factories.user(name="Leaving Person"), factories.user()
    db.session.commit()
    for person in (leaver, waiting):
        register_participant(
            user=person, session_id=session.id, now=NOW, actor=organiser, check_window=False
        )

    promoted = privacy.delete_account(user=leaver, now=NOW)

    assert promoted == [waiting.id]
    statuses = dict(db.session.execute(select(Registration.user_id, Registration.status)).all())
    assert statuses == {
        leaver.id: RegistrationStatus.CANCELLED,
        waiting.id: RegistrationStatus.CONFIRMED,
    }
    assert _occurrences("Leaving Person") == []


def _all_text() -> str:
    """Every value of every text column of every table, in one string (to search)."""
    parts = []
    for table in db.metadata.sorted_tables:
        columns = [
            c for c in table.columns if isinstance(c.type, String) and not isinstance(c.type, Enum)
        ]
        if columns:
            for row in db.session.execute(select(*columns)):
                parts.extend(v for v in row if v)
    return "\n".join(parts)


@pytest.mark.demo
def test_purge_of_the_demo_leaves_no_trace_of_a_purged_person_and_the_2024_report(app):
    events = db.session.scalars(select(Event).where(Event.starts_on < date(2025, 1, 1))).all()
    before = {e.id: [s.paragraph for s in event_report(e.id).sessions] for e in events}
    purged = privacy.queries.participants_to_anonymise(
        privacy.queries.expired_event_ids(NOW.date())
    )
    people = [(u.name, u.email) for u in purged]
    # The demo's other 2024 participants also come to this year's editions: they stay.
    assert len(events) == 2 and len(people) >= 2

    privacy.purge_expired(now=NOW)

    text = _all_text()
    left = [who for who in people if who[0] in text or who[1] in text]
    assert left == []
    assert {e.id: [s.paragraph for s in event_report(e.id).sessions] for e in events} == before
