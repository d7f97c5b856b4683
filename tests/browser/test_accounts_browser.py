"""Sign up through the form, land logged in, log out and log in again — in a real browser.

Desktop (SQLite and PostgreSQL) and phone (SQLite) in English, desktop and phone in Chinese;
every page is checked with axe-core.
"""

from __future__ import annotations

import pytest

from meetingapp.extensions import db
from meetingapp.models.user import user_by_email
from tests.browser.conftest import loading, on_each_device, screenshot, visit

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
    form.get_by_label(tr("Name")).fill(NAME)
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
