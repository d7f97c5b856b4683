"""Seating rules in a real browser, on the demo's upcoming speed dating: a participant asks to stay
at one table on the picks page; the organiser sees it on the planning page, keeps two people
apart and two together with the rules form, plans, and the plan keeps every rule. Run on the
desktop in the six languages and on the phone in Arabic and Russian (``on_each_device``); every
page is checked with axe-core."""

from __future__ import annotations

from collections import defaultdict

import pytest
from sqlalchemy import select

from meetingapp.extensions import db
from meetingapp.models import RotationAssignment, SessionKind
from meetingapp.models.user import user_by_email
from meetingapp.rotation.queries import latest_plan
from tests.browser.conftest import demo_session, loading, on_each_device, screenshot, visit

pytestmark = [pytest.mark.browser, pytest.mark.demo]

SPEED_EVENT = "UN-Space, 21st open informal session"


def _person(n: int) -> tuple[int, str]:
    user = user_by_email(f"participant{n:02d}@example.org")
    return user.id, user.name


@on_each_device
def test_rules_from_the_picks_page_and_the_planning_page_hold_in_the_plan(pages, tr):
    from playwright.sync_api import expect

    _, speed_id = demo_session(SPEED_EVENT, SessionKind.SPEED_NETWORKING)
    stayer, apart, together = _person(12), (_person(13), _person(14)), (_person(15), _person(16))
    db.session.rollback()

    # Participant 12 (registered, picks made) asks to stay at one table.
    person = pages.new("participant12@example.org")
    visit(person, f"/rotation/sessions/{speed_id}/picks")
    with loading(person):
        person.get_by_role("button", name=tr("I need to stay at one table")).click()
    expect(person.locator(".flash-success")).to_have_text(
        tr("You stay at one table in every round; the organisers see that you asked.")
    )
    expect(person.locator("#seating")).to_contain_text(
        tr("You stay at one table in every round: the organisers see that you asked.")
    )
    screenshot(person, "picks-stay")

    # The organiser sees the request and adds two pairs with the rules form.
    organiser = pages.new("organiser@example.org")
    visit(organiser, f"/rotation/sessions/{speed_id}")
    rules = organiser.locator("#rules")
    expect(rules.locator(".rule-list li", has_text=stayer[1])).to_contain_text(
        tr("asked themselves")
    )
    for (first, second), kind, said in (
        (apart, "apart", "%(first)s and %(second)s are kept apart: never at one table."),
        (together, "together", "%(first)s and %(second)s sit together in every round."),
    ):
        rules = organiser.locator("#rules")
        rules.get_by_label(tr("One person")).select_option(str(first[0]))
        rules.get_by_label(tr("The other person")).select_option(str(second[0]))
        rules.get_by_label(tr("Rule")).select_option(kind)
        with loading(organiser):
            rules.get_by_role("button", name=tr("Add the pair")).click()
        expect(organiser.locator(".flash-success")).to_have_text(
            tr(said, first=first[1], second=second[1])
        )
    screenshot(organiser, "seating-rules")

    organiser.get_by_label(tr("Time for mixing (seconds)")).fill("0.5")
    with loading(organiser):
        organiser.get_by_role("button", name=tr("Plan rotation")).click()
    summary = tr(
        "%(rules)s: %(outcome)s",
        rules="; ".join(
            [
                tr.plural(
                    "%(num)d person stays at one table", "%(num)d people stay at one table", 1
                ),
                tr.plural("%(num)d pair kept apart", "%(num)d pairs kept apart", 1),
                tr.plural("%(num)d pair together", "%(num)d pairs together", 1),
            ]
        ),
        outcome=tr("all honoured"),
    )
    expect(organiser.locator(".flash-success")).to_contain_text(summary)
    expect(organiser.locator("dl.stats")).to_contain_text(summary)

    plan_id = latest_plan(speed_id).id
    seats = defaultdict(list)
    for a in db.session.scalars(
        select(RotationAssignment)
        .where(RotationAssignment.plan_id == plan_id)
        .order_by(RotationAssignment.round_number)
    ):
        seats[a.user_id].append(a.table_id)
    db.session.rollback()
    assert len(seats[stayer[0]]) == 4 and len(set(seats[stayer[0]])) == 1
    (p, _), (q, _) = apart
    assert all(x != y for x, y in zip(seats[p], seats[q], strict=True))
    (r, _), (s, _) = together
    assert seats[r] == seats[s] and len(set(seats[r])) == 4
