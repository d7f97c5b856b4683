"""The unit of work: one transaction per use case, committed once, by the outermost.

::

    with unit_of_work() as unit:                       # a use case that may write
        ...
    with unit_of_work(lock_session=session_id) as unit: # ... and counts a session's seats
        session = unit.locked(session_id)

* The outermost unit ends whatever read transaction the request had open, begins its own
  (``BEGIN IMMEDIATE`` on SQLite, so a unit that reads before it writes can never fail with
  "database is locked"), takes the declared seat lock (``SELECT … FOR UPDATE`` on PostgreSQL)
  and commits once when the block ends; any exception rolls everything back.
* A unit opened inside another joins it and only flushes. ``savepoint=True`` lets the caller
  catch an inner unit's failure and carry on (an import skipping a bad row): the failed unit's
  writes are rolled back to its savepoint. An inner failure caught without a savepoint poisons
  the outer unit, which then refuses to commit half a use case.
* During a request, a flush or a commit outside a unit is a bug and raises at once (the guards
  installed by ``install_guards``): views and models never write by themselves.
* ``unit.after_commit(callback)`` runs code once the data is durable (mail delivery).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from flask import current_app, has_request_context
from sqlalchemy import event

from meetingapp.extensions import db
from meetingapp.locking import begin_transaction, lock_session_row


class UnitOfWorkMisuse(RuntimeError):
    """A programming error: a write outside a unit, or a lock nobody declared."""


@dataclass
class Unit:
    locks: dict[int, object] = field(default_factory=dict)
    callbacks: list[Callable[[], None]] = field(default_factory=list)
    committing: bool = False
    poisoned: BaseException | None = None

    def locked(self, session_id: int):
        """The session row whose seats this unit locked (None if there is no such session)."""
        if session_id not in self.locks:
            raise UnitOfWorkMisuse(f"session {session_id} was not locked by this unit of work")
        return self.locks[session_id]

    def after_commit(self, callback: Callable[[], None]) -> None:
        if callback not in self.callbacks:
            self.callbacks.append(callback)


_current: ContextVar[Unit | None] = ContextVar("meetingapp_unit_of_work", default=None)


def current() -> Unit | None:
    return _current.get()


def require_seat_lock(session_id: int) -> None:
    """Seat arithmetic that writes must run under the session's lock (declared by the unit)."""
    unit = _current.get()
    if unit is None or session_id not in unit.locks:
        raise UnitOfWorkMisuse(
            f"counting seats of session {session_id} needs unit_of_work(lock_session=...)"
        )


def _locking_enabled() -> bool:
    # Only the race tests switch the lock off, to show that the race is real.
    return bool(current_app.config.get("REGISTRATION_LOCKING", True))


@contextmanager
def unit_of_work(*, lock_session: int | None = None, savepoint: bool = False) -> Iterator[Unit]:
    """Open a unit of work (see the module's docstring)."""
    outer = _current.get()
    if outer is not None:
        with _joined(outer, lock_session, savepoint):
            yield outer
        return
    _end_read_transaction()
    unit = Unit()
    token = _current.set(unit)
    try:
        locking = _locking_enabled()
        if lock_session is None:
            # A control test may switch this off to show what it prevents ("database is locked").
            immediate = current_app.config.get("SQLITE_IMMEDIATE_WRITES", True)
        else:
            immediate = locking
        begin_transaction(immediate=immediate)
        if lock_session is not None:
            unit.locks[lock_session] = lock_session_row(lock_session, for_update=locking)
        yield unit
        if unit.poisoned is not None:
            raise UnitOfWorkMisuse(
                "an inner unit of work failed and was caught without savepoint=True"
            ) from unit.poisoned
        unit.committing = True
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    finally:
        unit.committing = False
        _current.reset(token)
    for callback in unit.callbacks:
        callback()


@contextmanager
def _joined(outer: Unit, lock_session: int | None, savepoint: bool) -> Iterator[None]:
    if lock_session is not None and lock_session not in outer.locks:
        outer.locks[lock_session] = lock_session_row(lock_session, for_update=_locking_enabled())
    nested = db.session.begin_nested() if savepoint else None
    try:
        yield
        db.session.flush()
    except BaseException as exc:
        if nested is not None:
            nested.rollback()
        else:
            outer.poisoned = exc
        raise
    if nested is not None:
        outer.committing = True  # releasing a savepoint is the unit's own doing
        try:
            nested.commit()
        finally:
            outer.committing = False


def _end_read_transaction() -> None:
    """A unit begins its own transaction: end the one the caller had open."""
    if has_request_context():
        if db.session.new or db.session.dirty or db.session.deleted:
            raise UnitOfWorkMisuse("changes made outside a unit of work during a request")
        db.session.rollback()
    else:
        # Scripts and tests that prepared rows by hand keep them.
        db.session.commit()


_guards_installed = False


def install_guards() -> None:
    """During a request, refuse any flush or commit that no unit of work makes (once per
    process: the listeners sit on the scoped session that every app shares)."""
    global _guards_installed
    if _guards_installed:
        return
    _guards_installed = True

    @event.listens_for(db.session, "before_flush")
    def _flush_inside_unit(_session, _context, _instances):
        if has_request_context() and _current.get() is None:
            raise UnitOfWorkMisuse("a request wrote to the database outside a unit of work")

    @event.listens_for(db.session, "before_commit")
    def _commit_by_unit(_session):
        unit = _current.get()
        if has_request_context() and not (unit is not None and unit.committing):
            raise UnitOfWorkMisuse("only the outermost unit of work commits")
