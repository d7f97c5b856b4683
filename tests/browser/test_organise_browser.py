"""The organiser builds a speed-networking event in a real browser and sees it on the timetable.

Organise → New event → Add speed networking (4 rounds of 20 minutes, 3 to move) → Add table
×11 with "Save and add another" → Publish; the public timetable shows the 4 rounds with their
times and the 11 topic tables. Desktop (SQLite and PostgreSQL) and phone (SQLite) in English,
desktop and phone in Chinese; every page is checked with axe-core.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from meetingapp.demo.data import ORGANISATIONS
from meetingapp.extensions import db
from meetingapp.models import Event, SessionKind
from tests.browser.conftest import loading, on_each_device, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.demo]  # the demo's organiser and entities

TITLE = "UN-Space, 22nd open informal session (browser test)"
SESSION = "Getting to know the UN: speed networking"
TABLES = [  # (topic, host entity)
    ("Intellectual property and space activities", "WIPO"),
    ("Nuclear safety and outer space", "IAEA"),
    ("Earth observation for crime monitoring", "UNODC"),
    ("Multilateral space security", "UNODA"),
    ("Monitoring nuclear explosions", "CTBTO"),
    ("Infrasound and outer space", "CTBTO"),
    ("Satellite imagery and disasters", "UNOOSA"),
    ("Dark and quiet skies", "UNOOSA"),
    ("Space for Women", "UNOOSA"),
    ("Space for Water", "UNOOSA"),
    ("Space resources", "UNOOSA"),
]
ENTITY = {short: f"{short} — {full}" for short, full in ORGANISATIONS}  # the selects' labels
ROUNDS = [("13:00", "13:20"), ("13:23", "13:43"), ("13:46", "14:06"), ("14:09", "14:29")]


@on_each_device
def test_organiser_creates_speed_networking_with_11_tables_and_sees_rounds_on_timetable(pages, tr):
    from playwright.sync_api import expect

    day = date.today() + timedelta(days=60)
    page = pages.new("organiser@example.org")

    def field(label: str):
        # The field itself, not its namesakes in the per-language fieldsets (translations-xx-…).
        own = page.locator(':is(input, textarea, select):not([name^="translations-"])')
        return page.get_by_label(tr(label), exact=True).and_(own)

    nav = page.get_by_role("navigation", name=tr("Main"))
    with loading(page):
        nav.get_by_role("link", name=tr("Organise"), exact=True).click()
    with loading(page):
        page.get_by_role("link", name=tr("New event")).click()
    expect(page.locator("h1")).to_have_text(tr("New event"))
    field("Title").fill(TITLE)
    field("Description").fill("Small-group discussions with staff of UN entities.")
    field("City").fill("Vienna")
    field("Venue").fill("Vienna International Centre")
    field("Time zone").fill("Europe/Vienna")
    field("Starts on").fill(day.isoformat())
    field("Ends on").fill(day.isoformat())
    field("Organising entity").select_option(label=ENTITY["UNOOSA"])
    screenshot(page, "event-form")
    with loading(page):
        page.get_by_role("button", name=tr("Save event")).click()
    expect(page.locator(".flash-success")).to_have_text(
        tr("Event created (unpublished). Add its sessions, then publish it.")
    )
    expect(page.locator("h1")).to_have_text(TITLE)

    with loading(page):
        page.get_by_role("link", name=tr("Add speed networking")).click()
    expect(field("Kind")).to_have_value("speed_networking")
    expect(field("Day")).to_have_value(day.isoformat())
    field("Title").fill(SESSION)
    field("Starts (local time)").fill("13:00")
    field("Ends (local time)").fill("14:30")
    field("Room").fill("Board Room B")
    field("Capacity").fill("88")
    field("Rounds").fill("4")
    field("Minutes per round").fill("20")
    field("Minutes to move between rounds").fill("3")
    field("Minimum distinct tables per participant").fill("3")
    field("Tables each participant may rank").fill("5")
    screenshot(page, "session-form")
    with loading(page):
        page.get_by_role("button", name=tr("Save session")).click()
    expect(page.locator(".flash-success")).to_have_text(tr("Session added."))

    slot = page.locator("li.slot.kind-speed_networking", has_text=SESSION)
    with loading(page):
        slot.get_by_role("link", name=tr("Add table")).click()
    for number, (topic, host) in enumerate(TABLES):
        code = "abcdefghijk"[number]
        expect(page.locator("h1")).to_have_text(tr("New topic table"))
        expect(field("Code")).to_have_value(code)  # the next free code
        field("Topic").fill(topic)
        field("Host entity").select_option(label=ENTITY[host])
        field("Seats per round").fill("8")
        field("Minimum to open the table").fill("2")
        if number == 0:
            screenshot(page, "table-form")
        button = "Save table" if number == len(TABLES) - 1 else "Save and add another"
        with loading(page):
            page.get_by_role("button", name=tr(button)).click()
        expect(page.locator(".flash-success")).to_have_text(tr("Table added."))
    expect(page.locator("h1")).to_have_text(TITLE)  # back on the event after the 11th
    expect(slot.locator("table tbody tr")).to_have_count(11)
    expect(slot).to_contain_text(
        tr(
            "%(rounds)s rounds of %(minutes)s min, %(move)s min to move",
            rounds=4,
            minutes=20,
            move=3,
        )
    )
    expect(slot).to_contain_text(", ".join(start for start, _ in ROUNDS))
    expect(slot).to_contain_text(tr("%(count)s tables", count=11))

    with loading(page):
        page.get_by_role("button", name=tr("Publish"), exact=True).click()
    expect(page.locator(".flash-success")).to_have_text(tr("Event published."))
    screenshot(page, "organise-new-event")
    with loading(page):
        page.get_by_role("link", name=tr("Public page")).click()

    expect(page.locator("h1")).to_have_text(TITLE)
    public = page.locator("li.slot.kind-speed_networking", has_text=SESSION)
    expect(public.locator(".slot-time")).to_contain_text("13:00–14:30")
    rounds = public.locator("ol.rounds > li")
    expect(rounds).to_have_count(4)
    for item, (number, (start, end)) in zip(rounds.all(), enumerate(ROUNDS, 1), strict=True):
        label = re.escape(tr("Round %(number)s:", number=number))
        expect(item).to_have_text(re.compile(rf"^{label}\s*{start}–{end}$"))
    topics = public.locator("table.topic-tables tbody tr")
    expect(topics).to_have_count(11)
    expect(topics.last).to_contain_text("Space resources")
    screenshot(page, "public-timetable")

    event = db.session.scalar(select(Event).where(Event.title == TITLE))
    assert event.published and event.timezone == "Europe/Vienna"
    (session,) = [s for s in event.sessions if s.kind == SessionKind.SPEED_NETWORKING]
    assert len(session.tables) == 11 and len(session.rounds) == 4
    db.session.rollback()
