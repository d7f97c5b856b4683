"""Seat counting under a lock, on PostgreSQL and SQLite alike.

PostgreSQL: ``SELECT … FOR UPDATE`` on the session row; concurrent registrations for the same
session queue behind it, others run in parallel. SQLite: the transaction starts with
``BEGIN IMMEDIATE``, which takes the database's write lock before anything is counted.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from flask import current_app
from sqlalchemy import event, select
from sqlalchemy.engine import Engine

from meetingapp.extensions import db
from meetingapp.models import EventSession

_IMMEDIATE: ContextVar[bool] = ContextVar("sqlite_begin_immediate", default=False)


def configure_sqlite(engine: Engine) -> None:
    """Let us choose BEGIN or BEGIN IMMEDIATE ourselves (pysqlite would defer BEGIN)."""
    if engine.dialect.name != "sqlite" or getattr(engine, "_meetingapp_configured", False):
        return
    engine._meetingapp_configured = True

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _IMMEDIATE.get() else "BEGIN")


@contextmanager
def session_capacity_lock(session_id: int) -> Iterator[EventSession | None]:
    """Start a fresh transaction that holds the lock on this session's seats.

    Yields the session row (or None if it does not exist). The caller commits.
    """
    if db.session.new or db.session.dirty or db.session.deleted:
        raise RuntimeError("session_capacity_lock needs a clean unit of work")
    db.session.rollback()  # end any read transaction begun by the request so far
    locking = current_app.config.get("REGISTRATION_LOCKING", True)
    dialect = db.engine.dialect.name
    token = _IMMEDIATE.set(locking and dialect == "sqlite")
    try:
        stmt = select(EventSession).where(EventSession.id == session_id)
        if locking and dialect == "postgresql":
            stmt = stmt.with_for_update()
        row = db.session.scalar(stmt.execution_options(populate_existing=True))
    finally:
        _IMMEDIATE.reset(token)
    try:
        yield row
    except BaseException:
        db.session.rollback()  # never keep the lock past a refusal
        raise
