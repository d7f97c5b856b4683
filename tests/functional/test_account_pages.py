"""The account page, "another entity" at sign-up, password reset and address confirmation pages,
through the test client."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from config import TestingConfig
from meetingapp import create_app
from meetingapp.extensions import db
from meetingapp.models import Organisation, OutboxMessage, User
from meetingapp.models.user import user_by_email
from tests import factories
from tests.text import page_text


def _text(response) -> str:
    return page_text(response)


@pytest.fixture
def mail_server(app):
    app.config["MAIL_SERVER"] = "127.0.0.1"  # mail can be sent (nothing is delivered here)
    yield
    app.config["MAIL_SERVER"] = ""


def _link(kind: str, prefix: str) -> str:
    db.session.expire_all()
    message = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id.desc())
    ).first()
    return next(w for w in message.body_text.split() if prefix in w).split("5000", 1)[1]


def _signup(client, org_id, **overrides):
    data = {
        "name": "Ada Lovelace",
        "email": "ada@example.org",
        "organisation": org_id,
        "password": "long-enough-pw",
        "confirm": "long-enough-pw",
    } | overrides
    return client.post("/auth/signup", data=data)


def test_the_header_links_the_name_to_the_account_page(client, auth, app):
    factories.user("p@example.org", name="Pat Doe")
    db.session.commit()
    auth.login("p@example.org")
    assert '<a href="/account/" title="Account">Pat Doe</a>' in client.get("/").get_data(
        as_text=True
    )


def test_the_account_page_saves_name_entity_and_language(client, auth, app):
    desa = factories.organisation("DESA", "Economic and Social Affairs")
    dpo = factories.organisation("DPO", "Peace Operations")
    user = factories.user("p@example.org", org=desa)
    db.session.commit()
    auth.login("p@example.org")
    page = _text(client.get("/account/"))
    assert "Your account" in page and "Change password" in page and "API tokens" in page
    r = client.post(
        "/account/",
        data={
            "name": "Pat Doe",
            "email": "p@example.org",
            "organisation": dpo.id,
            "locale": "zh_Hans",
        },
    )
    assert r.status_code == 302 and r.location.endswith("/account/")
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert (user.name, user.organisation_id, user.locale) == ("Pat Doe", dpo.id, "zh_Hans")
    assert 'lang="zh-Hans"' in client.get("/account/").get_data(as_text=True)


def test_the_account_page_refuses_an_address_in_use(client, auth, app):
    factories.user("taken@example.org")
    factories.user("p@example.org")
    db.session.commit()
    auth.login("p@example.org")
    r = client.post(
        "/account/",
        data={"name": "P", "email": "taken@example.org", "organisation": 0, "locale": "en"},
    )
    assert r.status_code == 422


def test_a_new_address_waits_for_its_link(client, auth, app, mail_server):
    org = factories.organisation()
    factories.user("old@example.org", org=org)
    db.session.commit()
    auth.login("old@example.org")
    r = client.post(
        "/account/",
        data={"name": "P", "email": "new@example.org", "organisation": org.id, "locale": "en"},
        follow_redirects=True,
    )
    text = _text(r)
    assert "We sent a link to new@example.org: your address changes when you open it." in text
    assert "Waiting for you to confirm new@example.org" in text
    link = _link("verify_email", "/auth/verify/")
    assert "Is new@example.org your address?" in _text(client.get(link))
    r = client.post(link, follow_redirects=True)
    assert "Thank you: new@example.org is confirmed." in _text(r)
    assert user_by_email("new@example.org") is not None and user_by_email("old@example.org") is None


def test_sign_up_offers_another_entity_which_waits_for_an_organiser(client, app):
    factories.organisation("UNOOSA", "Office for Outer Space Affairs")
    db.session.commit()
    page = _text(client.get("/auth/signup"))
    assert "Another entity (not in the list)" in page and "Your entity is not in the list?" in page
    r = _signup(
        client,
        -1,
        new_entity_short_name="UNXO",
        new_entity_full_name="United Nations Example Office",
    )
    assert r.status_code == 302
    user = user_by_email("ada@example.org")
    assert user.organisation.short_name == "UNXO" and not user.organisation.confirmed
    # Someone else signing up is not offered the unconfirmed entity.
    client.post("/auth/logout")
    assert "United Nations Example Office" not in _text(client.get("/auth/signup"))


def test_another_entity_without_its_full_name_is_a_form_error(client, app):
    r = _signup(client, -1, new_entity_short_name="WFP")
    assert r.status_code == 422 and "Give the entity's full name." in _text(r)
    assert db.session.scalar(select(Organisation)) is None


def test_naming_an_entity_without_choosing_another_in_the_list_still_proposes_it(client, app):
    assert (
        _signup(client, 0, new_entity_short_name="WFP", new_entity_full_name="WFP").status_code
        == 302
    )


def test_with_a_mail_server_sign_up_asks_to_confirm_and_registering_waits_for_it(
    client, app, mail_server
):
    org = factories.organisation()
    session = factories.session(
        capacity=3,
        starts_at=(datetime.now(UTC) + timedelta(days=10)).replace(hour=10, minute=0),
    )
    db.session.commit()
    r = _signup(client, org.id)
    assert r.location.endswith("/auth/verify")
    page = _text(client.get("/auth/verify"))
    assert "Confirm your e-mail address: we sent a link to ada@example.org." in page
    assert "Send the link again" in page
    r = client.post(f"/registration/sessions/{session.id}", follow_redirects=True)
    assert "Confirm your e-mail address first: we sent a link to ada@example.org." in _text(r)
    r = client.post("/auth/verify", follow_redirects=True)
    assert "We sent the link again to ada@example.org." in _text(r)
    r = client.post(_link("verify_email", "/auth/verify/"), follow_redirects=True)
    assert "Thank you: ada@example.org is confirmed." in _text(r)
    r = client.post(f"/registration/sessions/{session.id}", follow_redirects=True)
    assert "You are confirmed" in _text(r)


def test_the_api_refuses_an_unconfirmed_account_with_email_not_verified(client, app, mail_server):
    org = factories.organisation("UNOOSA", "Office for Outer Space Affairs")
    session = factories.session(
        capacity=3,
        starts_at=(datetime.now(UTC) + timedelta(days=10)).replace(hour=10, minute=0),
    )
    db.session.commit()
    body = {
        "email": "api@example.org",
        "password": "a-long-password",
        "name": "A",
        "organisation": "UNOOSA",
    }
    assert client.post("/api/v1/accounts", json=body).status_code == 201
    token = client.post("/api/v1/tokens", auth=("api@example.org", "a-long-password")).get_json()
    r = client.post(
        f"/api/v1/sessions/{session.id}/registrations",
        headers={"Authorization": f"Bearer {token['token']}"},
    )
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "email_not_verified"
    assert org.id


def test_forgot_password_answers_the_same_for_known_and_unknown_addresses(client, app, mail_server):
    factories.user("known@example.org")
    db.session.commit()
    answers = []
    for email in ("known@example.org", "unknown@example.org"):
        r = client.post("/auth/reset", data={"email": email})
        page = client.get(r.location)
        answers.append((r.status_code, r.location, _text(page).replace(email, "ADDRESS")))
    assert answers[0] == answers[1]
    assert "If an account uses ADDRESS, we have sent a link to it." in answers[0][2]


def test_a_reset_link_sets_a_new_password_once_and_logs_in(client, auth, app, mail_server):
    factories.user("p@example.org")
    db.session.commit()
    client.post("/auth/reset", data={"email": "p@example.org"})
    link = _link("password_reset", "/auth/reset/")
    page = client.get(link)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "For the account p@example.org." in _text(page)
    short = client.post(link, data={"new_password": "short", "confirm": "short"})
    assert short.status_code == 422
    r = client.post(link, data={"new_password": "a-new-password", "confirm": "a-new-password"})
    assert r.status_code == 302
    again = client.get(link, follow_redirects=True)
    assert "This link has expired or was already used" in _text(again)
    auth.logout()
    assert auth.login("p@example.org", "a-new-password").status_code == 302


def test_an_altered_reset_or_confirmation_link_is_refused_politely(client, app):
    r = client.get("/auth/reset/abc.def.ghi", follow_redirects=True)
    assert r.status_code == 200 and "This link has expired or was already used" in _text(r)
    r = client.get("/auth/verify/abc.def.ghi", follow_redirects=True)
    assert r.status_code == 200 and "This link has expired or is not valid" in _text(r)


def test_the_login_page_links_to_the_password_reset(client, app):
    assert 'href="/auth/reset"' in client.get("/auth/login").get_data(as_text=True)


def test_without_mail_the_reset_page_says_no_link_can_be_sent(client, app):
    assert "This server sends no e-mail" in _text(client.get("/auth/reset"))


@pytest.fixture
def limited(database_url, backend):
    """An app with the mail-link limits on: ``limited(per_account, per_address)``."""
    apps = []

    def make(per_account: str, per_address: str):
        config = TestingConfig()
        config.SQLALCHEMY_DATABASE_URI = database_url
        config.RATELIMIT_ENABLED = True
        config.RATELIMIT_STORAGE_URI = "memory://"
        config.MAIL_LINK_LIMIT_PER_ACCOUNT = per_account
        config.MAIL_LINK_LIMIT_PER_ADDRESS = per_address
        app = create_app(config)
        apps.append(app)
        with app.app_context():
            if backend == "sqlite":
                db.create_all()
        return app.test_client()

    yield make
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_password_reset_requests_are_rate_limited_per_address_asked(limited):
    client = limited("2 per hour", "100 per hour")
    codes = [client.post("/auth/reset", data={"email": "P@example.org"}).status_code for _ in "123"]
    assert codes == [302, 302, 429]
    assert "Too many links were asked for this address" in _text(
        client.post("/auth/reset", data={"email": "p@example.org"})
    )
    assert client.post("/auth/reset", data={"email": "q@example.org"}).status_code == 302


def test_password_reset_requests_are_rate_limited_per_client(limited):
    client = limited("100 per hour", "3 per hour")
    codes = [
        client.post("/auth/reset", data={"email": f"p{n}@example.org"}).status_code
        for n in range(4)
    ]
    assert codes == [302, 302, 302, 429]
