"""Fixtures: the app on a temporary SQLite database and, when present, on a throwaway PostgreSQL."""

from __future__ import annotations

import itertools
import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from config import TestingConfig
from meetingapp import create_app
from meetingapp.extensions import db
from tests import pg

IN_CI = os.environ.get("CI") == "true"
BACKENDS = ["sqlite", "postgresql"]


def _compile_url_builders_once() -> None:
    """Nearly every test builds an app, and werkzeug compiles two URL-builder functions per rule
    from an AST each time (about 0.1 s of CPU per ``create_app``, most of it). The code depends
    only on the rule, so each is compiled once per process and shared by the apps' equal rules
    (each binds it to its own rule, as werkzeug does)."""
    from werkzeug.routing.rules import Rule

    compile_builder = Rule._compile_builder
    compiled: dict = {}

    def cached(self, append_unknown: bool = True):
        defaults = self.defaults or {}
        key = (
            append_unknown,
            self.rule,
            tuple(self._trace),
            tuple(
                (k, self._converters[k].to_url(v) if k in self._converters else repr(v))
                for k, v in sorted(defaults.items())
            ),
        )
        if key not in compiled:
            compiled[key] = compile_builder(self, append_unknown)
        return compiled[key]

    Rule._compile_builder = cached


_compile_url_builders_once()


def make_config(url: str, **overrides) -> TestingConfig:
    config = TestingConfig()
    config.SQLALCHEMY_DATABASE_URI = url
    for key, value in overrides.items():
        setattr(config, key, value)
    return config


@pytest.fixture(scope="session")
def pg_cluster():
    try:
        cluster = pg.start_cluster()
    except FileNotFoundError as exc:
        if IN_CI:
            pytest.fail(f"CI=true but PostgreSQL is missing: {exc}")
        pytest.skip(f"PostgreSQL tests skipped: {exc} (install Debian's postgresql package)")
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def pg_url(pg_cluster):
    """One database for the suite; tables are emptied between tests."""
    url = pg_cluster.create_database("meetingapp_test")
    app = create_app(make_config(url))
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    return url


def _truncate_all() -> None:
    tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


# The demo's upcoming editions are placed a few weeks after "now": load it relative to today,
# since the pages use the real clock.
DEMO_NOW = datetime.now(UTC).replace(hour=10, minute=0, second=0, microsecond=0)


def _build_demo(url: str) -> None:
    from meetingapp.demo.service import load_demo

    app = create_app(make_config(url))
    with app.app_context():
        db.create_all()
        load_demo(DEMO_NOW)
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_demo_template(tmp_path_factory) -> Path:
    """The demo loaded once; tests marked ``demo`` get a copy of this file."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    _build_demo(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_demo_template(pg_cluster) -> str:
    name = "meetingapp_demo_template"
    _build_demo(pg_cluster.create_database(name))
    return name


@pytest.fixture(scope="session")
def sqlite_schema_template(tmp_path_factory) -> Path:
    """The tables created once; every other test on SQLite gets a copy of this file (a copy
    takes milliseconds, ``db.create_all()`` in each test's new file took most of its set-up)."""
    path = tmp_path_factory.mktemp("schema") / "schema.sqlite"
    app = create_app(make_config(f"sqlite:///{path}"))
    with app.app_context():
        db.create_all()
        db.session.remove()
        db.engine.dispose()
    return path


_copies = itertools.count(1)


@pytest.fixture
def database_url(backend, request, tmp_path):
    demo = request.node.get_closest_marker("demo") is not None
    if backend == "sqlite":
        path = tmp_path / "test.sqlite"
        template = "sqlite_demo_template" if demo else "sqlite_schema_template"
        shutil.copyfile(request.getfixturevalue(template), path)
        yield f"sqlite:///{path}"
        return
    if demo:
        cluster = request.getfixturevalue("pg_cluster")
        template = request.getfixturevalue("pg_demo_template")
        name = f"meetingapp_demo_{next(_copies)}"
        url = cluster.create_database(name, template=template)
        yield url
        cluster.drop_database(name)
        return
    yield request.getfixturevalue("pg_url")


@pytest.fixture
def app(database_url, backend, request):
    demo = request.node.get_closest_marker("demo") is not None
    app = create_app(make_config(database_url))
    with app.app_context():  # the database has its tables (a copy of a template, or pg_url's)
        yield app
        db.session.remove()
        if backend == "postgresql" and not demo:
            _truncate_all()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def now() -> datetime:
    return datetime(2024, 10, 1, 12, 0, tzinfo=UTC)


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, email: str, password: str = "correct-horse", follow: bool = False):
        return self._client.post(
            "/auth/login", data={"email": email, "password": password}, follow_redirects=follow
        )

    def logout(self):
        return self._client.post("/auth/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


def pytest_collection_modifyitems(items):
    """The longest tests first (marked ``slow``, then the browser tests), each group in its usual
    order: with ``--dist worksteal`` (pyproject's addopts) an idle worker takes the others' last
    tests, so the run ends on short tests instead of one worker finishing a long one alone."""
    items.sort(
        key=lambda item: (
            0 if item.get_closest_marker("slow") else 1 if item.get_closest_marker("browser") else 2
        )
    )


def pytest_terminal_summary(terminalreporter):
    """Say how many tests ran on each database, so CI output shows the PostgreSQL run."""
    counts: dict[str, dict[str, int]] = {}
    for outcome in ("passed", "failed", "skipped", "error"):
        for report in terminalreporter.stats.get(outcome, []):
            nodeid = getattr(report, "nodeid", "")
            if getattr(report, "when", "call") not in ("call", "setup"):
                continue
            if outcome == "passed" and report.when != "call":
                continue
            for name in BACKENDS:
                if f"[{name}" in nodeid or f"-{name}]" in nodeid or f"-{name}-" in nodeid:
                    counts.setdefault(name, {}).setdefault(outcome, 0)
                    counts[name][outcome] += 1
    if counts:
        terminalreporter.write_sep("-", "tests per database")
        for name in BACKENDS:
            parts = ", ".join(f"{n} {k}" for k, n in sorted(counts.get(name, {}).items()))
            terminalreporter.write_line(f"{name}: {parts or 'none'}")


class FrozenClock:
    """``meetingapp.clock.now()`` for one test's app, frozen: ``set(instant)``, ``advance(...)``.

    It sets the app's FROZEN_NOW, so pages, the API, services that read the clock and a live
    server in another thread all see the same instant.
    """

    def __init__(self, app) -> None:
        self._app = app

    def set(self, instant: datetime | str) -> None:
        if isinstance(instant, str):
            instant = datetime.fromisoformat(instant)
        if instant.tzinfo is None:
            raise ValueError("freeze the clock at an aware instant")
        self._app.config["FROZEN_NOW"] = instant

    def advance(self, **delta) -> None:
        self.set(self.now + timedelta(**delta))

    @property
    def now(self) -> datetime:
        frozen = self._app.config.get("FROZEN_NOW")
        if not frozen:
            raise RuntimeError("the clock is not frozen yet: call clock.set(instant)")
        return frozen if isinstance(frozen, datetime) else datetime.fromisoformat(frozen)


@pytest.fixture
def clock(app) -> FrozenClock:
    return FrozenClock(app)


class QueryCounter:
    """Counts the SQL statements the code under test sends (``with count_queries() as n``)."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __len__(self) -> int:
        return len(self.statements)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """``with count_queries() as counted: …; assert counted.count == 5``."""
    from contextlib import contextmanager

    from sqlalchemy import event as sa_event

    @contextmanager
    def counting():
        counter = QueryCounter()

        def listener(_conn, _cursor, statement, *_args):
            counter.statements.append(statement)

        sa_event.listen(db.engine, "before_cursor_execute", listener)
        try:
            yield counter
        finally:
            sa_event.remove(db.engine, "before_cursor_execute", listener)

    return counting
