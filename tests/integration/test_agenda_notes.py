"""The organiser's notes per agenda item (organise/agenda.py): kept through agenda edits."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select

from meetingapp.domain.errors import PermissionDenied, ValidationFailed
from meetingapp.extensions import db
from meetingapp.models import AgendaItem, AuditEntry, SessionKind
from meetingapp.organise import agenda, service, sessions
from meetingapp.organise.cloning import clone_event
from meetingapp.organise.mappers import EventData, SessionData
from tests import factories

NOW = datetime(2024, 10, 1, 12, 0, tzinfo=UTC)
DAY = date(2024, 11, 20)
AGENDA = ["Space sustainability", "Satellite imagery", "Radio spectrum"]


def _data(items: list[str]) -> SessionData:
    return SessionData(
        kind=SessionKind.MEETING,
        title="Main part",
        day=DAY,
        start_time=time(10),
        end_time=time(13),
        agenda=items,
    )


@pytest.fixture
def meeting(app):
    organiser = factories.organiser("organiser@example.org")
    db.session.commit()
    event = service.create_event(
        EventData(
            title="UN-Space",
            city="Vienna",
            venue="VIC",
            timezone="Europe/Vienna",
            starts_on=DAY,
            ends_on=DAY,
        ),
        actor=organiser,
        now=NOW,
    )
    session = sessions.create_session(event.id, _data(AGENDA), actor=organiser, now=NOW)
    items = {i.title: i.id for i in session.agenda_items}
    agenda.save_agenda_notes(
        session.id,
        {
            items["Space sustainability"]: "Debris.\n\nGuidelines.",
            items["Radio spectrum"]: "X band",
        },
        actor=organiser,
        now=NOW,
    )
    return organiser, session.id


def _notes(session_id: int) -> dict[str, str]:
    rows = db.session.execute(
        select(AgendaItem.title, AgendaItem.notes)
        .where(AgendaItem.session_id == session_id)
        .order_by(AgendaItem.position)
    )
    return dict(rows.all())


def test_notes_are_stored_per_item_and_audited(meeting):
    _organiser, session_id = meeting
    assert _notes(session_id) == {
        "Space sustainability": "Debris.\n\nGuidelines.",
        "Satellite imagery": "",
        "Radio spectrum": "X band",
    }
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert "agenda notes edited" in actions


def test_reordering_and_adding_items_keeps_each_items_notes(meeting):
    organiser, session_id = meeting
    reordered = ["Radio spectrum", "New item", "Space sustainability", "Satellite imagery"]
    sessions.update_session(session_id, _data(reordered), actor=organiser, now=NOW)
    assert list(_notes(session_id).items()) == [
        ("Radio spectrum", "X band"),
        ("New item", ""),
        ("Space sustainability", "Debris.\n\nGuidelines."),
        ("Satellite imagery", ""),
    ]


def test_an_item_renamed_in_place_keeps_its_notes(meeting):
    organiser, session_id = meeting
    renamed = ["Space sustainability", "Satellite imagery", "Earth observation and radio spectrum"]
    sessions.update_session(session_id, _data(renamed), actor=organiser, now=NOW)
    assert _notes(session_id)["Earth observation and radio spectrum"] == "X band"


def test_dropping_an_item_with_notes_is_refused_and_changes_nothing(meeting):
    organiser, session_id = meeting
    with pytest.raises(ValidationFailed) as refused:
        sessions.update_session(
            session_id,
            _data(["Space sustainability", "Satellite imagery"]),
            actor=organiser,
            now=NOW,
        )
    assert refused.value.field == "agenda"
    assert "Radio spectrum" in str(refused.value)
    db.session.rollback()
    assert list(_notes(session_id)) == AGENDA


def test_dropping_an_item_without_notes_is_allowed(meeting):
    organiser, session_id = meeting
    sessions.update_session(
        session_id, _data(["Space sustainability", "Radio spectrum"]), actor=organiser, now=NOW
    )
    assert _notes(session_id) == {
        "Space sustainability": "Debris.\n\nGuidelines.",
        "Radio spectrum": "X band",
    }


def test_participants_cannot_write_notes(meeting):
    _organiser, session_id = meeting
    someone = factories.user("someone@example.org")
    with pytest.raises(PermissionDenied):
        agenda.save_agenda_notes(session_id, {}, actor=someone, now=NOW)


def test_a_new_edition_copies_the_items_but_not_the_notes(meeting):
    organiser, session_id = meeting
    new = clone_event(
        event_id=sessions.session_for_organiser(session_id).event_id,
        title="UN-Space, next",
        starts_on=date(2025, 11, 19),
        actor=organiser,
        now=NOW,
    )
    copied = [i for s in new.sessions for i in s.agenda_items]
    assert [i.title for i in copied] == AGENDA
    assert {i.notes for i in copied} == {""}
