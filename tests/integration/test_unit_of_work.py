"""The unit of work: one commit per use case, inner units join, writes begin IMMEDIATE on SQLite,
and nothing writes outside a unit during a request."""

from __future__ import annotations

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from meetingapp.extensions import db
from meetingapp.models import Organisation
from meetingapp.uow import UnitOfWorkMisuse, require_seat_lock, unit_of_work


@pytest.fixture
def transactions(app):
    """The BEGIN and COMMIT statements the engine sends, in order."""
    seen: list[str] = []

    def on_begin(conn):
        seen.append("begin")

    def on_commit(conn):
        seen.append("commit")

    def on_sql(_conn, _cursor, statement, *_args):
        if statement.startswith("BEGIN"):
            seen.append(statement)

    sa_event.listen(db.engine, "begin", on_begin)
    sa_event.listen(db.engine, "commit", on_commit)
    sa_event.listen(db.engine, "before_cursor_execute", on_sql)
    yield seen
    sa_event.remove(db.engine, "begin", on_begin)
    sa_event.remove(db.engine, "commit", on_commit)
    sa_event.remove(db.engine, "before_cursor_execute", on_sql)


def _orgs() -> set[str]:
    return set(db.session.scalars(select(Organisation.short_name)))


def test_inner_units_join_the_outer_one_and_only_the_outermost_commits(app, transactions):
    with unit_of_work():
        db.session.add(Organisation(short_name="A", full_name="A"))
        with unit_of_work():
            db.session.add(Organisation(short_name="B", full_name="B"))
        with unit_of_work():
            db.session.add(Organisation(short_name="C", full_name="C"))
    assert transactions.count("commit") == 1
    assert _orgs() == {"A", "B", "C"}


def test_a_failure_rolls_the_whole_unit_back(app):
    with pytest.raises(ValueError), unit_of_work():
        db.session.add(Organisation(short_name="A", full_name="A"))
        db.session.flush()
        raise ValueError("refused")
    assert _orgs() == set()


def test_an_inner_failure_caught_without_a_savepoint_refuses_to_commit_half(app):
    with pytest.raises(UnitOfWorkMisuse), unit_of_work():
        db.session.add(Organisation(short_name="A", full_name="A"))
        try:
            with unit_of_work():
                db.session.add(Organisation(short_name="B", full_name="B"))
                raise ValueError("refused")
        except ValueError:
            pass
    assert _orgs() == set()


def test_an_inner_failure_in_a_savepoint_is_undone_and_the_rest_commits(app):
    with unit_of_work():
        db.session.add(Organisation(short_name="A", full_name="A"))
        try:
            with unit_of_work(savepoint=True):
                db.session.add(Organisation(short_name="B", full_name="B"))
                db.session.flush()
                raise ValueError("refused")
        except ValueError:
            pass
        db.session.add(Organisation(short_name="C", full_name="C"))
    assert _orgs() == {"A", "C"}


def test_on_sqlite_a_unit_begins_immediate_and_reads_stay_deferred(app, backend, transactions):
    if backend != "sqlite":
        pytest.skip("BEGIN IMMEDIATE is SQLite's")
    db.session.commit()
    transactions.clear()
    db.session.scalar(select(func.count()).select_from(Organisation))  # a read outside a unit
    db.session.commit()
    with unit_of_work():
        db.session.add(Organisation(short_name="A", full_name="A"))
    assert [s for s in transactions if s.startswith("BEGIN")] == ["BEGIN", "BEGIN IMMEDIATE"]


def test_counting_seats_needs_the_lock_declared_by_the_unit(app):
    session_id = 1
    with pytest.raises(UnitOfWorkMisuse), unit_of_work():
        require_seat_lock(session_id)
    with unit_of_work(lock_session=session_id) as unit:
        require_seat_lock(session_id)
        assert unit.locked(session_id) is None  # no such session: the use case says NotFound


def test_a_request_that_writes_outside_a_unit_fails_loudly_and_saves_nothing(app, client):
    @app.post("/_write_outside_a_unit")
    def write_outside_a_unit():
        db.session.add(Organisation(short_name="X", full_name="X"))
        db.session.flush()
        return "written"

    response = client.post("/_write_outside_a_unit")
    assert response.status_code == 500
    assert _orgs() == set()
