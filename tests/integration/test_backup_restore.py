"""``flask data backup`` / ``data restore`` on both databases, and ``data copy`` from SQLite into
PostgreSQL, each on the demo: every row of every table comes back, ids and all."""

from __future__ import annotations

import itertools
import sqlite3

import pytest
from sqlalchemy import create_engine, select

from meetingapp import create_app
from meetingapp.data.copy import sqlalchemy_url
from meetingapp.extensions import db
from meetingapp.models import User
from tests import factories
from tests.conftest import make_config

_names = itertools.count(1)


def every_row(engine) -> dict[str, list[tuple]]:
    """Each table's rows in id order, as the app reads them (types converted)."""
    with engine.connect() as conn:
        return {
            t.name: [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns))]
            for t in db.metadata.sorted_tables
        }


def fresh_database(backend: str, request, tmp_path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / f'fresh{next(_names)}.sqlite'}"
    cluster = request.getfixturevalue("pg_cluster")
    name = f"meetingapp_fresh_{next(_names)}"
    request.addfinalizer(lambda: cluster.drop_database(name))
    return cluster.create_database(name)


def invoke(url: str, *args: str):
    """``flask …`` on the app of ``url`` (its own context: commands use the current app)."""
    app = create_app(make_config(url))
    with app.app_context():
        result = app.test_cli_runner().invoke(args=list(args))
        db.session.remove()
        db.engine.dispose()
    return result


def summary(rows: dict[str, list[tuple]]) -> str:
    return ", ".join(f"{name} {len(r)}" for name, r in rows.items() if r)


@pytest.mark.demo
@pytest.mark.slow
def test_a_demo_backup_restores_every_row_into_a_fresh_database(
    app, backend, database_url, request, tmp_path
):
    source = every_row(db.engine)
    backup_file = tmp_path / "demo.backup"
    made = invoke(database_url, "data", "backup", str(backup_file))
    assert made.exit_code == 0, made.output
    target_url = fresh_database(backend, request, tmp_path)

    restored = invoke(target_url, "data", "restore", str(backup_file))

    assert restored.exit_code == 0, restored.output
    engine = create_engine(target_url)
    try:
        assert every_row(engine) == source
    finally:
        engine.dispose()
    print(f"\n{backend}: {made.output.strip()} {restored.output.strip()}\n  {summary(source)}")
    assert sum(map(len, source.values())) > 500  # the demo, not an empty shell
    assert all(source[t] for t in ("users", "events", "registrations", "rotation_assignments"))


@pytest.mark.demo
def test_restore_refuses_a_database_that_holds_data_unless_forced(app, database_url, tmp_path):
    backup_file = tmp_path / "demo.backup"
    assert invoke(database_url, "data", "backup", str(backup_file)).exit_code == 0
    with app.app_context():
        factories.user("after-the-backup@example.org")
        db.session.commit()

    refused = invoke(database_url, "data", "restore", str(backup_file))
    assert refused.exit_code == 1
    assert "not empty" in refused.output
    assert db.session.scalar(select(User).filter_by(email="after-the-backup@example.org"))
    db.session.rollback()

    forced = invoke(database_url, "data", "restore", "--force", str(backup_file))
    assert forced.exit_code == 0, forced.output
    assert db.session.scalar(select(User).filter_by(email="after-the-backup@example.org")) is None


def test_restore_refuses_a_file_that_is_not_a_backup(app, database_url, tmp_path):
    junk = tmp_path / "notes.txt"
    junk.write_text("not a database")
    result = invoke(database_url, "data", "restore", str(junk))
    assert result.exit_code == 1
    assert "neither a SQLite backup nor a pg_dump" in result.output


@pytest.mark.demo
@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_copy_moves_the_running_demo_from_sqlite_into_an_empty_postgresql(
    app, database_url, pg_cluster, tmp_path
):
    source = every_row(db.engine)
    db.session.remove()
    name = f"meetingapp_copy_{next(_names)}"
    target_url = pg_cluster.create_database(name)
    # The app is running: a writer holds a transaction open while the copy reads its snapshot.
    writer = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE users SET name = 'not committed' WHERE id = 1")
    try:
        plain_url = target_url.replace("postgresql+psycopg://", "postgresql://")
        copied = invoke(database_url, "data", "copy", "--to", plain_url)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert copied.exit_code == 0, copied.output

    target_app = create_app(make_config(sqlalchemy_url(target_url)))
    try:
        with target_app.app_context():
            assert every_row(db.engine) == source
            # Sequences follow the copied ids: a new account takes the next id.
            highest = max(row[0] for row in source["users"])
            assert factories.user("new-after-the-copy@example.org").id == highest + 1
            db.session.commit()
            # The schema is the migrations' own, stamped at the code's revision.
            from alembic.runtime.migration import MigrationContext

            with db.engine.connect() as conn:
                assert MigrationContext.configure(conn).get_current_revision()
            db.session.remove()
            db.engine.dispose()
        again = invoke(database_url, "data", "copy", "--to", plain_url)
        assert again.exit_code == 1 and "not empty" in again.output
    finally:
        pg_cluster.drop_database(name)
    print(f"\n{copied.output.strip().splitlines()[-1]}\n  {summary(source)}")
