"""Configuration classes. Secrets come from the environment or from ``instance/``."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("MEETINGAPP_INSTANCE", BASE_DIR / "instance"))


def _database_url(default_file: str) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        # Heroku-style URLs name the driver "postgres"; we use psycopg 3.
        if url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url[len("postgres://") :]
        elif url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://") :]
        return url
    return f"sqlite:///{INSTANCE_DIR / default_file}"


def _instance_secret_key() -> str:
    """Read the development secret from instance/, generating it on first run."""
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


class Config:
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 (an algorithm name)
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    # Seat counting takes a lock; only a test switches it off to show the race is real.
    REGISTRATION_LOCKING = True
    # On SQLite every unit of work that may write begins BEGIN IMMEDIATE (no "database is
    # locked"); only a control test switches it off, to show what it prevents.
    SQLITE_IMMEDIATE_WRITES = True
    # Strict-Transport-Security max-age in seconds (0: not sent; production sends a year).
    HSTS_SECONDS = 0
    DEMO_PASSWORD = "demo-password"  # noqa: S105 (printed by make run)
    # Log-in and token endpoints: per client address and per account.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_LIMIT_PER_ADDRESS = os.environ.get("LOGIN_LIMIT_PER_ADDRESS", "30 per minute")
    LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "10 per minute")
    # Requests that mail a link (choose a new password, confirm an address again): per client
    # address and per e-mail address asked about.
    MAIL_LINK_LIMIT_PER_ADDRESS = os.environ.get("MAIL_LINK_LIMIT_PER_ADDRESS", "20 per hour")
    MAIL_LINK_LIMIT_PER_ACCOUNT = os.environ.get("MAIL_LINK_LIMIT_PER_ACCOUNT", "5 per hour")
    LOG_JSON = os.environ.get("LOG_JSON", "0") == "1"
    # E-mail: with no MAIL_SERVER, messages stay in the outbox (organisers see them) unsent.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "0") == "1"
    MAIL_USE_SSL = os.environ.get("MAIL_USE_SSL", "0") == "1"
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "meetingapp@localhost")
    MAIL_BACKGROUND = os.environ.get("MAIL_BACKGROUND", "1") == "1"
    # Who delivers the outbox: "thread" (after each request that queued mail, in the web
    # process: one machine) or "worker" (`flask mail worker`, on one or more machines; the web
    # processes then only queue).
    MAIL_DELIVERY = os.environ.get("MAIL_DELIVERY", "thread")
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000")
    # Programmes and event calendars cached per event version, per process (meetingapp/pagecache).
    PAGE_CACHE_BYTES = int(os.environ.get("PAGE_CACHE_BYTES", str(32 * 1024 * 1024)))

    def __init__(self) -> None:
        self.SQLALCHEMY_DATABASE_URI = _database_url(self.DEFAULT_DATABASE_FILE)
        self.SECRET_KEY = os.environ.get("SECRET_KEY") or self.fallback_secret_key()

    DEFAULT_DATABASE_FILE = "meetingapp.sqlite"

    def fallback_secret_key(self) -> str:
        return _instance_secret_key()


class DevelopmentConfig(Config):
    DEBUG = False


class TestingConfig(Config):
    __test__ = False  # not a pytest test class
    TESTING = True
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = os.environ.get("MEETINGAPP_RATELIMIT", "0") == "1"
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # noqa: S105 (fast hashing in tests)
    DEFAULT_DATABASE_FILE = "test.sqlite"

    def __init__(self) -> None:
        super().__init__()
        # The race-proof tests switch the seat lock off in a control run to show the race is real.
        self.REGISTRATION_LOCKING = os.environ.get("MEETINGAPP_REGISTRATION_LOCKING", "1") != "0"
        self.SQLITE_IMMEDIATE_WRITES = os.environ.get("MEETINGAPP_SQLITE_IMMEDIATE", "1") != "0"
        # Mail goes out after the request only where a test serves the app with a real SMTP
        # server (MAIL_SERVER set by the test too).
        self.MAIL_BACKGROUND = os.environ.get("MEETINGAPP_MAIL_BACKGROUND", "0") == "1"

    def fallback_secret_key(self) -> str:
        return "testing-secret-key"


class ProductionConfig(Config):
    LOG_JSON = os.environ.get("LOG_JSON", "1") == "1"
    HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", str(365 * 24 * 3600)))
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"

    def fallback_secret_key(self) -> str:
        raise RuntimeError(
            "SECRET_KEY is not set: production refuses to start without one "
            "(export SECRET_KEY=$(python -c 'import secrets; print(secrets.token_hex(32))'))."
        )


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env() -> Config:
    name = os.environ.get("MEETINGAPP_CONFIG", "development")
    try:
        return CONFIGS[name]()
    except KeyError:
        raise RuntimeError(
            f"MEETINGAPP_CONFIG must be one of {sorted(CONFIGS)}, not {name!r}"
        ) from None
