"""Focal points (issue 21, item 7): an organiser names one for an entity; they register
colleagues of that entity and see their registrations, and nobody else's."""

from __future__ import annotations

import html
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from meetingapp.domain.errors import PermissionDenied
from meetingapp.entities import service as entities
from meetingapp.extensions import db
from meetingapp.models import (
    AuditEntry,
    FocalPoint,
    OutboxMessage,
    Registration,
    RegistrationStatus,
)
from meetingapp.registration.service import cancel_registration, register_participant
from tests import factories
from tests.text import page_text

NOW = datetime(2024, 10, 1, 12, 0, tzinfo=UTC)
STARTS = datetime(2024, 11, 20, 12, 0, tzinfo=UTC)  # 13:00 in Vienna


def _text(response) -> str:
    return page_text(response)


@pytest.fixture
def world(app, clock):
    """DESA with a focal point and two colleagues, OOSA with one person, a meeting of 2 seats."""
    clock.set(NOW.isoformat())
    desa = factories.organisation("DESA", "Department of Economic and Social Affairs")
    oosa = factories.organisation("UNOOSA", "United Nations Office for Outer Space Affairs")
    boss = factories.organiser("boss@example.org")
    focal = factories.user("focal@example.org", name="Fatima Focal", org=desa)
    anna = factories.user("anna@example.org", name="Anna Colleague", org=desa)
    ben = factories.user("ben@example.org", name="Ben Colleague", org=desa)
    olga = factories.user("olga@example.org", name="Olga Outsider", org=oosa)
    meeting = factories.session(title="Briefing on space law", capacity=2, starts_at=STARTS)
    db.session.commit()
    return {
        "desa": desa,
        "oosa": oosa,
        "boss": boss,
        "focal": focal,
        "anna": anna,
        "ben": ben,
        "olga": olga,
        "meeting": meeting,
    }


def _name(client, auth, world, email="focal@example.org"):
    auth.login("boss@example.org")
    response = client.post(
        f"/entities/{world['desa'].id}/focal-points", data={"email": email}, follow_redirects=True
    )
    auth.logout()
    return response


def _registered(session_id: int, user_id: int) -> Registration | None:
    db.session.expire_all()
    return db.session.scalar(
        select(Registration).where(
            Registration.session_id == session_id,
            Registration.user_id == user_id,
            Registration.status != RegistrationStatus.CANCELLED,
        )
    )


def test_an_organiser_names_a_focal_point_on_the_entity_page_and_it_is_audited(client, auth, world):
    response = _name(client, auth, world)
    assert "Fatima Focal is now a focal point of DESA: they can register its people." in _text(
        response
    )
    assert "focal@example.org" in _text(response)
    assert db.session.get(FocalPoint, (world["desa"].id, world["focal"].id)) is not None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "focal point named"))
    assert entry.target == "DESA" and entry.detail == "focal@example.org"


def test_naming_someone_of_another_entity_or_without_an_account_is_a_form_error(
    client, auth, world
):
    world["desa"].names = {"fr": "Département des affaires économiques et sociales"}
    db.session.commit()
    auth.login("boss@example.org")
    url = f"/entities/{world['desa'].id}/focal-points"
    other = client.post(url, data={"email": "olga@example.org"})
    assert other.status_code == 422
    assert "Olga Outsider does not belong to DESA" in _text(other)
    nobody = client.post(url, data={"email": "nobody@example.org"})
    assert nobody.status_code == 422
    assert "No account has this e-mail address." in _text(nobody)
    # The page's rename form still holds the entity's saved names, not the refused form's fields.
    page = html.unescape(nobody.get_data(as_text=True))
    assert 'value="Department of Economic and Social Affairs"' in page
    assert 'value="Département des affaires économiques et sociales"' in page
    client.post(url, data={"email": "focal@example.org"})
    again = client.post(url, data={"email": "FOCAL@example.org"})
    assert again.status_code == 422
    assert "Fatima Focal is already a focal point of DESA." in _text(again)
    assert len(db.session.scalars(select(FocalPoint)).all()) == 1


def test_participants_cannot_name_focal_points_or_open_the_focal_page(client, auth, world):
    auth.login("anna@example.org")
    url = f"/entities/{world['desa'].id}/focal-points"
    assert client.post(url, data={"email": "anna@example.org"}).status_code == 403
    assert client.get("/entities/mine").status_code == 403
    assert client.post("/entities/mine/register", data={}).status_code == 403
    assert db.session.scalars(select(FocalPoint)).all() == []


def test_the_focal_point_registers_a_colleague_who_gets_the_confirmation(client, auth, world):
    _name(client, auth, world)
    auth.login("focal@example.org")
    programme = _text(client.get("/me/"))
    assert "You are the focal point of DESA" in programme
    page = client.get("/entities/mine")
    assert page.status_code == 200
    text = _text(page)
    assert "Register a colleague" in text
    assert "Anna Colleague (anna@example.org)" in text
    assert "Olga Outsider" not in text  # only the entity's people are offered
    assert "Briefing on space law" in text and "CET" in text  # local time with the zone

    meeting, anna = world["meeting"], world["anna"]
    done = client.post(
        "/entities/mine/register",
        data={"person": anna.id, "session": meeting.id},
        follow_redirects=True,
    )
    assert "Anna Colleague is registered for “Briefing on space law”." in _text(done)
    reg = _registered(meeting.id, anna.id)
    assert reg is not None and reg.status == RegistrationStatus.CONFIRMED
    # The list shows it, with the time in the event's zone.
    listed = _text(client.get("/entities/mine"))
    assert "Registrations for sessions still to come" in listed
    assert "Anna Colleague" in listed and "20 November 2024, 13:00" in listed
    assert "Confirmed" in listed
    # Anna is told, as if she had registered herself.
    mail = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.to_address == "anna@example.org")
    )
    assert mail is not None and "Briefing on space law" in mail.subject + mail.body_text


def test_the_seat_rules_hold_for_a_focal_point_the_third_person_waits(client, auth, world):
    _name(client, auth, world)
    meeting = world["meeting"]
    register_participant(user=world["olga"], session_id=meeting.id, now=NOW)  # 1 of 2 seats
    auth.login("focal@example.org")
    client.post("/entities/mine/register", data={"person": world["anna"].id, "session": meeting.id})
    waits = client.post(
        "/entities/mine/register",
        data={"person": world["ben"].id, "session": meeting.id},
        follow_redirects=True,
    )
    assert "Ben Colleague is on the waitlist for “Briefing on space law” (position 1)." in _text(
        waits
    )
    assert _registered(meeting.id, world["ben"].id).status == RegistrationStatus.WAITLISTED
    listed = _text(client.get("/entities/mine"))
    assert "1st on the waitlist" in listed
    assert "Olga Outsider" not in listed  # another entity's registration is not shown
    again = client.post(
        "/entities/mine/register", data={"person": world["anna"].id, "session": meeting.id}
    )
    assert again.status_code == 409
    assert "Anna Colleague is already registered for this session." in _text(again)


def test_registering_without_a_colleague_or_a_session_says_what_is_missing(client, auth, world):
    _name(client, auth, world)
    auth.login("focal@example.org")
    empty = client.post("/entities/mine/register", data={"person": "", "session": ""})
    assert empty.status_code == 422
    assert "Choose a colleague." in _text(empty) and "Choose a session." in _text(empty)
    assert db.session.scalars(select(Registration)).all() == []


def test_a_focal_point_cannot_register_someone_of_another_entity(client, auth, world):
    _name(client, auth, world)
    auth.login("focal@example.org")
    forged = client.post(
        "/entities/mine/register",
        data={"person": world["olga"].id, "session": world["meeting"].id},
    )
    assert forged.status_code == 422  # not among the choices
    assert _registered(world["meeting"].id, world["olga"].id) is None
    # The use case refuses it too, whatever page or script calls it.
    with pytest.raises(PermissionDenied):
        register_participant(
            user=world["olga"], session_id=world["meeting"].id, now=NOW, actor=world["focal"]
        )
    with pytest.raises(PermissionDenied):
        register_participant(
            user=world["anna"], session_id=world["meeting"].id, now=NOW, actor=world["ben"]
        )


def test_a_colleague_registered_by_the_focal_point_can_withdraw_and_the_focal_point_too(world):
    entities.name_focal_point(
        organisation_id=world["desa"].id, email="focal@example.org", actor=world["boss"], now=NOW
    )
    meeting = world["meeting"]
    register_participant(user=world["anna"], session_id=meeting.id, now=NOW, actor=world["focal"])
    cancel_registration(user=world["anna"], session_id=meeting.id, now=NOW, actor=world["focal"])
    assert _registered(meeting.id, world["anna"].id) is None
    register_participant(user=world["anna"], session_id=meeting.id, now=NOW, actor=world["focal"])
    with pytest.raises(PermissionDenied):
        cancel_registration(user=world["anna"], session_id=meeting.id, now=NOW, actor=world["olga"])


def test_removing_a_focal_point_takes_the_page_away(client, auth, world):
    _name(client, auth, world)
    auth.login("boss@example.org")
    page = _text(client.get(f"/entities/{world['desa'].id}"))
    assert "Focal points" in page and "Fatima Focal" in page
    removed = client.post(
        f"/entities/{world['desa'].id}/focal-points/{world['focal'].id}/remove",
        follow_redirects=True,
    )
    assert "Fatima Focal is no longer a focal point of DESA." in _text(removed)
    assert "No focal point yet." in _text(removed)
    auth.logout()
    auth.login("focal@example.org")
    assert client.get("/entities/mine").status_code == 403
    assert "You are the focal point" not in _text(client.get("/me/"))


def test_merging_the_entity_keeps_its_focal_points(world):
    entities.name_focal_point(
        organisation_id=world["desa"].id, email="focal@example.org", actor=world["boss"], now=NOW
    )
    kept = factories.organisation("UN-DESA", "Department of Economic and Social Affairs (kept)")
    db.session.commit()
    entities.merge_entities(
        merged_id=world["desa"].id, kept_id=kept.id, actor=world["boss"], now=NOW
    )
    db.session.expire_all()
    assert db.session.get(FocalPoint, (kept.id, world["focal"].id)) is not None
    # Still acts for Anna, now of the kept entity.
    outcome = register_participant(
        user=world["anna"], session_id=world["meeting"].id, now=NOW, actor=world["focal"]
    )
    assert outcome.status == "confirmed"
