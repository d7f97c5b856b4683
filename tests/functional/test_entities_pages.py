"""The entities pages (organisers) and the import that creates missing entities."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from meetingapp.extensions import db
from meetingapp.models import AuditEntry, Organisation, User
from tests import factories
from tests.text import page_text


def _text(response) -> str:
    return page_text(response)


@pytest.fixture
def organiser(app, auth):
    person = factories.organiser("boss@example.org")
    db.session.commit()
    auth.login(person.email)
    return person


def _entity(short_name: str) -> Organisation | None:
    db.session.expire_all()
    return db.session.scalar(select(Organisation).where(Organisation.short_name == short_name))


def test_the_dashboard_links_to_the_entities_page(client, organiser):
    page = client.get("/organise/").get_data(as_text=True)
    assert 'href="/entities/"' in page


def test_participants_may_not_see_or_change_the_list(client, auth, app):
    org = factories.organisation()
    factories.user("p@example.org")
    db.session.commit()
    auth.login("p@example.org")
    assert client.get("/entities/").status_code == 403
    assert client.post("/entities/", data={"short_name": "X", "full_name": "Y"}).status_code == 403
    assert client.post(f"/entities/{org.id}/merge", data={"into": org.id}).status_code == 403


def test_an_organiser_adds_an_entity_and_sees_it_in_the_list(client, organiser):
    r = client.post(
        "/entities/",
        data={"short_name": "WFP", "full_name": "World Food Programme"},
        follow_redirects=True,
    )
    assert "WFP is added to the list." in _text(r)
    assert "WFP World Food Programme" in _text(r)
    assert _entity("WFP").confirmed


def test_adding_a_taken_abbreviation_is_a_form_error(client, organiser):
    factories.organisation("WFP", "World Food Programme")
    db.session.commit()
    r = client.post("/entities/", data={"short_name": "wfp", "full_name": "Again"})
    assert r.status_code == 422 and "WFP is already in the list." in _text(r)


def test_renaming_from_the_entity_page(client, organiser):
    org = factories.organisation("OOSA", "Outer Space")
    db.session.commit()
    page = _text(client.get(f"/entities/{org.id}"))
    assert "Rename" in page and "Merge into another entity" in page
    r = client.post(
        f"/entities/{org.id}",
        data={"short_name": "UNOOSA", "full_name": "Office for Outer Space Affairs"},
        follow_redirects=True,
    )
    assert "Saved: UNOOSA — Office for Outer Space Affairs." in _text(r)
    assert _entity("UNOOSA") is not None and _entity("OOSA") is None


def test_an_unknown_entity_is_a_404(client, organiser):
    assert client.get("/entities/99999").status_code == 404
    assert client.post("/entities/99999/confirm").status_code == 404


def test_confirming_and_merging_an_entity_proposed_at_sign_up(client, organiser):
    kept = factories.organisation("UNOOSA", "Office for Outer Space Affairs")
    proposed = Organisation(short_name="OOSA", full_name="Outer space", confirmed=False)
    other = Organisation(short_name="WFP", full_name="World Food Programme", confirmed=False)
    db.session.add_all([proposed, other])
    db.session.flush()
    person = factories.user(org=proposed)
    db.session.commit()
    listing = _text(client.get("/entities/"))
    assert "Waiting for confirmation (2)" in listing

    r = client.post(f"/entities/{other.id}/confirm", follow_redirects=True)
    assert "WFP is confirmed: everyone can now pick it." in _text(r)
    r = client.post(f"/entities/{proposed.id}/merge", data={"into": kept.id}, follow_redirects=True)
    assert "OOSA is merged into UNOOSA: 1 person moved." in _text(r)
    assert _entity("OOSA") is None and _entity("WFP").confirmed
    assert db.session.get(User, person.id).organisation_id == kept.id
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"entity confirmed", "entities merged"} <= actions


def test_merging_without_choosing_says_so(client, organiser):
    org = factories.organisation()
    db.session.commit()
    r = client.post(f"/entities/{org.id}/merge", data={"into": 0}, follow_redirects=True)
    assert "Choose the entity to keep." in _text(r)
    r = client.post(f"/entities/{org.id}/merge", data={"into": org.id}, follow_redirects=True)
    assert "Choose another entity to merge into." in _text(r)
    assert _entity(org.short_name) is not None


# --- imports ------------------------------------------------------------------------------------


@pytest.fixture
def session_id(app, organiser):
    start = (datetime.now(UTC) + timedelta(days=10)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    factories.organisation("DESA", "Economic and Social Affairs")
    session = factories.session(capacity=10, title="Training day", starts_at=start)
    db.session.commit()
    return session.id


ROWS = [
    "name,email,organisation,organisation_name",
    "Wanda Food,wanda@example.org,WFP,World Food Programme",
    "Walter Food,walter@example.org,wfp,",
    "Desa Person,desa@example.org,DESA,",
    f"Long Name,long@example.org,{'X' * 41},",
]


def _import(client, session_id: int, rows: list[str], **fields):
    data = {"file": (io.BytesIO(("\n".join(rows) + "\n").encode()), "people.csv"), **fields}
    return client.post(
        f"/registration/sessions/{session_id}/import",
        data=data,
        content_type="multipart/form-data",
    )


def test_the_import_form_offers_to_create_missing_entities(client, session_id):
    page = _text(client.get(f"/registration/sessions/{session_id}/manage"))
    assert "Create missing entities" in page


def test_an_unknown_organisation_is_rejected_unless_asked_to_create_it(client, session_id):
    r = _import(client, session_id, ROWS)
    assert "unknown organisation 'WFP'" in _text(r)
    assert _entity("WFP") is None


def test_an_import_creates_the_missing_entity_once_and_says_so_in_the_row(client, session_id):
    r = _import(client, session_id, ROWS, create_entities="y")
    text = _text(r)
    assert "wanda@example.org registered confirmed (new account, new entity WFP)" in text
    assert "walter@example.org registered confirmed (new account)" in text
    assert "desa@example.org registered confirmed (new account)" in text
    assert "too long for an abbreviation" in text
    wfp = _entity("WFP")
    assert (wfp.full_name, wfp.confirmed) == ("World Food Programme", True)
    assert {
        u.email for u in db.session.scalars(select(User).where(User.organisation_id == wfp.id))
    } == {
        "wanda@example.org",
        "walter@example.org",
    }
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 2
    detail = db.session.scalar(
        select(AuditEntry.detail).where(AuditEntry.action == "participants imported")
    )
    assert detail.endswith("; new entities: WFP")
