"""Check in three demo trainees from a real browser, then find them in the XLSX and the HTML report.

Drives Debian's Chromium through Playwright against the app served by a real WSGI server on
loopback. "Now" is frozen on the 2024 training day (FROZEN_NOW, honoured only in testing) so
check-in is open. The demo already has the 21 trainees checked in at 09:35, so each of the three
is undone first and checked in again at 10:03: the report must show the new time.
"""

from __future__ import annotations

import os
import re
import threading
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from werkzeug.serving import make_server

from meetingapp.extensions import db
from meetingapp.models import CheckIn, Event, SessionKind
from meetingapp.models.user import user_by_email

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"]
FROZEN_NOW = "2024-10-28T14:03:00+00:00"  # 10:03 in New York (EDT) on the training day
TRAINEES = ["participant01@example.org", "participant02@example.org", "participant03@example.org"]
SCREENSHOT = Path("/tmp/checkin-phone-390x844.png")

pytestmark = [pytest.mark.browser, pytest.mark.demo]


@pytest.fixture
def chromium():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {CHROMIUM} is missing (install Debian's chromium)")
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium to run browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_url(app):
    """The demo app (FROZEN_NOW on the training day) served on a free loopback port."""
    app.config["FROZEN_NOW"] = FROZEN_NOW
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(10)


def _log_in(page, base: str, password: str) -> None:
    page.goto(f"{base}/auth/login")
    page.fill("input[name=email]", "organiser@example.org")
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/(organise/?|events/?)?$"))


def test_organiser_checks_in_three_trainees_and_finds_them_in_xlsx_and_report(
    app, live_url, chromium, tmp_path
):
    from playwright.sync_api import expect

    event = db.session.scalar(select(Event).where(Event.title == "UN-Space, 43rd session"))
    day = next(s for s in event.sessions if s.kind == SessionKind.TRAINING)
    people = [user_by_email(e) for e in TRAINEES]
    ids, names = [p.id for p in people], [p.name for p in people]
    event_id, day_id, password = event.id, day.id, app.config["DEMO_PASSWORD"]
    db.session.rollback()  # the server's threads have their own sessions; hold no transaction

    context = chromium.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    problems: list[str] = []
    # Script errors and CSP violations; failed loads are checked by URL (no favicon is fine).
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on(
        "response",
        lambda r: (
            problems.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )
    _log_in(page, live_url, password)

    page.goto(f"{live_url}/organise/events/{event_id}")
    page.click(f"a[href='/checkin/sessions/{day_id}']")
    expect(page.locator("h1")).to_contain_text("Earth Observation for Societal Benefit")

    # The JS filter hides the others while typing (the ?q= form is the no-JS fallback).
    page.fill("#checkin-q", "participant 02")
    expect(page.locator(f"#p-{ids[1]}")).to_be_visible()
    expect(page.locator(f"#p-{ids[0]}")).to_be_hidden()
    page.fill("#checkin-q", "")
    expect(page.locator(f"#p-{ids[0]}")).to_be_visible()

    for uid, name in zip(ids, names, strict=True):
        undo = page.locator(f"#p-{uid}").get_by_role("button", name=f"Undo check-in of {name}")
        if undo.count():
            undo.click()
            expect(page.locator(".flash-success")).to_contain_text(f"Check-in of {name} undone.")
        page.locator(f"#p-{uid}").get_by_role("button", name=f"Check in {name}").click()
        expect(page.locator(".flash-success")).to_contain_text(f"{name} is checked in.")
        expect(page.locator(f"#p-{uid}")).to_contain_text("✓ 10:03 · Demo Organiser")
    expect(page.locator(".checkin-count")).to_contain_text("21 of 21 present")

    page.get_by_role("link", name="Report", exact=True).click()
    expect(page.locator("h1")).to_contain_text("Report: Training day")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download XLSX").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    sheet = load_workbook(saved)["People"]
    header = [c.value for c in sheet[1]]
    rows = [
        dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)
    ]
    found = {r["Name"]: r for r in rows if r["Name"] in names}
    assert set(found) == set(names)
    for row in found.values():
        assert row["Attended"] is True and row["Checked in by"] == "Demo Organiser"
        assert row["Checked in (America/New_York)"] == datetime(2024, 10, 28, 10, 3)

    for name in names:
        person_row = page.locator("table.report-people tr", has_text=name)
        expect(person_row).to_contain_text("28 Oct 2024 10:03")
    page.goto(f"{live_url}/reports/events/{event_id}")
    expect(page.locator(".report-paragraph").first).to_have_text(
        re.compile(
            r"^The training day was attended by 21 participants from the following offices: CTED, "
        )
    )

    db.session.expire_all()
    log = db.session.execute(
        select(CheckIn.user_id, CheckIn.action)
        .where(CheckIn.session_id == day_id, CheckIn.user_id.in_(ids))
        .order_by(CheckIn.id)
    ).all()
    assert [a for u, a in log if u == ids[0]] == ["check_in", "undo", "check_in"]
    assert problems == []  # no CSP violations, no script errors
    context.close()


def test_check_in_page_fits_a_phone(app, live_url, chromium):
    event = db.session.scalar(select(Event).where(Event.title == "UN-Space, 43rd session"))
    day_id = next(s for s in event.sessions if s.kind == SessionKind.TRAINING).id
    password = app.config["DEMO_PASSWORD"]
    db.session.rollback()
    context = chromium.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    _log_in(page, live_url, password)
    page.goto(f"{live_url}/checkin/sessions/{day_id}")
    for name in ("Participant 02", "Participant 04"):  # a list with both kinds of button
        page.get_by_role("button", name=f"Undo check-in of {name}").tap()
        page.wait_for_load_state()
    page.get_by_role("button", name="Check in Participant 02").wait_for()
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOT))
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways ({width}px)"
    button = page.locator(".checkin-person button").first.bounding_box()
    assert button["height"] >= 44 and button["width"] >= 88  # thumb-sized
    context.close()
