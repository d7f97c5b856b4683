"""The room board and the phone page answer their seats as JSON (what live.js fetches after a
re-plan, so that neither page reloads); a browser asking for the page still gets the page."""

from __future__ import annotations

from datetime import timedelta

import pytest

from meetingapp.extensions import db
from meetingapp.live import service
from meetingapp.models import LiveSession
from meetingapp.rotation.queries import latest_plan
from tests import factories
from tests.live_world import NOW, START, live_world

JSON = {"Accept": "application/json"}


@pytest.fixture
def world(app, clock):
    clock.set(NOW)
    w = live_world()
    service.live_row(w.session.id, w.organiser, NOW)
    w.token = db.session.get(LiveSession, w.session.id).board_token
    return w


def _round_two_replanned_without(world, clock, gone) -> None:
    """Started at 13:00, round 2 under way at 13:30; ``gone`` absent, the rounds left
    re-planned."""
    sid = world.session.id
    service.perform(session_id=sid, action="start", actor=world.organiser, now=START)
    later = START + timedelta(minutes=30)
    clock.set(later)
    for person in gone:
        service.mark_absent(
            session_id=sid,
            user_id=person.id,
            round_number=1,
            absent=True,
            actor=world.organiser,
            now=later,
        )
    service.replan_remaining(session_id=sid, actor=world.organiser, now=later)
    db.session.rollback()


def _table_codes(world, user_id: int) -> dict[str, str]:
    """{round from 1: table code} of ``user_id`` in the published plan."""
    plan = latest_plan(world.session.id, published_only=True)
    codes = {t.id: t.code for t in world.tables}
    return {
        str(a.round_number + 1): codes[a.table_id] for a in plan.assignments if a.user_id == user_id
    }


def test_after_a_replan_the_board_answers_the_new_seats_as_json(client, clock, world):
    gone = world.people[:2]
    first = client.get(f"/live/board/{world.token}", headers=JSON)
    assert first.status_code == 200 and first.mimetype == "application/json"
    assert first.headers["Cache-Control"] == "no-store" and "Accept" in first.headers["Vary"]
    assert {name for name, _code in first.get_json()["seats"]["board"]["3"]} >= {
        p.name for p in gone
    }

    _round_two_replanned_without(world, clock, gone)
    answer = client.get(f"/live/board/{world.token}", headers=JSON).get_json()

    assert answer["clock"]["plan_version"] == first.get_json()["clock"]["plan_version"] + 1
    assert answer["clock"]["state"] == "talking" and answer["clock"]["round"] == 2
    for round_number in ("3", "4"):
        names = [name for name, _code in answer["seats"]["board"][round_number]]
        assert names == sorted(p.name for p in world.people[2:])
    page = client.get(f"/live/board/{world.token}", headers={"Accept": "text/html,*/*;q=0.8"})
    assert page.mimetype == "text/html" and "Accept" in page.headers["Vary"]


def test_the_phone_answers_its_holders_seats_after_a_replan_and_nobody_elses(
    client, auth, clock, world
):
    person = world.people[5]
    _round_two_replanned_without(world, clock, world.people[:2])
    auth.login(person.email, factories.PASSWORD)

    answer = client.get(f"/live/sessions/{world.session.id}/me", headers=JSON)

    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    body = answer.get_json()
    assert {r: seat["code"] for r, seat in body["seats"]["mine"].items()} == _table_codes(
        world, person.id
    )
    assert body["seats"]["hosted"] is False
    assert body["clock"]["plan_version"] == latest_plan(world.session.id).version
    auth.logout()
    auth.login(world.outsider.email, factories.PASSWORD)
    refused = client.get(f"/live/sessions/{world.session.id}/me", headers=JSON)
    assert refused.status_code == 403 and "seats" not in (refused.get_json() or {})
