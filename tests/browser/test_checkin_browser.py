"""Check in three demo trainees from a real browser, then find them in the XLSX and the HTML report.

Drives Debian's Chromium through Playwright against the app served by a real WSGI server on
loopback (the shared fixtures in conftest.py), on a desktop and a phone. "Now" is frozen on the
2024 training day (FROZEN_NOW, honoured only in testing) so check-in is open. The demo already has
the 21 trainees checked in at 09:35, so each of the three is undone first and checked in again at
10:03: the report must show the new time. Run on the desktop in the six languages and on the phone
in Arabic and Russian (``on_each_device``). Every page is checked with axe-core; console errors
(CSP violations included) and failed loads fail the test."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from meetingapp.domain.official_report import official_paragraph
from meetingapp.extensions import db
from meetingapp.models import CheckIn, Event, SessionKind
from meetingapp.models.user import user_by_email
from tests.browser.conftest import loading, on_each_device, screenshot, visit
from tests.factories import official_name_of

FROZEN_NOW = "2024-10-28T14:03:00+00:00"  # 10:03 in New York (EDT) on the training day
TRAINEES = ["participant01@example.org", "participant02@example.org", "participant03@example.org"]
SCREENSHOTS = Path("/tmp")

pytestmark = [pytest.mark.browser, pytest.mark.demo]


def _training_day(title: str = "UN-Space, 43rd session"):
    event = db.session.scalar(select(Event).where(Event.title == title))
    day = next(s for s in event.sessions if s.kind == SessionKind.TRAINING)
    return event.id, day.id, day.title


@on_each_device
def test_organiser_checks_in_three_trainees_and_finds_them_in_xlsx_and_report(
    live_server, pages, tr, tmp_path
):
    from playwright.sync_api import expect

    live_server.app.config["FROZEN_NOW"] = FROZEN_NOW
    event_id, day_id, day_title = _training_day()
    people = [user_by_email(e) for e in TRAINEES]
    ids, names = [p.id for p in people], [p.name for p in people]
    db.session.rollback()  # the server has its own connections; the test holds no transaction

    page = pages.new("organiser@example.org")
    visit(page, f"/organise/events/{event_id}")
    with loading(page):
        page.click(f"a[href='/checkin/sessions/{day_id}']")
    expect(page.locator("h1")).to_contain_text("Earth Observation for Societal Benefit")

    # The JS filter hides the others while typing (the ?q= form is the no-JS fallback).
    page.fill("#checkin-q", "participant 02")
    expect(page.locator(f"#p-{ids[1]}")).to_be_visible()
    expect(page.locator(f"#p-{ids[0]}")).to_be_hidden()
    page.fill("#checkin-q", "")
    expect(page.locator(f"#p-{ids[0]}")).to_be_visible()

    for uid, name in zip(ids, names, strict=True):
        undo = page.locator(f"#p-{uid}").get_by_role(
            "button", name=f"{tr('Undo')} {tr('check-in of %(name)s', name=name)}"
        )
        if undo.count():
            with loading(page):
                undo.click()
            expect(page.locator(".flash-success")).to_contain_text(
                tr("Check-in of %(name)s undone.", name=name)
            )
        with loading(page):
            page.locator(f"#p-{uid}").get_by_role(
                "button", name=f"{tr('Check in')} {name}", exact=True
            ).click()
        expect(page.locator(".flash-success")).to_contain_text(
            tr("%(name)s is checked in.", name=name)
        )
        expect(page.locator(f"#p-{uid}")).to_contain_text("✓ 10:03 · Demo Organiser")
    expect(page.locator(".checkin-count")).to_have_text(
        tr.text("<strong>%(present)s</strong> of %(expected)s present", present=21, expected=21)
    )

    with loading(page):
        page.get_by_role("link", name=tr("Report"), exact=True).click()
    expect(page.locator("h1")).to_have_text(tr("Report: %(title)s", title=day_title))
    screenshot(page, "session-report")
    with page.expect_download() as info:
        page.get_by_role("link", name=tr("Download XLSX")).click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    sheet = load_workbook(saved)[tr("People")]
    header = [c.value for c in sheet[1]]
    rows = [
        dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)
    ]
    found = {r[tr("Name")]: r for r in rows if r[tr("Name")] in names}
    assert set(found) == set(names)
    checked_in = tr("Checked in %(zone)s", zone="(America/New_York)")
    for row in found.values():
        assert row[tr("Attended")] is True and row[tr("Checked in by")] == "Demo Organiser"
        assert row[checked_in] == datetime(2024, 10, 28, 10, 3)

    for name in names:
        person_row = page.locator("table.report-people tr", has_text=name)
        expect(person_row).to_contain_text(f"{tr.date(date(2024, 10, 28))} 10:03")
    visit(page, f"/reports/events/{event_id}")
    # The official paragraph (domain.official_report, in the UN's wording for the language):
    # 21 trainees, the offices by their official names in the reader's language, DESA first.
    opening = official_paragraph(tr.locale, 21, ["\0"]).split("\0")[0] + official_name_of(
        "DESA", tr.locale
    )
    expect(page.locator(".report-paragraph").first).to_have_text(
        re.compile("^" + re.escape(opening))
    )
    screenshot(page, "event-report")

    db.session.expire_all()
    log = db.session.execute(
        select(CheckIn.user_id, CheckIn.action)
        .where(CheckIn.session_id == day_id, CheckIn.user_id.in_(ids))
        .order_by(CheckIn.id)
    ).all()
    assert [a for u, a in log if u == ids[0]] == ["check_in", "undo", "check_in"]
    # No CSP violations, script errors or failed loads: the ``pages`` fixture fails the test.


@pytest.mark.parametrize("device", ["phone"])
@pytest.mark.parametrize("lang", ["en", "zh_Hans"])
def test_check_in_page_fits_a_phone(live_server, pages, tr):
    from playwright.sync_api import expect

    live_server.app.config["FROZEN_NOW"] = FROZEN_NOW
    _, day_id, _ = _training_day()
    db.session.rollback()
    page = pages.new("organiser@example.org")
    visit(page, f"/checkin/sessions/{day_id}")
    for name in ("Participant 02", "Participant 04"):  # a list with both kinds of button
        with loading(page):
            page.get_by_role(
                "button", name=f"{tr('Undo')} {tr('check-in of %(name)s', name=name)}"
            ).tap()
        expect(page.locator(".flash-success")).to_contain_text(
            tr("Check-in of %(name)s undone.", name=name)
        )
    page.get_by_role("button", name=f"{tr('Check in')} Participant 02", exact=True).wait_for()
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOTS / f"checkin-phone-390x844-{tr.locale}.png"))
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways ({width}px)"
    button = page.locator(".checkin-person button").first.bounding_box()
    assert button["height"] >= 44 and button["width"] >= 88  # thumb-sized
