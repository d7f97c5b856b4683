"""How transactions begin and how a session's seats are locked, on SQLite and PostgreSQL.

SQLite: pysqlite is told not to issue BEGIN itself; we do, as ``BEGIN IMMEDIATE`` for a unit of
work that may write (it takes the database's write lock before reading anything, so a read can
never be followed by a write that fails with SQLITE_BUSY_SNAPSHOT, "database is locked") and as
plain ``BEGIN`` for reads. PostgreSQL: a seat count runs after ``SELECT … FOR UPDATE`` on the
session row; registrations for other sessions run in parallel.

Only ``meetingapp.uow`` calls into this module.
"""

from __future__ import annotations

from contextvars import ContextVar
from functools import cache

from sqlalchemy import event, select
from sqlalchemy.engine import Engine

from meetingapp.extensions import db

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
            # WAL is durable at NORMAL across application crashes; only power loss can undo
            # the last commits, and it spares an fsync per commit.
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _IMMEDIATE.get() else "BEGIN")


def begin_transaction(*, immediate: bool) -> None:
    """Begin the session's transaction now, as BEGIN IMMEDIATE on SQLite when ``immediate``."""
    token = _IMMEDIATE.set(immediate and db.engine.dialect.name == "sqlite")
    try:
        db.session.connection()  # starts the transaction: the engine's "begin" event fires
    finally:
        _IMMEDIATE.reset(token)


@cache  # built once, on first use (the models import us); a thread-safe single value
def _session_statements():
    from sqlalchemy import bindparam
    from sqlalchemy.orm import joinedload

    from meetingapp.models import EventSession

    plain = (
        select(EventSession)
        .where(EventSession.id == bindparam("session_id"))
        .options(joinedload(EventSession.event, innerjoin=True))
        .execution_options(populate_existing=True)
    )
    return plain, plain.with_for_update(of=EventSession)


def lock_session_row(session_id: int, *, for_update: bool):
    """Load the session row with its event (one query), the session's row locked
    ``FOR UPDATE`` on PostgreSQL when asked; None if missing."""
    plain, locked = _session_statements()
    stmt = locked if for_update and db.engine.dialect.name == "postgresql" else plain
    return db.session.scalar(stmt, {"session_id": session_id})
