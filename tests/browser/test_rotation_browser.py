"""Speed dating in a real browser: a participant ranks three tables, the organiser sees the demand,
plans the rotation and publishes it; the participant reads the itinerary on My programme and
downloads it as .ics (four rounds in Europe/Vienna).

The demo's upcoming speed dating has 30 registered (participants 11–40) and picks from 11–30.
Participant 45 has no history in the demo (participants 01–44 sat the 2024 rotation, whose rounds
would also be on their programme): they register, then rank three tables. Desktop (SQLite and
PostgreSQL) and phone (SQLite); every page is checked with axe-core.
"""

from __future__ import annotations

import re

import pytest
from icalendar import Calendar
from sqlalchemy import select

from meetingapp.domain.timezones import utc_to_local, zone_label
from meetingapp.extensions import db
from meetingapp.models import (
    NetworkingRound,
    RotationAssignment,
    RotationPlan,
    SessionKind,
    TopicTable,
)
from meetingapp.models.user import user_by_email
from meetingapp.services.rotation import demand, my_picks
from tests.browser.conftest import demo_session, loading, on_each_device, screenshot, visit

pytestmark = [pytest.mark.browser, pytest.mark.demo]

SPEED_EVENT = "UN-Space, 21st open informal session"
PARTICIPANT = "participant45@example.org"
ZONE = "Europe/Vienna"


def _nav(page, name: str):
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True)


@on_each_device
def test_picks_then_published_rotation_show_on_my_programme_and_in_ics(pages, tmp_path):
    from playwright.sync_api import expect

    event_id, speed_id = demo_session(SPEED_EVENT, SessionKind.SPEED_NETWORKING)
    tables = {
        t.code: t
        for t in db.session.scalars(select(TopicTable).where(TopicTable.session_id == speed_id))
    }
    chosen = [tables["h"].id, tables["b"].id, tables["k"].id]
    user_id = user_by_email(PARTICIPANT).id
    assert my_picks(speed_id, user_id) == []
    db.session.rollback()

    # The participant registers and ranks three tables from the event page.
    person = pages.new(PARTICIPANT)
    visit(person, f"/events/{event_id}")
    slot = person.locator(f"#session-{speed_id}")
    with loading(person):
        slot.get_by_role("button", name=re.compile("^Register for ")).click()
    expect(slot).to_contain_text("You are registered.")
    with loading(person):
        slot.get_by_role("link", name="Pick your tables").click()
    for ordinal, table_id in zip(("1st", "2nd", "3rd"), chosen, strict=True):
        person.get_by_label(f"{ordinal} choice").select_option(str(table_id))
    screenshot(person, "picks")
    with loading(person):
        person.get_by_role("button", name="Save my picks").click()
    expect(person.locator(".flash-success")).to_have_text("Your table picks are saved.")
    assert my_picks(speed_id, user_id) == chosen
    expected_demand = [(d.table.code, d.first, d.total) for d in demand(speed_id)]
    db.session.rollback()

    # The organiser: Organise → the event → Rotation; demand per table, plan, publish.
    organiser = pages.new("organiser@example.org")
    with loading(organiser):
        _nav(organiser, "Organise").click()
    screenshot(organiser, "dashboard")
    with loading(organiser):
        organiser.get_by_role("link", name=re.compile(f"^{SPEED_EVENT}")).click()
    screenshot(organiser, "organise-event")
    with loading(organiser):
        organiser.locator(f"#s{speed_id}").get_by_role("link", name="Rotation").click()
    expect(organiser.locator("main")).to_contain_text("not planned yet")
    demand_rows = organiser.locator(
        "section", has=organiser.get_by_role("heading", name="Demand per table")
    ).locator("tbody tr")
    expect(demand_rows).to_have_count(11)
    shown = []
    for row in demand_rows.all():
        cells = [c.strip() for c in row.locator("th, td").all_inner_texts()]
        shown.append((cells[0], int(cells[3]), int(cells[4])))
    assert shown == expected_demand
    assert sum(first for _, first, _ in shown) == 21  # 20 in the demo, and participant 45
    assert dict((c, f) for c, f, _ in shown)["h"] >= 1

    organiser.get_by_label("Time for mixing (seconds)").fill("0.5")
    with loading(organiser):
        organiser.get_by_role("button", name="Plan rotation").click()
    expect(organiser.locator(".flash-success")).to_contain_text(
        "Rotation planned: preference score"
    )
    expect(organiser.locator("p.meta strong")).to_have_text("draft")
    with loading(organiser):
        organiser.get_by_role("button", name="Publish to participants").click()
    expect(organiser.locator(".flash-success")).to_have_text(
        "Rotation published: participants see their itineraries."
    )
    expect(organiser.locator("p.meta strong")).to_have_text("published")
    screenshot(organiser, "rotation-plan")

    plan = db.session.scalar(
        select(RotationPlan).where(
            RotationPlan.session_id == speed_id, RotationPlan.status == "published"
        )
    )
    rounds = {
        r.number: r
        for r in db.session.scalars(
            select(NetworkingRound).where(NetworkingRound.session_id == speed_id)
        )
    }
    mine = sorted(
        (a.round_number, a.table.code, a.table.topic)
        for a in db.session.scalars(
            select(RotationAssignment).where(
                RotationAssignment.plan_id == plan.id, RotationAssignment.user_id == user_id
            )
        )
    )
    times = {
        n: (utc_to_local(r.starts_at, ZONE), utc_to_local(r.ends_at, ZONE))
        for n, r in rounds.items()
    }
    zones = {n: zone_label(r.starts_at, ZONE) for n, r in rounds.items()}  # "CET (UTC+1)"
    db.session.rollback()
    assert [n for n, _, _ in mine] == [0, 1, 2, 3]
    assert len({code for _, code, _ in mine}) == 4  # four different tables
    assert times[0][0].strftime("%H:%M") == "13:00"

    # The participant's itinerary on My programme, then the .ics.
    with loading(person):
        _nav(person, "My programme").click()
    stops = person.locator("section[aria-labelledby=rot-h] ol.itinerary > li")
    expect(stops).to_have_count(4)
    for stop, (n, code, topic) in zip(stops.all(), mine, strict=True):
        start, end = times[n]
        expect(stop).to_contain_text(
            re.compile(
                rf"Round {n + 1}, {start:%H:%M}–{end:%H:%M} {re.escape(zones[n])},\s+"
                rf"table {code} — {re.escape(topic)}, host "
            )
        )
    expect(stops.first).to_contain_text("Round 1, 13:00–13:20")
    screenshot(person, "programme-itinerary")

    with person.expect_download() as info:
        person.get_by_role("link", name="Add my programme to my calendar (.ics)").click()
    download = info.value
    assert download.suggested_filename == "my-programme.ics"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    calendar = Calendar.from_ical(saved.read_bytes())
    assert [str(z["TZID"]) for z in calendar.walk("VTIMEZONE")] == [ZONE]
    entries = sorted(
        (e for e in calendar.walk("VEVENT") if str(e["SUMMARY"]).startswith("Round ")),
        key=lambda e: e.decoded("DTSTART"),
    )
    assert len(entries) == 4
    assert len(calendar.walk("VEVENT")) == 4  # the rounds replace the session's own entry
    for entry, (n, code, topic) in zip(entries, mine, strict=True):
        assert str(entry["SUMMARY"]) == f"Round {n + 1}: table {code} — {topic}"
        for prop in ("DTSTART", "DTEND"):
            assert entry[prop].params["TZID"] == ZONE
        start, end = times[n]
        assert entry.decoded("DTSTART").replace(tzinfo=None) == start.replace(tzinfo=None)
        assert entry.decoded("DTEND").replace(tzinfo=None) == end.replace(tzinfo=None)
        assert entry.decoded("DTSTART").utcoffset() == start.utcoffset()
        assert str(entry["UID"]).startswith(f"session-{speed_id}-round-{n + 1}@")
