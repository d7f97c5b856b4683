"""Accounts in a real browser: sign up, log out and in; choose a new password through a link
mailed by a real SMTP server; confirm the address before registering; the account page (name,
entity, language, a new address confirmed by mail).

Run on the desktop in the six languages and on the phone in Arabic and Russian
(``on_each_device``); every page is checked with axe-core. Screenshots: /tmp/browser-
phone-<name>-<lang>.png."""

from __future__ import annotations

import re
import time
from contextlib import contextmanager

import pytest
from sqlalchemy import delete

from meetingapp.extensions import db
from meetingapp.mail import delivery
from meetingapp.models import DeliveryAttempt, OutboxMessage, SessionKind
from meetingapp.models.user import user_by_email
from tests.browser.conftest import (
    _WATCHES,
    SCREENSHOTS,
    demo_session,
    loading,
    login,
    on_each_device,
    screenshot,
    visit,
)
from tests.smtp import smtp_server

pytestmark = [pytest.mark.browser, pytest.mark.demo]  # the demo's organisations fill the select

NAME, EMAIL, PASSWORD = "Ada Lovelace", "ada.lovelace@example.org", "analytical-engine"
ORGANISATION = "UNOOSA — Office for Outer Space Affairs"


@on_each_device
def test_sign_up_with_an_organisation_lands_logged_in_then_logs_out_and_in(pages, tr):
    from playwright.sync_api import expect

    page = pages.new()
    visit(page, "/")
    screenshot(page, "events")
    nav = page.get_by_role("navigation", name=tr("Main"))
    with loading(page):
        nav.get_by_role("link", name=tr("Sign up")).click()
    expect(page.locator("h1")).to_have_text(tr("Sign up"))
    screenshot(page, "signup")
    form = page.locator("main form")
    form.get_by_label(tr("Name"), exact=True).fill(NAME)
    form.get_by_label(tr("E-mail")).fill(EMAIL)
    form.get_by_label(tr("Organisation")).select_option(label=ORGANISATION)
    form.get_by_label(tr("Password"), exact=True).fill(PASSWORD)
    form.get_by_label(tr("Repeat password")).fill(PASSWORD)
    with loading(page):
        form.get_by_role("button", name=tr("Sign up")).click()

    expect(page.locator(".flash-success")).to_have_text(tr("Your account is ready."))
    expect(page).to_have_url(pages.base_url + "/")
    expect(nav.get_by_role("link", name=NAME)).to_be_visible()
    expect(nav.get_by_role("link", name=tr("My programme"))).to_be_visible()
    expect(nav.get_by_role("link", name=tr("Organise"))).to_have_count(0)  # a participant
    user = user_by_email(EMAIL)
    assert user is not None and user.name == NAME and not user.is_organiser
    assert user.organisation.short_name == "UNOOSA"
    db.session.rollback()

    with loading(page):
        nav.get_by_role("button", name=tr("Log out")).click()
    expect(page.locator(".flash-info")).to_have_text(tr("You are logged out."))
    expect(nav.get_by_role("link", name=NAME)).to_have_count(0)
    with loading(page):  # a page behind the log-in sends you to it, and back after
        page.goto("/me/")
    expect(page).to_have_url(pages.base_url + "/auth/login?next=%2Fme%2F")
    screenshot(page, "login")
    page.get_by_label(tr("E-mail")).fill(EMAIL)
    page.get_by_label(tr("Password"), exact=True).fill(PASSWORD)
    with loading(page):
        page.locator("main").get_by_role("button", name=tr("Log in")).click()
    expect(page.locator(".flash-success")).to_have_text(tr("Welcome, %(name)s.", name=NAME))
    expect(page).to_have_url(pages.base_url + "/me/")
    expect(page.locator("h1")).to_have_text(tr("My programme"))
    expect(page.locator("main")).to_contain_text(
        tr.text(
            'You have not registered for anything yet. <a href="%(url)s">Browse the events</a>.',
            url="/",
        )
    )
    screenshot(page, "programme-empty")


# --- mail: a real SMTP server ------------------------------------------------------------------

TRAINING_EVENT = "UN-Space, 44th session"
DAY_TITLE = "Training day “Earth Observation for Societal Benefit”"


def shoot(page, name: str) -> None:
    """The phone's screenshot (conftest), and the desktop's: /tmp/browser-desktop-<name>.png."""
    watch = _WATCHES.get(page)
    if watch is not None and watch.device == "desktop":
        suffix = "" if watch.lang == "en" else f"-{watch.lang}"
        page.screenshot(
            path=str(SCREENSHOTS / f"browser-desktop-{name}{suffix}.png"), full_page=True
        )
    else:
        screenshot(page, name)


@contextmanager
def mail_delivered(live_server):
    """The live server sends mail, after each request that queued some, to a real SMTP server;
    its links point at the live server. The demo's own outbox is emptied first."""
    db.session.execute(delete(DeliveryAttempt))
    db.session.execute(delete(OutboxMessage))
    db.session.commit()
    with smtp_server() as inbox:
        live_server.app.config.update(
            MAIL_SERVER="127.0.0.1",
            MAIL_PORT=inbox.port,
            MAIL_BACKGROUND=True,
            PUBLIC_URL=live_server.url,
        )
        try:
            yield inbox
        finally:
            live_server.app.config.update(MAIL_SERVER="", MAIL_BACKGROUND=False)
            # The sender thread is one per process: let it finish before the next test's app.
            assert delivery._kick_lock.acquire(timeout=30), "the mail sender never finished"
            delivery._kick_lock.release()


def link_in(message, live_url: str) -> str:
    """The path of the link in a message's text part."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    found = re.search(re.escape(live_url) + r"(/auth/\S+)", text)
    assert found, f"no link in: {text}"
    return found.group(1)


def latest_to(inbox, address: str, count: int, timeout: float = 30.0):
    """The ``count``-th message to ``address``, once it has arrived."""
    deadline = time.monotonic() + timeout
    while len(inbox.to(address)) < count:
        assert time.monotonic() < deadline, f"{count} messages to {address} never arrived"
        time.sleep(0.05)
    return inbox.to(address)[count - 1]


@on_each_device
def test_password_reset_by_mail_end_to_end(pages, tr, live_server):
    from playwright.sync_api import expect

    email, new_password = "participant45@example.org", "a-brand-new-password"
    with mail_delivered(live_server) as inbox:
        page = pages.new()
        visit(page, "/auth/login")
        with loading(page):
            page.get_by_role("link", name=tr("Forgot your password?")).click()
        expect(page.locator("h1")).to_have_text(tr("Forgot your password?"))
        shoot(page, "forgot-password")
        answers = []
        for address in ("nobody@example.org", email):  # the same answer, known or not
            page.locator("main form").get_by_label(tr("E-mail")).fill(address)
            with loading(page):
                page.get_by_role("button", name=tr("Send me a link")).click()
            expect(page).to_have_url(pages.base_url + "/auth/login")
            flash = page.locator(".flash-info")
            answers.append(flash.inner_text().replace(address, "…"))
            visit(page, "/auth/reset")
        assert (
            answers[0]
            == answers[1]
            == tr(
                "If an account uses %(email)s, we have sent a link to it. Open it within 2 hours "
                "to choose a new password.",
                email="…",
            )
        )
        message = latest_to(inbox, email, 1)
        assert len(inbox.messages) == 1  # nothing went to the unknown address
        assert message["Subject"] == "Choose a new password for meetingapp"
        link = link_in(message, live_server.url)

        visit(page, link)
        expect(page.locator("h1")).to_have_text(tr("Choose a new password"))
        expect(page.locator("main")).to_contain_text(tr("For the account %(email)s.", email=email))
        shoot(page, "reset-password")
        form = page.locator("main form")
        form.get_by_label(tr("New password"), exact=True).fill(new_password)
        form.get_by_label(tr("Repeat new password")).fill(new_password)
        with loading(page):
            form.get_by_role("button", name=tr("Save the new password")).click()
        expect(page.locator(".flash-success")).to_have_text(
            tr("Your new password is saved and you are logged in.")
        )
        nav = page.get_by_role("navigation", name=tr("Main"))
        expect(nav.get_by_role("link", name="Participant 45")).to_be_visible()

        with loading(page):  # the link works once
            page.goto(link)
        expect(page.locator(".flash-error")).to_have_text(
            tr("This link has expired or was already used: ask for a new one.")
        )
        with loading(page):
            nav.get_by_role("button", name=tr("Log out")).click()
        login(page, email, new_password)


@on_each_device
def test_an_address_is_confirmed_by_mail_before_registering(pages, tr, live_server):
    from playwright.sync_api import expect

    event_id, day_id = demo_session(TRAINING_EVENT, SessionKind.TRAINING)
    db.session.rollback()
    with mail_delivered(live_server) as inbox:
        page = pages.new()
        visit(page, "/auth/signup")
        form = page.locator("main form")
        form.get_by_label(tr("Name"), exact=True).fill(NAME)
        form.get_by_label(tr("E-mail")).fill(EMAIL)
        form.get_by_label(tr("Organisation")).select_option(label=ORGANISATION)
        form.get_by_label(tr("Password"), exact=True).fill(PASSWORD)
        form.get_by_label(tr("Repeat password")).fill(PASSWORD)
        with loading(page):
            form.get_by_role("button", name=tr("Sign up")).click()
        expect(page).to_have_url(pages.base_url + "/auth/verify")
        expect(page.locator("main")).to_contain_text(
            tr("Confirm your e-mail address: we sent a link to %(email)s.", email=EMAIL)
        )
        shoot(page, "verify-pending")
        first = latest_to(inbox, EMAIL, 1)

        visit(page, f"/events/{event_id}")
        slot = page.locator(f"#session-{day_id}")
        with loading(page):
            slot.get_by_role(
                "button", name=f"{tr('Register')} {tr('for %(title)s', title=DAY_TITLE)}"
            ).click()
        refusal = tr(
            "Confirm your e-mail address first: we sent a link to %(email)s. Your account "
            "page can send it again.",
            email=EMAIL,
        )
        expect(page.locator(".flash-error")).to_have_text(refusal)

        nav = page.get_by_role("navigation", name=tr("Main"))
        with loading(page):
            nav.get_by_role("link", name=NAME).click()
        expect(page.locator("h1")).to_have_text(tr("Your account"))
        with loading(page):
            page.get_by_role("button", name=tr("Send the link again")).click()
        expect(page.locator(".flash-success")).to_have_text(
            tr("We sent the link again to %(email)s.", email=EMAIL)
        )
        second = latest_to(inbox, EMAIL, 2)
        assert link_in(first, live_server.url) != link_in(second, live_server.url)

        visit(page, link_in(second, live_server.url))
        expect(page.locator("main")).to_contain_text(
            tr("Is %(email)s your address? Confirm it to finish.", email=EMAIL)
        )
        shoot(page, "confirm-email")
        with loading(page):
            page.get_by_role("button", name=tr("Confirm my address")).click()
        expect(page.locator(".flash-success")).to_have_text(
            tr("Thank you: %(email)s is confirmed.", email=EMAIL)
        )
        visit(page, f"/events/{event_id}")
        with loading(page):
            slot.get_by_role(
                "button", name=f"{tr('Register')} {tr('for %(title)s', title=DAY_TITLE)}"
            ).click()
        expect(page.locator(".flash-success")).to_have_text(
            tr("You are confirmed for “%(title)s”.", title=DAY_TITLE)
        )


@on_each_device
def test_the_account_page_changes_name_entity_language_and_address(pages, tr, live_server, lang):
    from playwright.sync_api import expect

    old, new = "participant46@example.org", "p46.new@example.org"
    with mail_delivered(live_server) as inbox:
        page = pages.new(old)
        nav = page.get_by_role("navigation", name=tr("Main"))
        with loading(page):
            nav.get_by_role("link", name="Participant 46").click()
        expect(page).to_have_url(pages.base_url + "/account/")
        expect(page.locator("h1")).to_have_text(tr("Your account"))
        shoot(page, "account")
        form = page.locator("main form").filter(has=page.get_by_role("button", name=tr("Save")))
        form.get_by_label(tr("Name"), exact=True).fill("Pat Example")
        form.get_by_label(tr("E-mail")).fill(new)
        form.get_by_label(tr("Organisation")).select_option(label=ORGANISATION)
        form.get_by_label(tr("Language")).select_option(lang)
        with loading(page):
            form.get_by_role("button", name=tr("Save")).click()
        expect(page.locator(".flash-success")).to_have_text(tr("Your account is saved."))
        expect(page.locator(".flash-info")).to_have_text(
            tr("We sent a link to %(email)s: your address changes when you open it.", email=new)
        )
        expect(nav.get_by_role("link", name="Pat Example")).to_be_visible()
        expect(page.locator("main")).to_contain_text(
            tr(
                "Waiting for you to confirm %(email)s: open the link we sent to it. Until "
                "then your address stays %(current)s.",
                email=new,
                current=old,
            )
        )
        shoot(page, "account-pending-address")
        user = user_by_email(old)
        assert (user.name, user.organisation.short_name, user.locale, user.pending_email) == (
            "Pat Example",
            "UNOOSA",
            lang,
            new,
        )
        db.session.rollback()

        message = latest_to(inbox, new, 1)
        visit(page, link_in(message, live_server.url))
        with loading(page):
            page.get_by_role("button", name=tr("Confirm my address")).click()
        expect(page.locator(".flash-success")).to_have_text(
            tr("Thank you: %(email)s is confirmed.", email=new)
        )
        expect(page).to_have_url(pages.base_url + "/account/")
        expect(page.locator("main .meta").first).to_contain_text(new)
        assert user_by_email(new) is not None and user_by_email(old) is None
        db.session.rollback()
