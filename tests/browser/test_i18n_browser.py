"""The demo in a real browser, in each of the six languages.

A participant chooses the language with the header's form (by keyboard), then opens the event
page, My programme, the table picks and the itinerary; the organiser's browser simply asks for the
language (Accept-Language) and opens the event report, the audit trail, the entities, the event's
topic tables and the roster. On a phone-sized viewport nothing may overflow sideways, no table of
the organiser's pages scrolls sideways, and a bulk action on the roster comes back to the bulk bar
with its message on screen. Screenshots land in /tmp/i18n-<locale>-<page>.png.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from meetingapp.extensions import db
from meetingapp.models import Event, SessionKind
from tests.factories import official_name_of
from tests.translate import BROWSER_LOCALE, LOCALES, t

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"]
PHONE = {"width": 390, "height": 844}
HTML_LANG = {"en": "en", "fr": "fr", "es": "es", "ru": "ru", "ar": "ar", "zh_Hans": "zh-Hans"}

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
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(10)


def _log_in(page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/auth/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/(organise/?|events/?)?$"))


def _choose_in_header(page, locale: str) -> None:
    """The header's language list: focus it and pick; the page changes language at once (with
    scripts the no-JS button is hidden)."""
    from playwright.sync_api import expect

    expect(page.locator(".language-switcher button")).to_be_hidden()
    page.focus("#language-select")
    with page.expect_navigation():
        page.select_option("#language-select", locale)


def _check(page, name: str, locale: str, *words: str) -> None:
    from playwright.sync_api import expect

    expect(page.locator("html")).to_have_attribute("lang", HTML_LANG[locale])
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if locale == "ar" else "ltr")
    for text in words:
        expect(page.locator("main")).to_contain_text(text)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name} ({locale}) is {overflow}px wider than the phone"
    page.screenshot(path=f"/tmp/i18n-{locale}-{name}.png", full_page=True)


@pytest.mark.parametrize("locale", LOCALES)
def test_demo_pages_in_each_language_on_a_phone(app, live_url, chromium, locale):
    events = {e.title: e for e in db.session.scalars(select(Event))}
    past = next(e for title, e in events.items() if "20th open" in title)
    upcoming = next(e for title, e in events.items() if "21st open" in title)
    ny = next(e for title, e in events.items() if "43rd session" in title)
    today = next(e for title, e in events.items() if "demo day" in title)
    picks_id = next(s.id for s in upcoming.sessions if s.kind == SessionKind.SPEED_NETWORKING)
    today_id = next(s.id for s in today.sessions if s.kind == SessionKind.SPEED_NETWORKING)
    past_id, ny_id, password = past.id, ny.id, app.config["DEMO_PASSWORD"]
    db.session.rollback()  # the server's threads have their own sessions; hold no transaction

    context = chromium.new_context(viewport=PHONE)
    page = context.new_page()
    _log_in(page, live_url, "participant01@example.org", password)
    _choose_in_header(page, locale)
    for name, path, words in [
        ("event", f"/events/{past_id}", [t(locale, "Topic tables"), t(locale, "Add to calendar")]),
        ("programme", "/me/", [t(locale, "My programme"), t(locale, "Notifications")]),
        ("picks", f"/rotation/sessions/{picks_id}/picks", [t(locale, "Pick your tables")]),
        (
            "itinerary",
            "/me/itinerary",
            [t(locale, "Round %(number)s, %(start)s", number=1, start="13:00")],
        ),
    ]:
        page.goto(live_url + path)
        _check(page, name, locale, *words)
    context.close()

    context = chromium.new_context(viewport=PHONE, locale=BROWSER_LOCALE[locale])
    page = context.new_page()
    _log_in(page, live_url, "organiser@example.org", password)
    # The official paragraph names the offices by their official names in the reader's language.
    official, training_day = t(locale, "For the official report"), official_name_of("DESA", locale)
    for name, path, words in [
        ("report", f"/reports/events/{ny_id}", [official, training_day]),
        ("audit", f"/organise/events/{ny_id}/audit", [t(locale, "Audit trail")]),
        ("entities", "/entities/", [t(locale, "Recent changes")]),
        ("tables", f"/organise/events/{past_id}", [t(locale, "Topic")]),
        ("roster", f"/registration/sessions/{today_id}/manage", [t(locale, "People")]),
    ]:
        page.goto(live_url + path)
        _check(page, name, locale, *words)
        # Tables turn into cards on the phone: no column hidden off to the side.
        hidden = page.evaluate(
            "Array.from(document.querySelectorAll('main table'))"
            ".filter(t => t.scrollWidth > t.parentElement.clientWidth + 1).length"
        )
        assert hidden == 0, f"{hidden} tables of {name} scroll sideways on the phone ({locale})"
    # The roster's tick boxes can be ticked; after a bulk removal the page comes back to the
    # bulk bar, with the message about it on screen.
    page.locator("tr.status-confirmed input[name=ids]").first.check()
    page.select_option("#bulk-action", "remove")
    with page.expect_navigation():
        page.click("#bulk button[type=submit]")
    with page.expect_navigation():
        page.click("main form.row-actions button.danger")
    in_view = "s => { const r = document.querySelector(s).getBoundingClientRect();"
    in_view += " return r.top >= 0 && r.top < innerHeight; }"
    assert page.evaluate(in_view, ".flashes"), f"no message on screen after the action ({locale})"
    assert page.evaluate(in_view, "#bulk"), f"the bulk bar is off screen after acting ({locale})"
    context.close()


_TEXT_SIDES = """(selector) => {
  const el = document.querySelector(selector), range = document.createRange();
  range.selectNodeContents(el);
  const text = range.getBoundingClientRect(), box = el.getBoundingClientRect();
  return {before: text.left - box.left, after: box.right - text.right};
}"""


@pytest.mark.parametrize("backend", ["sqlite"])  # the markup is the same on either database
@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 900}, PHONE], ids=["desktop", "phone"]
)
def test_pages_mirror_when_the_document_is_right_to_left(app, live_url, chromium, viewport):
    """Readiness for Arabic: with dir="rtl" on <html> the same stylesheet mirrors the layout."""
    event = db.session.scalar(select(Event).where(Event.title.like("%20th open%")))
    event_id = event.id
    db.session.rollback()
    context = chromium.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(f"{live_url}/events/{event_id}")
    ltr = page.evaluate(_TEXT_SIDES, "main h1")
    first_cell_ltr = page.locator("table.topic-tables th").first.bounding_box()
    page.evaluate("document.documentElement.dir = 'rtl'")
    rtl = page.evaluate(_TEXT_SIDES, "main h1")
    first_cell_rtl = page.locator("table.topic-tables th").first.bounding_box()
    assert ltr["before"] < 1 < ltr["after"], ltr  # the title starts at the left…
    assert rtl["after"] < 1 < rtl["before"], rtl  # …and at the right when mirrored
    # A table's first column moves to the right-hand side.
    assert first_cell_rtl["x"] > first_cell_ltr["x"]
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the mirrored page is {overflow}px too wide"
    page.screenshot(path=f"/tmp/i18n-rtl-{viewport['width']}.png", full_page=True)
    context.close()
