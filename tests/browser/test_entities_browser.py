"""The list of entities in a real browser: an organiser adds, renames and merges entities (and
the report paragraph stays right), confirms an entity proposed at sign-up, and imports people
from an entity the list did not know.

Run on the desktop in the six languages and on the phone in Arabic and Russian
(``on_each_device``); every page is checked with axe-core."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from meetingapp.domain.official_report import official_paragraph
from meetingapp.extensions import db
from meetingapp.models import Event, Organisation, SessionKind
from meetingapp.models.user import user_by_email
from tests.browser.conftest import demo_session, loading, on_each_device, visit
from tests.browser.test_accounts_browser import shoot
from tests.translate import _catalogue

pytestmark = [pytest.mark.browser, pytest.mark.demo]

ORGANISER = "organiser@example.org"
TRAINING_EVENT = "UN-Space, 44th session"


def _entity(short_name: str) -> Organisation | None:
    found = db.session.scalar(select(Organisation).where(Organisation.short_name == short_name))
    db.session.rollback()
    return found


def _open_entities(page, tr) -> None:
    visit(page, "/organise/")
    with loading(page):
        page.locator("main").get_by_role("link", name=tr("Entities"), exact=True).click()
    from playwright.sync_api import expect

    expect(page.locator("h1")).to_have_text(tr("Entities"))


def _training_day_2024() -> int:
    event = db.session.scalar(select(Event).where(Event.title.like("%43rd session%")))
    day = next(s.id for s in event.sessions if s.kind == SessionKind.TRAINING)
    db.session.rollback()
    return day


@on_each_device
def test_organiser_adds_renames_and_merges_entities_and_the_report_stays_right(pages, tr):
    from playwright.sync_api import expect

    day = _training_day_2024()
    organiser = pages.new(ORGANISER)
    visit(organiser, f"/reports/sessions/{day}")
    paragraph = organiser.locator(".report-paragraph").first
    before = paragraph.inner_text()
    # The official paragraph for 21 trainees, in the reader's language.
    assert before.startswith(official_paragraph(tr.locale, 21, ["\0"]).split("\0")[0])

    # A trainee of DESA names a duplicate of it on her account page.
    trainee = pages.new("participant01@example.org")
    visit(trainee, "/account/")
    form = trainee.locator("main form").filter(has=trainee.get_by_role("button", name=tr("Save")))
    form.get_by_label(tr("Organisation")).select_option(
        label=tr("Another entity (not in the list)")
    )
    form.get_by_text(tr("Your entity is not in the list?")).click()
    form.get_by_label(tr("Abbreviation of your entity")).fill("UN-DESA")
    form.get_by_label(tr("Full name of your entity")).fill("UN Economic and Social Affairs")
    shoot(trainee, "account-another-entity")
    with loading(trainee):
        form.get_by_role("button", name=tr("Save")).click()
    expect(trainee.locator(".flash-success")).to_have_text(tr("Your account is saved."))
    visit(organiser, f"/reports/sessions/{day}")
    expect(paragraph).to_contain_text("UN Economic and Social Affairs")  # its official name
    assert paragraph.inner_text() != before

    _open_entities(organiser, tr)
    waiting = organiser.locator("section", has=organiser.locator("#proposed-heading"))
    expect(waiting).to_contain_text("UN-DESA")
    form = organiser.locator("main form").filter(
        has=organiser.get_by_role("button", name=tr("Add"), exact=True)
    )
    form.get_by_label(tr("Abbreviation"), exact=True).fill("WFP")
    form.get_by_label(tr("Full name"), exact=True).fill("World Food Program")
    with loading(organiser):
        form.get_by_role("button", name=tr("Add"), exact=True).click()
    expect(organiser.locator(".flash-success")).to_have_text(
        tr("%(name)s is added to the list.", name="WFP")
    )
    shoot(organiser, "entities")

    with loading(organiser):
        organiser.get_by_role("link", name="WFP", exact=True).click()
    expect(organiser.locator("h1")).to_have_text("WFP")
    organiser.get_by_label(tr("Full name"), exact=True).fill("World Food Programme")
    with loading(organiser):
        organiser.get_by_role("button", name=tr("Save"), exact=True).click()
    expect(organiser.locator(".flash-success")).to_have_text(
        tr("Saved: %(label)s.", label="WFP — World Food Programme")
    )
    assert _entity("WFP").full_name == "World Food Programme"

    with loading(organiser):
        waiting.get_by_role("link", name="UN-DESA", exact=True).click()
    expect(organiser.locator("main")).to_contain_text("Participant 01")
    shoot(organiser, "entity-proposed")
    organiser.get_by_label(tr("Merge into"), exact=True).select_option(
        label="DESA — Department of Economic and Social Affairs"
    )
    with loading(organiser):
        organiser.get_by_role(
            "button", name=tr("Merge and delete %(name)s", name="UN-DESA")
        ).click()
    merged = _catalogue(tr.locale).ngettext(
        "%(merged)s is merged into %(kept)s: %(num)d person moved.",
        "%(merged)s is merged into %(kept)s: %(num)d people moved.",
        1,
    )
    expect(organiser.locator(".flash-success")).to_have_text(
        merged % {"merged": "UN-DESA", "kept": "DESA", "num": 1}
    )
    assert _entity("UN-DESA") is None
    assert user_by_email("participant01@example.org").organisation.short_name == "DESA"
    db.session.rollback()

    visit(organiser, f"/reports/sessions/{day}")
    expect(paragraph).to_have_text(before)


@on_each_device
def test_an_entity_named_at_sign_up_waits_for_an_organiser_to_confirm_it(pages, tr):
    from playwright.sync_api import expect

    visitor = pages.new()
    visit(visitor, "/auth/signup")
    form = visitor.locator("main form")
    form.get_by_label(tr("Name"), exact=True).fill("Wanda Example")
    form.get_by_label(tr("E-mail")).fill("wanda@example.org")
    form.get_by_label(tr("Organisation")).select_option(
        label=tr("Another entity (not in the list)")
    )
    form.get_by_text(tr("Your entity is not in the list?")).click()
    form.get_by_label(tr("Abbreviation of your entity")).fill("UNXO")
    form.get_by_label(tr("Full name of your entity")).fill("United Nations Example Office")
    form.get_by_label(tr("Password"), exact=True).fill("a-long-password")
    form.get_by_label(tr("Repeat password")).fill("a-long-password")
    shoot(visitor, "signup-another-entity")
    with loading(visitor):
        form.get_by_role("button", name=tr("Sign up")).click()
    expect(visitor.locator(".flash-success")).to_have_text(tr("Your account is ready."))
    assert _entity("UNXO").confirmed is False

    organiser = pages.new(ORGANISER)
    _open_entities(organiser, tr)
    waiting = organiser.locator("section", has=organiser.locator("#proposed-heading"))
    expect(waiting).to_contain_text("United Nations Example Office")
    with loading(organiser):
        waiting.get_by_role("button", name=f"{tr('Confirm')} UNXO").click()
    expect(organiser.locator(".flash-success")).to_have_text(
        tr("%(name)s is confirmed: everyone can now pick it.", name="UNXO")
    )
    expect(organiser.locator("#proposed-heading")).to_have_count(0)
    assert _entity("UNXO").confirmed is True

    newcomer = pages.new()
    visit(newcomer, "/auth/signup")
    offered = newcomer.locator("main form").get_by_label(tr("Organisation"))
    expect(
        offered.locator("option", has_text="UNXO — United Nations Example Office")
    ).to_have_count(1)


CSV = (
    "name,email,organisation,organisation_name\n"
    "Wilma Food,wilma@example.org,WFP,World Food Programme\n"
    "Desa Person,desa.person@example.org,DESA,\n"
)


@on_each_device
def test_an_import_creates_a_missing_entity_and_the_row_report_says_so(pages, tr):
    from playwright.sync_api import expect

    _, day_id = demo_session(TRAINING_EVENT, SessionKind.TRAINING)
    db.session.rollback()
    page = pages.new(ORGANISER)
    visit(page, f"/registration/sessions/{day_id}/manage")
    form = page.locator("main form").filter(
        has=page.get_by_role("button", name=tr("Import and register"))
    )
    form.get_by_label(
        tr("Participants file (CSV or XLSX with name, email, organisation)")
    ).set_input_files(
        files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": CSV.encode()}]
    )
    form.get_by_label(tr("Create missing entities")).check()
    shoot(page, "import-form")
    with loading(page):
        form.get_by_role("button", name=tr("Import and register")).click()
    expect(page.locator("h1")).to_have_text(tr("Import report"))
    row = page.locator("tr", has_text="wilma@example.org")
    account = tr("new account, new entity %(entity)s", entity="WFP")
    expect(row).to_contain_text(tr("confirmed (%(account)s)", account=account))
    expect(page.locator("tr", has_text="desa.person@example.org")).to_contain_text(
        tr("confirmed (%(account)s)", account=tr("new account"))
    )
    shoot(page, "import-report-new-entity")
    wfp = _entity("WFP")
    assert wfp is not None and wfp.full_name == "World Food Programme" and wfp.confirmed

    _open_entities(page, tr)
    listed = page.locator("section", has=page.locator("#list-heading"))
    expect(listed.locator("tr", has_text="World Food Programme")).to_contain_text("WFP")
