"""Sign-up, log-in, log-out, remember me, change password, CSRF."""

from __future__ import annotations

from sqlalchemy import select

from config import TestingConfig
from meetingapp import create_app
from meetingapp.extensions import db
from meetingapp.models import Role, User
from tests import factories


def _signup(client, **overrides):
    org = overrides.pop("org_id", None)
    data = {
        "name": "Ada Lovelace",
        "email": "Ada@Example.org",
        "organisation": org,
        "password": "long-enough-pw",
        "confirm": "long-enough-pw",
    }
    data.update(overrides)
    return client.post("/auth/signup", data=data)


def test_signup_creates_a_participant_and_logs_them_in(app, client):
    org = factories.organisation("UNOOSA", "Office for Outer Space Affairs")
    db.session.commit()
    response = _signup(client, org_id=org.id)
    assert response.status_code == 302
    user = db.session.scalar(select(User))
    assert user.email == "ada@example.org"
    assert user.role == Role.PARTICIPANT
    assert user.organisation.short_name == "UNOOSA"
    assert user.password_hash != "long-enough-pw"
    assert "Ada Lovelace" in client.get("/").get_data(as_text=True)


def test_signup_duplicate_email_in_other_case_is_a_form_error(app, client):
    org = factories.organisation()
    factories.user("ada@example.org")
    db.session.commit()
    response = _signup(client, org_id=org.id, email="ADA@example.ORG")
    assert response.status_code == 422
    assert "already exists" in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count()).select_from(User)) == 1


def test_signup_without_organisation_is_a_form_error(app, client):
    factories.organisation()
    db.session.commit()
    response = _signup(client, org_id=0)
    assert response.status_code == 422
    assert "Pick your organisation" in response.get_data(as_text=True)


def test_signup_short_password_and_mismatch_are_form_errors(app, client):
    org = factories.organisation()
    db.session.commit()
    body = _signup(client, org_id=org.id, password="short", confirm="other").get_data(as_text=True)
    assert "at least 8 characters" in body or "between 8" in body
    assert "do not match" in body


def test_signup_tampered_organisation_id_is_a_form_error_not_a_500(app, client):
    factories.organisation()
    db.session.commit()
    assert _signup(client, org_id="99999").status_code == 422
    assert _signup(client, org_id="not-a-number").status_code == 422


def test_login_with_right_password_redirects_home(app, client, auth):
    factories.user("p@example.org")
    db.session.commit()
    response = auth.login("P@example.org")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login_wrong_password_and_unknown_email_give_the_same_message(app, client, auth):
    factories.user("p@example.org")
    db.session.commit()
    wrong = auth.login("p@example.org", "nope-nope-nope")
    unknown = auth.login("nobody@example.org", "nope-nope-nope")
    assert wrong.status_code == unknown.status_code == 422
    assert "E-mail or password is not right." in wrong.get_data(as_text=True)
    assert "E-mail or password is not right." in unknown.get_data(as_text=True)


def test_login_follows_only_local_next_urls(app, client, auth):
    factories.user("p@example.org")
    db.session.commit()
    r = client.post(
        "/auth/login?next=https://evil.example/x",
        data={"email": "p@example.org", "password": factories.PASSWORD},
    )
    assert r.headers["Location"] == "/"
    client.post("/auth/logout")
    r = client.post(
        "/auth/login?next=//evil.example/x",
        data={"email": "p@example.org", "password": factories.PASSWORD},
    )
    assert r.headers["Location"] == "/"
    client.post("/auth/logout")
    r = client.post(
        "/auth/login?next=/events/1",
        data={"email": "p@example.org", "password": factories.PASSWORD},
    )
    assert r.headers["Location"] == "/events/1"


def test_remember_me_sets_a_persistent_cookie(app, client):
    factories.user("p@example.org")
    db.session.commit()
    r = client.post(
        "/auth/login",
        data={"email": "p@example.org", "password": factories.PASSWORD, "remember": "y"},
    )
    assert "remember_token=" in " ".join(r.headers.getlist("Set-Cookie"))


def test_logout_ends_the_session(app, client, auth):
    factories.user("p@example.org")
    db.session.commit()
    auth.login("p@example.org")
    auth.logout()
    assert client.get("/auth/password").status_code == 302


def test_change_password_requires_the_current_one(app, client, auth):
    factories.user("p@example.org")
    db.session.commit()
    auth.login("p@example.org")
    bad = client.post(
        "/auth/password",
        data={
            "current_password": "wrong-wrong",
            "new_password": "brand-new-pw",
            "confirm": "brand-new-pw",
        },
    )
    assert bad.status_code == 422
    assert "current password is not right" in bad.get_data(as_text=True)
    ok = client.post(
        "/auth/password",
        data={
            "current_password": factories.PASSWORD,
            "new_password": "brand-new-pw",
            "confirm": "brand-new-pw",
        },
    )
    assert ok.status_code == 302
    auth.logout()
    assert auth.login("p@example.org", "brand-new-pw").status_code == 302


def test_forms_refuse_posts_without_csrf_token(database_url, backend):
    config = TestingConfig()
    config.SQLALCHEMY_DATABASE_URI = database_url
    config.WTF_CSRF_ENABLED = True
    app = create_app(config)
    with app.app_context():
        if backend == "sqlite":
            db.create_all()
        factories.user("p@example.org")
        db.session.commit()
        client = app.test_client()
        r = client.post(
            "/auth/login", data={"email": "p@example.org", "password": factories.PASSWORD}
        )
        assert r.status_code == 400
        assert "CSRF" in r.get_data(as_text=True)
        page = client.get("/auth/login").get_data(as_text=True)
        assert 'name="csrf_token"' in page
        db.session.remove()
        if backend == "postgresql":
            from tests.conftest import _truncate_all

            _truncate_all()
        db.engine.dispose()
