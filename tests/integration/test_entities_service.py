"""The list of entities (entities/service.py) on the database: add, rename, confirm, merge,
propose at sign-up; every change audited; a merge leaves the report paragraph right."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from meetingapp.accounts.service import update_profile
from meetingapp.domain.errors import NotFound, PermissionDenied, ValidationFailed
from meetingapp.entities import service
from meetingapp.entities.queries import entity_history, entity_list
from meetingapp.extensions import db
from meetingapp.models import AuditEntry, Event, Organisation, SessionKind, TopicTable, User
from meetingapp.models.user import user_by_email
from meetingapp.reports.queries import session_report
from tests import factories

NOW = datetime(2024, 10, 1, 12, 0, tzinfo=UTC)


def _audited(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_an_organiser_adds_a_confirmed_entity_and_it_is_audited(app):
    organiser = factories.organiser()
    org = service.add_entity(
        short_name="  WFP ", full_name="World  Food Programme", actor=organiser, now=NOW
    )
    assert (org.short_name, org.full_name, org.confirmed) == ("WFP", "World Food Programme", True)
    [entry] = _audited("entity added")
    assert (entry.event_id, entry.actor_id, entry.target, entry.at) == (
        None,
        organiser.id,
        "WFP",
        NOW,
    )


def test_an_abbreviation_taken_in_any_case_is_refused(app):
    organiser = factories.organiser()
    factories.organisation("UNOOSA", "Office for Outer Space Affairs")
    with pytest.raises(ValidationFailed) as refused:
        service.add_entity(short_name="unoosa", full_name="Again", actor=organiser, now=NOW)
    assert refused.value.field == "short_name"
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 1


@pytest.mark.parametrize(
    ("short", "full", "field"),
    [("", "Name", "short_name"), ("X" * 41, "Name", "short_name"), ("WFP", " ", "full_name")],
)
def test_names_must_be_given_and_fit(app, short, full, field):
    with pytest.raises(ValidationFailed) as refused:
        service.add_entity(short_name=short, full_name=full, actor=factories.organiser(), now=NOW)
    assert refused.value.field == field


def test_participants_cannot_change_the_list(app):
    participant = factories.user()
    org = factories.organisation()
    with pytest.raises(PermissionDenied):
        service.add_entity(short_name="WFP", full_name="World Food", actor=participant, now=NOW)
    with pytest.raises(PermissionDenied):
        service.rename_entity(
            organisation_id=org.id, short_name="X", full_name="Y", actor=participant, now=NOW
        )
    with pytest.raises(PermissionDenied):
        service.merge_entities(
            merged_id=org.id, kept_id=factories.organisation().id, actor=participant, now=NOW
        )


def test_renaming_changes_both_names_and_is_audited_with_the_old_ones(app):
    organiser = factories.organiser()
    org = factories.organisation("OOSA", "Outer Space")
    service.rename_entity(
        organisation_id=org.id,
        short_name="UNOOSA",
        full_name="Office for Outer Space Affairs",
        actor=organiser,
        now=NOW,
    )
    assert org.label == "UNOOSA — Office for Outer Space Affairs"
    [entry] = _audited("entity renamed")
    assert entry.detail == "OOSA — Outer Space → UNOOSA — Office for Outer Space Affairs"
    # Its own abbreviation in another case is not "taken".
    service.rename_entity(
        organisation_id=org.id,
        short_name="UNOosa",
        full_name=org.full_name,
        actor=organiser,
        now=NOW,
    )
    assert org.short_name == "UNOosa"


def test_renaming_to_another_entitys_abbreviation_is_refused(app):
    organiser = factories.organiser()
    factories.organisation("DESA")
    org = factories.organisation("DSEA")
    with pytest.raises(ValidationFailed):
        service.rename_entity(
            organisation_id=org.id, short_name="desa", full_name="x", actor=organiser, now=NOW
        )


def test_an_unknown_entity_is_not_found(app):
    with pytest.raises(NotFound):
        service.confirm_entity(organisation_id=999, actor=factories.organiser(), now=NOW)


def test_an_entity_proposed_at_sign_up_is_unconfirmed_until_an_organiser_confirms_it(app):
    proposed = service.propose_entity("WFP", "World Food Programme", proposed_by="a@b.org", now=NOW)
    assert proposed.confirmed is False
    assert [u.entity.short_name for u in entity_list()][0] == "WFP"  # waiting ones first
    service.confirm_entity(organisation_id=proposed.id, actor=factories.organiser(), now=NOW)
    assert proposed.confirmed is True
    assert [e.action for e in entity_history()] == ["entity confirmed", "entity proposed"]


def test_proposing_a_listed_abbreviation_joins_that_entity(app):
    listed = factories.organisation("UNOOSA", "Office for Outer Space Affairs")
    again = service.propose_entity("unoosa", "Outer space office", proposed_by="a@b.org", now=NOW)
    assert again is listed and listed.full_name == "Office for Outer Space Affairs"


def test_merging_moves_people_leads_and_hosts_then_deletes_the_merged_entity(app):
    organiser = factories.organiser()
    kept = factories.organisation("UNOOSA", "Office for Outer Space Affairs")
    merged = service.propose_entity("OOSA", "Outer Space", proposed_by="a@b.org", now=NOW)
    people = [factories.user(org=merged) for _ in range(2)]
    event = factories.event()
    event.organisation_id = merged.id
    session = factories.session(event, kind=SessionKind.SPEED_NETWORKING)
    session.lead_organisation_id = merged.id
    table = TopicTable(session=session, code="a", topic="Space", host_organisation_id=merged.id)
    db.session.add(table)
    db.session.commit()
    merged_id = merged.id

    outcome = service.merge_entities(merged_id=merged_id, kept_id=kept.id, actor=organiser, now=NOW)

    assert (outcome.kept, outcome.merged_name, outcome.people) == (kept, "OOSA", 2)
    db.session.expire_all()
    assert db.session.get(Organisation, merged_id) is None
    assert {db.session.get(User, p.id).organisation_id for p in people} == {kept.id}
    assert db.session.get(Event, event.id).organisation_id == kept.id
    assert session.lead_organisation_id == kept.id
    assert db.session.get(TopicTable, table.id).host_organisation_id == kept.id
    [entry] = _audited("entities merged")
    assert entry.detail.startswith("OOSA — Outer Space → UNOOSA — Office for Outer Space Affairs:")
    assert "2 users" in entry.detail and "1 events" in entry.detail


def test_an_entity_cannot_be_merged_into_itself(app):
    org = factories.organisation()
    with pytest.raises(ValidationFailed):
        service.merge_entities(
            merged_id=org.id, kept_id=org.id, actor=factories.organiser(), now=NOW
        )


def _offices(paragraph: str) -> list[str]:
    """The official names after "offices and entities: " ("A; B; and C." → A, B, C)."""
    return re.split(r"; (?:and )?", paragraph.split(": ", 1)[1].rstrip("."))


def _training_day_2024() -> int:
    event = db.session.scalar(select(Event).where(Event.title.like("%43rd session%")))
    return next(s.id for s in event.sessions if s.kind == SessionKind.TRAINING)


@pytest.mark.demo
def test_a_merge_leaves_the_report_paragraph_right_21_participants_from_15_offices(app):
    """A trainee of DESA picked a duplicate "UN-DESA" on her account page: the 2024 training
    day then counts 16 offices; merging the duplicate into DESA makes it 15 again."""
    day = _training_day_2024()
    before = session_report(day).paragraph
    assert before.startswith("A total of 21 participants benefited from the training;")
    assert len(_offices(before)) == 15
    trainee = user_by_email("participant01@example.org")
    assert trainee.organisation.short_name == "DESA"
    update_profile(
        trainee,
        name=trainee.name,
        email=trainee.email,
        organisation_id=None,
        proposed_entity=("UN-DESA", "UN Department of Economic and Social Affairs"),
        locale="en",
        now=NOW,
    )
    split = session_report(day).paragraph
    assert "UN Department of Economic and Social Affairs" in _offices(split)
    assert len(_offices(split)) == 16
    duplicate = trainee.organisation
    assert duplicate.confirmed is False

    organiser = user_by_email("organiser@example.org")
    desa = db.session.scalar(select(Organisation).where(Organisation.short_name == "DESA"))
    service.merge_entities(merged_id=duplicate.id, kept_id=desa.id, actor=organiser, now=NOW)

    assert session_report(day).paragraph == before
