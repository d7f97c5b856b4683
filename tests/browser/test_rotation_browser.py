"""Speed dating in a real browser: a participant ranks three tables, the organiser sees the demand,
plans the rotation and publishes it; the participant reads the itinerary on My programme and
downloads it as .ics (four rounds in Europe/Vienna).

The demo's upcoming speed dating has 30 registered (participants 11–40) and picks from 11–30.
Participant 45 sat no earlier rotation of this event (participants 01–44 sat the 2024 one; 45 sits
the demo's session of the day, whose rounds are told apart by their session): they register, then
rank three tables with the page's buttons (add, then up). Run on the desktop in the six languages
and on the phone in Arabic and Russian (``on_each_device``); every page is checked with axe-core."""

from __future__ import annotations

import re

import pytest
from icalendar import Calendar
from sqlalchemy import select

from meetingapp.domain.timezones import utc_to_local, zone_label
from meetingapp.extensions import db
from meetingapp.models import (
    EventSession,
    NetworkingRound,
    RotationAssignment,
    RotationPlan,
    SessionKind,
    TopicTable,
)
from meetingapp.models.user import user_by_email
from meetingapp.rotation.queries import demand, my_picks
from tests.browser.conftest import demo_session, loading, on_each_device, screenshot, visit

pytestmark = [pytest.mark.browser, pytest.mark.demo]

SPEED_EVENT = "UN-Space, 21st open informal session"
PARTICIPANT = "participant45@example.org"
ZONE = "Europe/Vienna"


def _nav(page, tr, name: str):
    main = page.get_by_role("navigation", name=tr("Main"))
    return main.get_by_role("link", name=tr(name), exact=True)


@on_each_device
def test_picks_then_published_rotation_show_on_my_programme_and_in_ics(pages, tr, tmp_path):
    from playwright.sync_api import expect

    event_id, speed_id = demo_session(SPEED_EVENT, SessionKind.SPEED_NETWORKING)
    tables = {
        t.code: t
        for t in db.session.scalars(select(TopicTable).where(TopicTable.session_id == speed_id))
    }
    chosen = [tables["h"].id, tables["b"].id, tables["k"].id]
    session_title = tr.demo_title(db.session.get(EventSession, speed_id).title)
    user_id = user_by_email(PARTICIPANT).id
    assert my_picks(speed_id, user_id) == []
    db.session.rollback()

    # The participant registers and ranks three tables from the event page.
    person = pages.new(PARTICIPANT)
    visit(person, f"/events/{event_id}")
    slot = person.locator(f"#session-{speed_id}")
    with loading(person):
        slot.get_by_role("button", name=re.compile(f"^{re.escape(tr('Register'))} ")).click()
    expect(slot).to_contain_text(tr("You are registered."))
    with loading(person):
        slot.get_by_role("link", name=tr("Pick your tables")).click()
    # Each button saves at once: add h, k and b in that order, then move b up one place.
    codes = {t.id: code for code, t in tables.items()}
    added = [chosen[0], chosen[2], chosen[1]]
    for rank, table_id in enumerate(added, start=1):
        add = tr("Add as my %(ordinal)s choice", ordinal=tr.ordinal(rank))
        with loading(person):
            person.locator(f"#table-{table_id}").get_by_role("button", name=add).click()
        expect(person.locator(".flash-success")).to_have_text(
            tr(
                "Table %(code)s is now your %(ordinal)s choice.",
                code=codes[table_id],
                ordinal=tr.ordinal(rank),
            )
        )
        expect(person.locator(f"#pick-{table_id} .pick-rank")).to_have_text(
            tr("%(ordinal)s choice", ordinal=tr.ordinal(rank))
        )
    with loading(person):
        person.locator(f"#pick-{chosen[1]}").get_by_role("button", name=tr("Up")).click()
    expect(person.locator(".flash-success")).to_have_text(
        tr(
            "Table %(code)s is now your %(ordinal)s choice.",
            code="b",
            ordinal=tr.ordinal(2),
        )
    )
    ranks = person.locator("section[aria-labelledby=mine-h] .pick-rank")
    expect(ranks).to_have_text([tr("%(ordinal)s choice", ordinal=tr.ordinal(n)) for n in (1, 2, 3)])
    expect(person.locator("section[aria-labelledby=mine-h] .pick-table strong")).to_have_text(
        ["h", "b", "k"]
    )
    screenshot(person, "picks")
    assert my_picks(speed_id, user_id) == chosen
    expected_demand = [
        (d.table.code, d.first, d.total) for d in demand(db.session.get(EventSession, speed_id))
    ]
    db.session.rollback()

    # The organiser: Organise → the event → Rotation; demand per table, plan, publish.
    organiser = pages.new("organiser@example.org")
    with loading(organiser):
        _nav(organiser, tr, "Organise").click()
    screenshot(organiser, "dashboard")
    with loading(organiser):
        organiser.get_by_role("link", name=re.compile(f"^{SPEED_EVENT}")).click()
    screenshot(organiser, "organise-event")
    with loading(organiser):
        organiser.locator(f"#s{speed_id}").get_by_role("link", name=tr("Rotation")).click()
    expect(organiser.locator("main")).to_contain_text(tr("not planned yet"))
    demand_rows = organiser.locator(
        "section", has=organiser.get_by_role("heading", name=tr("Demand per table"))
    ).locator("tbody tr")
    expect(demand_rows).to_have_count(11)
    shown = []
    for row in demand_rows.all():
        cells = [c.strip() for c in row.locator("th, td").all_inner_texts()]
        shown.append((cells[0], int(cells[3]), int(cells[4])))
    assert shown == expected_demand
    assert sum(first for _, first, _ in shown) == 21  # 20 in the demo, and participant 45
    assert dict((c, f) for c, f, _ in shown)["h"] >= 1

    organiser.get_by_label(tr("Time for mixing (seconds)")).fill("0.5")
    with loading(organiser):
        organiser.get_by_role("button", name=tr("Plan rotation")).click()
    expect(organiser.locator(".flash-success")).to_have_text(
        tr.pattern(
            "Rotation planned: preference score %(score)s of %(optimal)s possible, "
            "%(repeats)s repeated encounters, %(same)s same-entity pairs."
        )
    )
    expect(organiser.locator("p.meta strong")).to_have_text(tr("draft"))
    with loading(organiser):
        organiser.get_by_role("button", name=tr("Publish to participants")).click()
    expect(organiser.locator(".flash-success")).to_have_text(
        tr("Rotation published: participants see their itineraries.")
    )
    expect(organiser.locator("p.meta strong")).to_have_text(tr("published"))
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
        (a.round_number, a.table.code, tr.demo_title(a.table.topic))
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
    hosts = {code: table.host_display.replace(", ", "/", 1) for code, table in tables.items()}
    db.session.rollback()
    assert [n for n, _, _ in mine] == [0, 1, 2, 3]
    assert len({code for _, code, _ in mine}) == 4  # four different tables
    assert times[0][0].strftime("%H:%M") == "13:00"

    # The participant's itinerary on My programme, then the .ics.
    with loading(person):
        _nav(person, tr, "My programme").click()
    # Participant 45 also sits the demo's session of the day (participants 41-52): its rounds
    # are listed too, under their own session's title.
    stops = person.locator("section[aria-labelledby=rot-h] ol.itinerary > li").filter(
        has=person.locator("p.kind", has_text=session_title)
    )
    expect(stops).to_have_count(4)
    for stop, (n, code, topic) in zip(stops.all(), mine, strict=True):
        start, end = times[n]
        when = tr("Round %(number)s, %(start)s", number=n + 1, start=f"{start:%H:%M}")
        where = tr(
            "table %(code)s — %(topic)s, host %(host)s", code=code, topic=topic, host=hosts[code]
        )
        expect(stop).to_contain_text(
            re.compile(
                rf"{re.escape(when)}–{end:%H:%M} {re.escape(zones[n])},\s+{re.escape(where)}"
            )
        )
    first = tr("Round %(number)s, %(start)s", number=1, start="13:00")
    expect(stops.first).to_contain_text(f"{first}–13:20")
    screenshot(person, "programme-itinerary")

    with person.expect_download() as info:
        person.get_by_role("link", name=tr("Add my programme to my calendar (.ics)")).click()
    download = info.value
    assert download.suggested_filename == "my-programme.ics"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    calendar = Calendar.from_ical(saved.read_bytes())
    assert [str(z["TZID"]) for z in calendar.walk("VTIMEZONE")] == [ZONE]
    entries = sorted(
        (
            e
            for e in calendar.walk("VEVENT")
            if str(e["UID"]).startswith((f"session-{speed_id}@", f"session-{speed_id}-"))
        ),
        key=lambda e: e.decoded("DTSTART"),
    )
    assert len(entries) == 4  # the rounds replace the session's own entry
    for entry, (n, code, topic) in zip(entries, mine, strict=True):
        assert str(entry["SUMMARY"]) == tr(
            "Round %(round)s: table %(code)s — %(topic)s", round=n + 1, code=code, topic=topic
        )
        for prop in ("DTSTART", "DTEND"):
            assert entry[prop].params["TZID"] == ZONE
        start, end = times[n]
        assert entry.decoded("DTSTART").replace(tzinfo=None) == start.replace(tzinfo=None)
        assert entry.decoded("DTEND").replace(tzinfo=None) == end.replace(tzinfo=None)
        assert entry.decoded("DTSTART").utcoffset() == start.utcoffset()
        assert str(entry["UID"]).startswith(f"session-{speed_id}-round-{n + 1}@")
