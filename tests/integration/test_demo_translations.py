"""The demo's upcoming speed dating reads in French for a French reader (issue 22, item 2)."""

import pytest
from sqlalchemy import select

from meetingapp.demo import data
from meetingapp.demo.service import UPCOMING
from meetingapp.extensions import db
from meetingapp.models import Event, SessionKind

pytestmark = pytest.mark.demo


def _upcoming_speed_dating():
    title = UPCOMING[data.VIENNA["title"]][0]
    event = db.session.scalar(select(Event).where(Event.title == title))
    return next(s for s in event.sessions if s.kind == SessionKind.SPEED_NETWORKING)


def test_demo_upcoming_speed_dating_tables_carry_french_titles(app):
    tables = _upcoming_speed_dating().tables
    assert len(tables) == 11
    french = {t.code: t.text_in("title", "fr") for t in tables}
    assert french["k"] == "Ressources spatiales"
    assert all(french[t.code] != t.topic for t in tables)


def test_demo_upcoming_speed_dating_page_in_french(client):
    session = _upcoming_speed_dating()
    page = client.get(f"/events/{session.event_id}", headers={"Accept-Language": "fr"})
    text = page.get_data(as_text=True)
    assert "Mieux connaître l’ONU" in text
    assert "Propriété intellectuelle et activités spatiales" in text
    assert "Intellectual property and space activities" not in text
