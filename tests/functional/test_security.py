"""Rate limits, cookies, headers, health check and production settings."""

from __future__ import annotations

import json
import logging

import pytest

from config import ProductionConfig, TestingConfig
from meetingapp import create_app
from meetingapp.extensions import db
from tests import factories


def _app_with(database_url, backend, **settings):
    config = TestingConfig()
    config.SQLALCHEMY_DATABASE_URI = database_url
    for key, value in settings.items():
        setattr(config, key, value)
    app = create_app(config)
    return app


@pytest.fixture
def limited_app(database_url, backend):
    app = _app_with(
        database_url,
        backend,
        RATELIMIT_ENABLED=True,
        LOGIN_LIMIT_PER_ACCOUNT="3 per minute",
        LOGIN_LIMIT_PER_ADDRESS="5 per minute",
    )
    with app.app_context():
        if backend == "sqlite":
            db.create_all()
        factories.user("p@example.org")
        db.session.commit()
        yield app
        db.session.remove()
        if backend == "postgresql":
            from tests.conftest import _truncate_all

            _truncate_all()
        db.engine.dispose()


def test_login_is_rate_limited_per_account_with_a_clear_message(limited_app):
    client = limited_app.test_client()
    for _ in range(3):
        assert (
            client.post(
                "/auth/login", data={"email": "p@example.org", "password": "wrong-pw-1"}
            ).status_code
            == 422
        )
    r = client.post("/auth/login", data={"email": "P@example.org", "password": "wrong-pw-1"})
    assert r.status_code == 429
    assert "Too many log-in attempts for this account" in r.get_data(as_text=True)
    # Another account from the same address still gets its own attempts (until the address limit).
    r = client.post("/auth/login", data={"email": "q@example.org", "password": "wrong-pw-1"})
    assert r.status_code == 422


def test_login_is_rate_limited_per_address(limited_app):
    client = limited_app.test_client()
    codes = [
        client.post(
            "/auth/login", data={"email": f"x{i}@example.org", "password": "nope-nope"}
        ).status_code
        for i in range(6)
    ]
    assert codes[:5] == [422] * 5 and codes[5] == 429


def test_healthz_reports_the_database(client, app):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_is_unreachable(tmp_path, caplog):
    config = TestingConfig()
    config.SQLALCHEMY_DATABASE_URI = (
        "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1"
    )
    app = create_app(config)
    with caplog.at_level(logging.WARNING, logger=app.logger.name):
        r = app.test_client().get("/healthz")
    assert r.status_code == 503 and r.get_json()["database"] == "unreachable"
    # A load balancer asks every few seconds: one line each time, not a traceback.
    (record,) = [r for r in caplog.records if "health check" in r.getMessage()]
    assert record.exc_info is None and "\n" not in record.getMessage()


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        ProductionConfig()


def test_production_cookies_are_secure_httponly_and_lax(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    config = ProductionConfig()
    assert config.SESSION_COOKIE_SECURE and config.REMEMBER_COOKIE_SECURE
    assert config.SESSION_COOKIE_HTTPONLY and config.SESSION_COOKIE_SAMESITE == "Lax"


def test_session_cookie_is_httponly_and_samesite(client, app):
    factories.user("p@example.org")
    db.session.commit()
    r = client.post("/auth/login", data={"email": "p@example.org", "password": factories.PASSWORD})
    cookie = next(c for c in r.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_json_logs_carry_request_id_and_status(database_url, backend, capsys):
    app = _app_with(database_url, backend, LOG_JSON=True)
    with app.app_context():
        if backend == "sqlite":
            db.create_all()
        app.test_client().get("/", headers={"X-Request-Id": "abc123"})
        db.session.remove()
        if backend == "postgresql":
            from tests.conftest import _truncate_all

            _truncate_all()
        db.engine.dispose()
    lines = [
        json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")
    ]
    entry = next(x for x in lines if x.get("path") == "/")
    assert entry["request_id"] == "abc123" and entry["status"] == 200 and entry["level"] == "INFO"
    logging.getLogger("meetingapp").handlers.clear()


def test_responses_carry_security_headers(client, app):
    r = client.get("/auth/login")
    csp = r.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp and "frame-ancestors 'none'" in csp
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["Referrer-Policy"] == "same-origin"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
