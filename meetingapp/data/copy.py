"""Copying the running database into an empty PostgreSQL one: ``flask data copy --to URL``.

1. The target must hold no row. Its schema is built by the migrations, as ``flask db upgrade``
   would build it (so it is stamped with the code's revision), and the source must be at that
   revision too (or made by ``create_all``, without any).
2. Every row of every table is read in one read transaction of the source, a consistent
   snapshot (on SQLite in WAL mode the app keeps writing meanwhile; what it writes after the
   snapshot is not copied), and written with its id in one transaction of the target: a copy
   that fails leaves the target's tables empty.
3. Each table's id sequence is moved past the highest id copied, so new rows get new ids.

Everything the app keeps is in those tables (uploads are read, not stored; there are no files
beside the database), so the copy is the whole of it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask, current_app
from sqlalchemy import Integer, func, select, text
from sqlalchemy.engine import Engine, make_url

from meetingapp.data.backup import DataError, is_empty, model_tables
from meetingapp.extensions import db

BATCH = 1000


@dataclass
class CopySummary:
    rows: dict[str, int] = field(default_factory=dict)
    sequences: dict[str, int] = field(default_factory=dict)  # table: the next id

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def sqlalchemy_url(url: str) -> str:
    """``postgresql://`` (and Heroku's ``postgres://``) through psycopg 3, as config.py does."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def copy_database(
    target_url: str, *, log: Callable[[str], None] = print, batch: int = BATCH
) -> CopySummary:
    """Copy the current app's database into the empty database at ``target_url``."""
    url = make_url(sqlalchemy_url(target_url))
    if url.get_backend_name() != "postgresql":
        raise DataError("The copy goes into a PostgreSQL database (postgresql://…).")
    source = db.engine
    if source.url.render_as_string(hide_password=False) == url.render_as_string(
        hide_password=False
    ):
        raise DataError("The target is the database the app uses already.")
    head = _head_revision()
    revision = _revision(source)
    if revision not in (None, head):
        raise DataError(
            f"The source database is at revision {revision} and the code at {head}: run "
            "`flask db upgrade` on it first."
        )
    target_app = _app_for(current_app, url.render_as_string(hide_password=False))
    with target_app.app_context():
        target = db.engine
        try:
            if not is_empty(target):
                raise DataError("The target database is not empty: the copy goes into a new one.")
            log("Building the schema on the target (migrations)…")
            from flask_migrate import upgrade

            upgrade()
            return _copy_rows(source, target, log, batch)
        finally:
            db.session.remove()
            target.dispose()


def _copy_rows(source: Engine, target: Engine, log, batch: int) -> CopySummary:
    summary = CopySummary()
    tables = model_tables(source)
    missing = {t.name for t in db.metadata.sorted_tables} - {t.name for t in tables}
    if missing:
        raise DataError(f"The source lacks tables {sorted(missing)}: run `flask db upgrade`.")
    with source.connect() as src, target.connect() as dst:
        if source.dialect.name == "postgresql":
            src = src.execution_options(isolation_level="REPEATABLE READ")
        with src.begin(), dst.begin():
            for table in tables:
                rows = src.execute(select(table).order_by(*table.primary_key.columns))
                count = 0
                while chunk := rows.fetchmany(batch):
                    dst.execute(table.insert(), [dict(row._mapping) for row in chunk])
                    count += len(chunk)
                summary.rows[table.name] = count
                log(f"  {table.name}: {count} rows")
            summary.sequences = _move_sequences(dst, tables)
    return summary


def _move_sequences(conn, tables) -> dict[str, int]:
    """Each serial id's sequence to one past the highest id (or to 1 on an empty table)."""
    moved = {}
    for table in tables:
        ids = [c for c in table.primary_key.columns if isinstance(c.type, Integer)]
        if len(ids) != 1:
            continue
        column = ids[0]
        sequence = conn.scalar(
            text("SELECT pg_get_serial_sequence(:table, :column)"),
            {"table": table.name, "column": column.name},
        )
        if sequence is None:
            continue
        highest = conn.scalar(select(func.max(column))) or 0
        conn.execute(
            text("SELECT setval(:sequence, :value, false)"),
            {"sequence": sequence, "value": highest + 1},
        )
        moved[table.name] = highest + 1
    return moved


def _revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _head_revision() -> str:
    directory = current_app.extensions["migrate"].directory
    return ScriptDirectory(directory).get_current_head()


def _app_for(app: Flask, database_url: str) -> Flask:
    """The same app (same settings, same migrations) on another database."""
    from meetingapp import create_app

    settings = {key: value for key, value in app.config.items() if key.isupper()}
    settings["SQLALCHEMY_DATABASE_URI"] = database_url
    return create_app(SimpleNamespace(**settings))
