"""`flask db upgrade` on an empty database builds exactly the models' schema."""

from __future__ import annotations

import warnings

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect, text

from meetingapp import create_app
from meetingapp.extensions import db
from tests.conftest import make_config


@pytest.fixture
def empty_database_url(backend, tmp_path, request):
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'migrated.sqlite'}"
    cluster = request.getfixturevalue("pg_cluster")
    return cluster.create_database("meetingapp_migrations")


def test_upgrade_builds_the_models_schema(empty_database_url):
    app = create_app(make_config(empty_database_url))
    with app.app_context():
        upgrade()
        engine = create_engine(empty_database_url)
        with engine.connect() as conn, warnings.catch_warnings():
            # Alembic cannot compare expression indexes (lower(email)); checked below instead.
            warnings.filterwarnings("ignore", message=".*expression-based index.*")
            warnings.filterwarnings("ignore", message=".*functional index.*")
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata
            )
        with engine.connect() as conn:
            query = (
                "SELECT name FROM sqlite_master WHERE type = 'index'"
                if engine.dialect.name == "sqlite"
                else "SELECT indexname FROM pg_indexes"
            )
            indexes = set(conn.execute(text(query)).scalars())
        engine.dispose()
        db.engine.dispose()
    assert diff == []
    assert "uq_users_email_lower" in indexes


def test_upgrade_then_downgrade_leaves_an_empty_database(empty_database_url):
    from flask_migrate import downgrade

    app = create_app(make_config(empty_database_url))
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        engine = create_engine(empty_database_url)
        tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
        engine.dispose()
        db.engine.dispose()
    assert tables == set()
