"""Registration in a real browser: the waitlist and its promotion, and registration and table
picks by keyboard only.

The demo's upcoming training day ("UN-Space, 44th session") has 21 seats with 18 confirmed; the
upcoming speed dating has open registration and picks. Run on the desktop in the six languages and
on the phone in Arabic and Russian (``on_each_device``); every page is checked with axe-core."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from meetingapp.extensions import db
from meetingapp.models import Registration, SessionKind, TopicTable
from meetingapp.models.user import user_by_email
from meetingapp.registration.service import register_participant
from meetingapp.rotation.queries import my_picks
from tests.browser.conftest import (
    demo_session,
    loading,
    on_each_device,
    screenshot,
    visit,
)

pytestmark = [pytest.mark.browser, pytest.mark.demo]

TRAINING_EVENT = "UN-Space, 44th session"
SPEED_EVENT = "UN-Space, 21st open informal session"
DAY_TITLE = "Training day “Earth Observation for Societal Benefit”"


def _status(session_id: int, email: str) -> str:
    user = user_by_email(email)
    statuses = db.session.scalars(
        select(Registration.status)
        .where(Registration.session_id == session_id, Registration.user_id == user.id)
        .order_by(Registration.id)
    ).all()
    db.session.rollback()
    return statuses[-1].value if statuses else "none"


def _programme_card(page, event_title: str, session_title: str):
    return (
        page.locator("ul.programme > li")
        .filter(has_text=event_title)
        .filter(has_text=session_title)
    )


@on_each_device
def test_full_training_day_waitlists_then_promotes_when_a_seat_opens(pages, tr):
    from playwright.sync_api import expect

    event_id, day_id = demo_session(TRAINING_EVENT, SessionKind.TRAINING)
    now = datetime.now(UTC)
    for n in (41, 42, 43):  # seats 19–21
        outcome = register_participant(
            user=user_by_email(f"participant{n}@example.org"), session_id=day_id, now=now
        )
        assert outcome.status == "confirmed"
    db.session.rollback()

    waiting = pages.new("participant45@example.org")
    visit(waiting, f"/events/{event_id}")
    slot = waiting.locator(f"#session-{day_id}")
    expect(slot.locator(".availability")).to_have_text(tr("Full · waitlist open"))
    screenshot(waiting, "event-full-training-day")
    with loading(waiting):
        slot.get_by_role(
            "button", name=f"{tr('Join the waitlist')} {tr('for %(title)s', title=DAY_TITLE)}"
        ).click()
    expect(waiting.locator(".flash-info")).to_have_text(
        tr(
            "The session is full: you are %(ordinal)s on the waitlist. You will be "
            "confirmed automatically when a seat opens.",
            ordinal=tr.ordinal(1),
        )
    )
    expect(slot).to_contain_text(tr("You are %(ordinal)s on the waitlist.", ordinal=tr.ordinal(1)))
    expect(
        slot.get_by_role("link", name=f"{tr('Leave the waitlist…')} {DAY_TITLE}")
    ).to_be_visible()
    assert _status(day_id, "participant45@example.org") == "waitlisted"

    with loading(waiting):
        waiting.get_by_role("navigation", name=tr("Main")).get_by_role(
            "link", name=tr("My programme")
        ).click()
    card = _programme_card(waiting, TRAINING_EVENT, DAY_TITLE)
    expect(card.locator(".reg-status")).to_have_text(
        tr("%(ordinal)s on the waitlist", ordinal=tr.ordinal(1))
    )
    screenshot(waiting, "programme-waitlisted")

    leaving = pages.new("participant41@example.org")
    with loading(leaving):
        leaving.get_by_role("navigation", name=tr("Main")).get_by_role(
            "link", name=tr("My programme")
        ).click()
    mine = _programme_card(leaving, TRAINING_EVENT, DAY_TITLE)
    expect(mine.locator(".reg-status")).to_have_text(tr("Confirmed"))
    with loading(leaving):  # giving up a seat others wait for asks first, and says so
        mine.get_by_role("link", name=f"{tr('Cancel registration…')} {DAY_TITLE}").click()
    expect(leaving.locator("main")).to_contain_text(
        tr.plural(
            "%(num)d person is waiting: they get your seat at once, and you cannot have it back.",
            "%(num)d people are waiting: the first of them gets your seat at once, and you "
            "cannot have it back.",
            1,
        )
    )
    with loading(leaving):
        leaving.get_by_role("button", name=tr("Give up my seat")).click()
    expect(leaving.locator(".flash-success")).to_have_text(
        tr("Your registration for “%(title)s” is withdrawn.", title=DAY_TITLE)
    )
    expect(leaving).to_have_url(re.compile(r"/me/$"))
    expect(mine.locator(".reg-status")).to_have_text(tr("Cancelled"))

    with loading(waiting):
        waiting.reload()
    expect(card.locator(".reg-status")).to_have_text(tr("Confirmed"))
    expect(
        card.get_by_role("link", name=f"{tr('Cancel registration…')} {DAY_TITLE}")
    ).to_be_visible()
    notes = waiting.locator("section.notifications")
    expect(notes).to_contain_text(
        tr("A seat opened and it is yours: you are confirmed for “%(title)s”.", title=DAY_TITLE)
    )
    screenshot(waiting, "programme-promoted")
    assert _status(day_id, "participant45@example.org") == "confirmed"
    assert _status(day_id, "participant41@example.org") == "cancelled"


# --- keyboard only -------------------------------------------------------------------------------

_FOCUS = """() => {
  const el = document.activeElement, style = getComputedStyle(el);
  return {tag: el.tagName, id: el.id, text: (el.innerText || el.value || "").trim().slice(0, 80),
          visible: el.matches(":focus-visible"), outline: style.outlineStyle,
          width: parseFloat(style.outlineWidth), box: el.getBoundingClientRect().toJSON()};
}"""


def _tab_to(page, locator, *, limit: int = 80, backwards: bool = False) -> dict:
    """Press Tab (or Shift+Tab) until ``locator`` has the focus; assert the focus is visible."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        if locator.evaluate("el => el === document.activeElement"):
            return _assert_focus_visible(page)
    raise AssertionError(f"{limit} × {key} never reached {locator}")


def _assert_focus_visible(page) -> dict:
    focus = page.evaluate(_FOCUS)
    assert focus["visible"], f"no :focus-visible on {focus}"
    assert focus["outline"] != "none" and focus["width"] >= 2, f"focus ring missing: {focus}"
    box, viewport = focus["box"], page.viewport_size
    assert box["width"] > 0 and box["height"] > 0, f"focused element is invisible: {focus}"
    assert box["x"] + box["width"] > 0 and box["x"] < viewport["width"], f"off screen: {focus}"
    return focus


@on_each_device
def test_registration_and_table_picks_work_with_the_keyboard_only(pages, tr):
    from playwright.sync_api import expect

    event_id, speed_id = demo_session(SPEED_EVENT, SessionKind.SPEED_NETWORKING)
    tables = {
        t.code: t.id
        for t in db.session.scalars(select(TopicTable).where(TopicTable.session_id == speed_id))
    }
    user_id = user_by_email("participant45@example.org").id
    db.session.rollback()
    page = pages.new()
    keyboard = page.keyboard

    # Log in: the first Tab shows the skip link, then the form's fields.
    visit(page, "/auth/login")
    focus = _tab_to(page, page.locator(".skip-link"), limit=1)
    assert focus["box"]["x"] >= 0, "the skip link stays off screen when focused"
    _tab_to(page, page.locator("#email"))
    keyboard.type("participant45@example.org")
    _tab_to(page, page.locator("#password"))
    keyboard.type("demo-password")
    with loading(page):
        keyboard.press("Enter")
    expect(page.locator(".flash-success")).to_have_text(
        tr("Welcome, %(name)s.", name="Participant 45")
    )

    # The events list → the upcoming speed dating → Register.
    _tab_to(page, page.get_by_role("link", name=re.compile(f"^{SPEED_EVENT}")))
    with loading(page):
        keyboard.press("Enter")
    expect(page).to_have_url(re.compile(f"/events/{event_id}$"))
    slot = page.locator(f"#session-{speed_id}")
    speed_title = tr.demo_title("Getting to know the UN: speed dating")
    register = slot.get_by_role(
        "button", name=f"{tr('Register')} {tr('for %(title)s', title=speed_title)}"
    )
    _tab_to(page, register)
    with loading(page):
        keyboard.press("Enter")
    expect(page.locator(".flash-success")).to_have_text(
        tr("You are confirmed for “%(title)s”.", title=speed_title)
    )
    expect(slot).to_contain_text(tr("You are registered."))

    # Pick your tables: c first, then a, then g, with the arrow keys; Space saves.
    _tab_to(page, slot.get_by_role("link", name=tr("Pick your tables")))
    with loading(page):
        keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text(tr("Pick your tables"))
    # Ranked with buttons, each one saving at once: Tab to "Add as my 1st choice (table c)",
    # press Enter, and so on.
    for rank, code in ((1, "c"), (2, "a"), (3, "g")):
        add = page.get_by_role(
            "button",
            name=f"{tr('Add as my %(ordinal)s choice', ordinal=tr.ordinal(rank))} "
            f"{tr('table %(code)s', code=code)}",
        )
        _tab_to(page, add)
        with loading(page):
            keyboard.press("Enter")
        expect(page.locator(".flash-success")).to_have_text(
            tr(
                "Table %(code)s is now your %(ordinal)s choice.",
                code=code,
                ordinal=tr.ordinal(rank),
            )
        )
    screenshot(page, "picks-saved")
    assert my_picks(speed_id, user_id) == [tables["c"], tables["a"], tables["g"]]
    assert _status(speed_id, "participant45@example.org") == "confirmed"
