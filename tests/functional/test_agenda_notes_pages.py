"""The agenda notes page: one labelled text area per item, saved for the report draft."""

from __future__ import annotations

import pytest

from meetingapp.extensions import db
from meetingapp.models import AgendaItem
from tests import factories
from tests.text import page_text


def _text(response) -> str:
    return page_text(response)


@pytest.fixture
def meeting(app, auth):
    factories.organiser("chief@example.org")
    session = factories.session(title="Main part")
    session.agenda_items = [
        AgendaItem(position=1, title="Space sustainability"),
        AgendaItem(position=2, title="Satellite imagery"),
    ]
    db.session.commit()
    auth.login("chief@example.org")
    return session


def test_the_page_labels_each_item_and_saves_its_notes(client, meeting):
    items = {i.title: i.id for i in meeting.agenda_items}
    page = client.get(f"/organise/sessions/{meeting.id}/agenda")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    for title, item_id in items.items():
        assert f'<label for="item_{item_id}">' in body
        assert title in _text(page)
    saved = client.post(
        f"/organise/sessions/{meeting.id}/agenda",
        data={f"item_{items['Space sustainability']}": "Debris.\r\n\r\nGuidelines.  "},
    )
    assert saved.status_code == 302
    db.session.expire_all()
    notes = {i.title: i.notes for i in db.session.get(type(meeting), meeting.id).agenda_items}
    assert notes == {"Space sustainability": "Debris.\n\nGuidelines.", "Satellite imagery": ""}
    assert "Debris." in client.get(f"/organise/sessions/{meeting.id}/agenda").get_data(as_text=True)


def test_the_event_page_and_session_form_link_to_the_notes(client, meeting):
    target = f"/organise/sessions/{meeting.id}/agenda"
    assert target in client.get(f"/organise/events/{meeting.event_id}").get_data(as_text=True)
    assert target in client.get(f"/organise/sessions/{meeting.id}/edit").get_data(as_text=True)


def test_too_long_notes_are_refused_with_the_field_marked(client, meeting):
    item = meeting.agenda_items[0]
    answer = client.post(
        f"/organise/sessions/{meeting.id}/agenda", data={f"item_{item.id}": "x" * 20_001}
    )
    assert answer.status_code == 422
    assert 'aria-invalid="true"' in answer.get_data(as_text=True)


def test_a_session_without_agenda_says_where_to_add_items(client, meeting):
    bare = factories.session(meeting.event, title="Breakout")
    db.session.commit()
    page = _text(client.get(f"/organise/sessions/{bare.id}/agenda"))
    assert "This session has no agenda items yet." in page
