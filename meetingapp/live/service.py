"""Running a speed-networking session on the day: the clock, absences, re-plans and walk-ins.

Every change is one unit of work under the session's lock, raises the live version and tells
the streams of every server (PostgreSQL NOTIFY; SQLite streams poll the version). Phases that
run out by themselves are written down by whoever reads the state first (``snapshot``), with a
conditional UPDATE, so every server sends the same versions.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, text, update

from meetingapp.domain import live as rules
from meetingapp.domain import rotation as planner
from meetingapp.domain.errors import NotFound, PermissionDenied, ValidationFailed
from meetingapp.domain.i18n import _
from meetingapp.domain.visibility import can_follow_live, can_manage, check_not_cancelled
from meetingapp.extensions import db
from meetingapp.mail.notices import ROTATION_READY, notice
from meetingapp.models import EventSession, LiveAbsence, LiveSession, Notification, User
from meetingapp.models.audit import record_audit
from meetingapp.models.event import visible_networking_session
from meetingapp.models.rotation import RotationAssignment, RotationPlan
from meetingapp.registration.queries import active_registration, confirmed_people
from meetingapp.rotation.queries import latest_plan
from meetingapp.rotation.service import RotationInfeasible, build_problem
from meetingapp.uow import current, unit_of_work

NOTIFY_CHANNEL = "meetingapp_live"


@dataclass(frozen=True)
class Snapshot:
    """What every client is told: the API's JSON, the streams' events."""

    session_id: int
    state: rules.LiveState
    version: int
    server_time: datetime
    rounds: int
    plan_version: int | None

    def as_json(self) -> dict:
        s = self.state
        return {
            "state": s.state,
            "round": s.round + 1 if s.round is not None else None,
            "phase_ends_at": _iso(s.phase_ends_at),
            "server_time": _iso(self.server_time),
            "version": self.version,
            "rounds": self.rounds,
            "plan_version": self.plan_version,
            "seconds_left": (
                round(s.remaining_seconds or 0)
                if s.state == rules.PAUSED
                else (
                    max(0, round((s.phase_ends_at - self.server_time).total_seconds()))
                    if s.phase_ends_at
                    else None
                )
            ),
        }


def _iso(instant: datetime | None) -> str | None:
    return instant.isoformat().replace("+00:00", "Z") if instant is not None else None


def timing_of(session: EventSession) -> rules.Timing:
    return rules.Timing(
        rounds=session.round_count or 0,
        round_seconds=60 * (session.round_minutes or 0),
        move_seconds=60 * (session.move_minutes or 0),
    )


def may_follow(viewer: User | None, session: EventSession) -> bool:
    registered = viewer is not None and active_registration(session.id, viewer.id) is not None
    hosts = viewer is not None and any(t.host_user_id == viewer.id for t in session.tables)
    return can_follow_live(viewer, registered=registered, hosts_a_table=hosts)


def followed_session(session_id: int, viewer: User | None) -> EventSession:
    """The session if ``viewer`` may follow its clock (PermissionDenied, NotFound otherwise)."""
    session = visible_networking_session(session_id, viewer)
    if not may_follow(viewer, session):
        raise PermissionDenied(
            _("The live clock is for the session's participants, table hosts and organisers.")
        )
    return session


def _managed(session_id: int, actor: User) -> EventSession:
    session = visible_networking_session(session_id, actor)
    if not can_manage(actor):
        raise PermissionDenied(_("Only organisers run the session."))
    return session


def absence_marker(session_id: int, actor: User) -> EventSession:
    """The session, if ``actor`` may mark absences in it at all: an organiser, or the host of
    one of its tables (which people a host may mark is the round's seating, in ``mark_absent``)."""
    session = visible_networking_session(session_id, actor)
    if not (can_manage(actor) or any(t.host_user_id == actor.id for t in session.tables)):
        raise PermissionDenied(_("Table hosts mark absent the people seated at their table."))
    return session


def _row(session_id: int) -> LiveSession | None:
    return db.session.get(LiveSession, session_id)


def _new_row(session_id: int, now: datetime) -> LiveSession:
    row = LiveSession(
        session_id=session_id,
        state=rules.WAITING,
        version=1,
        board_token=secrets.token_urlsafe(24),
        updated_at=now,
    )
    db.session.add(row)
    db.session.flush()
    return row


def _notify(session_id: int, version: int) -> None:
    """Wake the streams of every server once the unit commits (PostgreSQL delivers NOTIFY at
    commit, and not at all on rollback)."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(
            text("SELECT pg_notify(:channel, :payload)"),
            {"channel": NOTIFY_CHANNEL, "payload": f"{session_id}:{version}"},
        )
    unit = current()
    if unit is not None:
        from meetingapp.live.streams import hub

        unit.after_commit(lambda: hub.publish(session_id, version))


def _plan_version(session_id: int) -> int | None:
    plan = latest_plan(session_id, published_only=True)
    return plan.version if plan is not None else None


def snapshot(session_id: int, now: datetime) -> Snapshot:
    """The live state at ``now`` (no permission check: callers have checked who asks).

    A phase that ran out since the last change is written down here, once for all servers.
    """
    session = db.session.get(EventSession, session_id)
    if session is None:
        raise NotFound(_("There is no such session."))
    timing = timing_of(session)
    row = _row(session_id)
    if row is None:
        return Snapshot(
            session_id, rules.LiveState(), 0, now, timing.rounds, _plan_version(session_id)
        )
    stored = row.to_state()
    state = rules.advance(stored, now, timing)
    version = row.version
    if state != stored:
        version = _write_advance(session_id, row.version, state, now)
    return Snapshot(session_id, state, version, now, timing.rounds, _plan_version(session_id))


def _write_advance(session_id: int, seen: int, state: rules.LiveState, now: datetime) -> int:
    with unit_of_work():
        result = db.session.execute(
            update(LiveSession)
            .where(LiveSession.session_id == session_id, LiveSession.version == seen)
            .values(
                state=state.state,
                round_number=state.round,
                phase_ends_at=state.phase_ends_at,
                paused_phase=state.paused_phase,
                remaining_seconds=state.remaining_seconds,
                version=seen + 1,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:
            _notify(session_id, seen + 1)
            return seen + 1
    db.session.expire_all()
    return _row(session_id).version  # another server wrote it first


def live_row(session_id: int, actor: User, now: datetime) -> LiveSession:
    """The session's live row, created (waiting, with a board token) on first use."""
    session = _managed(session_id, actor)
    row = _row(session.id)
    if row is not None:
        return row
    with unit_of_work(lock_session=session.id):
        return _row(session.id) or _new_row(session.id, now)


def perform(
    *, session_id: int, action: str, actor: User, now: datetime, minutes: int | None = None
) -> Snapshot:
    """An organiser's action on the room's clock: start, next, pause, resume, extend, end."""
    with unit_of_work(lock_session=session_id):
        session = _managed(session_id, actor)
        check_not_cancelled(session.is_cancelled, event_cancelled=session.event.is_cancelled)
        timing = timing_of(session)
        row = _row(session_id) or _new_row(session_id, now)
        state = rules.advance(row.to_state(), now, timing)
        state = rules.act(state, action, now, timing, minutes=minutes)
        row.set_state(state)
        row.version += 1
        row.updated_at = now
        if action == "start":
            row.started_at = now
        _notify(session_id, row.version)
        record_audit(
            event_id=session.event_id,
            actor=actor,
            now=now,
            action=f"live: {action}",
            target=session.title,
            detail=_describe(state, minutes),
        )
        version = row.version
    return Snapshot(session_id, state, version, now, timing.rounds, _plan_version(session_id))


def _describe(state: rules.LiveState, minutes: int | None) -> str:
    where = f"round {state.round + 1}, " if state.round is not None else ""
    extra = f" (+{minutes} min)" if minutes else ""
    return f"{where}{state.state}{extra}"


def set_board_locale(*, session_id: int, locale: str | None, actor: User, now: datetime) -> None:
    with unit_of_work(lock_session=session_id):
        _managed(session_id, actor)
        row = _row(session_id) or _new_row(session_id, now)
        row.board_locale = locale or None
        row.version += 1
        _notify(session_id, row.version)


def session_for_board(token: str) -> tuple[EventSession, LiveSession]:
    """The session behind a board link (the secret is the credential)."""
    row = db.session.scalar(select(LiveSession).where(LiveSession.board_token == token))
    if row is None or len(token) > 64:
        raise NotFound(_("This board link does not exist (it may have been renewed)."))
    return row.session, row


# --- absences, re-plans and walk-ins ----------------------------------------------------------


def absent_ids(session_id: int) -> dict[int, int]:
    """{user id: the round they are absent from (on)}."""
    return dict(
        db.session.execute(
            select(LiveAbsence.user_id, LiveAbsence.round_number).where(
                LiveAbsence.session_id == session_id
            )
        ).all()
    )


def mark_absent(
    *, session_id: int, user_id: int, round_number: int, absent: bool, actor: User, now: datetime
) -> None:
    """Mark (or unmark) someone absent from a round on. Organisers, or the host of the table
    the person sits at in that round."""
    from meetingapp.rotation.queries import hosted_seats

    with unit_of_work(lock_session=session_id):
        session = visible_networking_session(session_id, actor)
        if not (can_manage(actor) or user_id in hosted_seats(session, actor.id, round_number)):
            raise PermissionDenied(_("Table hosts mark absent the people seated at their table."))
        db.session.execute(
            delete(LiveAbsence).where(
                LiveAbsence.session_id == session_id, LiveAbsence.user_id == user_id
            )
        )
        if absent:
            db.session.add(
                LiveAbsence(
                    session_id=session_id,
                    user_id=user_id,
                    round_number=round_number,
                    marked_by_id=actor.id,
                    at=now,
                )
            )
        person = db.session.get(User, user_id)
        record_audit(
            event_id=session.event_id,
            actor=actor,
            now=now,
            action="live: absent" if absent else "live: present again",
            target=session.title,
            detail=f"{person.email if person else user_id}, round {round_number + 1}",
        )


def absences_from_check_in(
    *, session_id: int, round_number: int, actor: User, now: datetime
) -> int:
    """Everyone seated in the round but not checked in for it is marked absent; returns how
    many were marked."""
    from meetingapp.checkin.queries import presence_for_sessions
    from meetingapp.rotation.queries import seats_in_round

    with unit_of_work(lock_session=session_id):
        session = _managed(session_id, actor)
        seated = set(seats_in_round(session.id, round_number, published_only=True))
        present = {
            p.user_id
            for p in presence_for_sessions([session.id])[session.id]
            if p.round_number == round_number
        }
        already = absent_ids(session.id)
        missing = sorted(seated - present - set(already))
        for user_id in missing:
            db.session.add(
                LiveAbsence(
                    session_id=session.id,
                    user_id=user_id,
                    round_number=round_number,
                    marked_by_id=actor.id,
                    at=now,
                )
            )
        record_audit(
            event_id=session.event_id,
            actor=actor,
            now=now,
            action="live: absences from check-in",
            target=session.title,
            detail=f"round {round_number + 1}: {len(missing)} marked absent",
        )
    return len(missing)


@dataclass(frozen=True)
class Replanned:
    plan: RotationPlan
    from_round: int
    moved: list[int]  # people whose seats in the remaining rounds changed


def replan_remaining(*, session_id: int, actor: User, now: datetime) -> Replanned:
    """Re-plan the rounds not yet played without the people marked absent (and with walk-ins),
    keeping every seat of the rounds played or under way; published at once, people moved are
    told in the app."""
    with unit_of_work(lock_session=session_id):
        session = _managed(session_id, actor)
        timing = timing_of(session)
        row = _row(session_id) or _new_row(session_id, now)
        state = rules.advance(row.to_state(), now, timing)
        first = rules.first_open_round(state)
        if state.state == rules.FINISHED or first >= timing.rounds:
            raise rules.LiveConflict(_("No rounds are left to re-plan."))
        previous = latest_plan(session_id, published_only=True)
        if previous is None:
            raise ValidationFailed(_("Publish a rotation before running the session."))
        plan, moved = _replan(session, previous, first, absent_ids(session_id), actor, now)
        row.version += 1
        row.updated_at = now
        _notify(session_id, row.version)
    return Replanned(plan, first, moved)


def _replan(
    session: EventSession,
    previous: RotationPlan,
    first: int,
    absent: dict[int, int],
    actor: User,
    now: datetime,
    *,
    keep_seats_of: set[int] | None = None,
) -> tuple[RotationPlan, list[int]]:
    people = [u for u in confirmed_people(session.id) if u.id not in absent]
    played = [a for a in previous.assignments if a.round_number < first]
    present_ids = {u.id for u in people}
    fixed = [
        planner.FixedAssignment(a.user_id, a.round_number, a.table_id)
        for a in played
        if a.user_id in present_ids
    ]
    if keep_seats_of:  # a walk-in: everyone else keeps their remaining seats too
        fixed += [
            planner.FixedAssignment(a.user_id, a.round_number, a.table_id)
            for a in previous.assignments
            if a.round_number >= first and a.user_id in keep_seats_of
        ]
    newcomers = present_ids - {a.user_id for a in played}
    # The same input as planning before the day (picks, tables, the organisers' seating rules:
    # who stays at one table, pairs apart or together), for the people in the room; a table's
    # minimum is not kept once people are missing.
    problem = build_problem(session, fixed=fixed, people=people, keep_min_seats=False)
    try:
        # The planner's own ceiling: a short, budgeted search for the rounds left (the room
        # waits for it, and the same input gives the same plan).
        result = planner.solve(problem)
    except planner.Infeasible as exc:
        raise RotationInfeasible(
            _("No rotation is possible: %(reason)s", reason=str(exc))
        ) from None
    before = {(a.user_id, a.round_number): a.table_id for a in previous.assignments}
    seats = [
        (a.participant, a.round, a.table)
        for a in result.assignments
        if a.round >= first or a.participant not in newcomers
    ]
    # The absent keep the seats they had in the rounds played: the record of who came.
    seats += [
        (a.user_id, a.round_number, a.table_id) for a in played if a.user_id not in present_ids
    ]
    previous.status = "superseded"
    plan = RotationPlan(
        session_id=session.id,
        version=previous.version + 1,
        status="published",
        from_round=first,
        created_by_id=actor.id,
        created_at=now,
        published_at=now,
        stats_json=json.dumps(result.stats, default=str),
    )
    plan.assignments = [
        RotationAssignment(round_number=r, table_id=t, user_id=u, pinned=(r < first))
        for u, r, t in seats
    ]
    db.session.add(plan)
    moved = sorted({u for u, r, t in seats if r >= first and before.get((u, r)) != t})
    for user_id in moved:
        db.session.add(
            Notification(
                user_id=user_id,
                created_at=now,
                message=notice(ROTATION_READY, title=session.title),
                session_id=session.id,
            )
        )
    record_audit(
        event_id=session.event_id,
        actor=actor,
        now=now,
        action="live: re-planned",
        target=session.title,
        detail=f"v{plan.version} from round {first + 1}: {len(absent)} absent, {len(moved)} moved",
    )
    return plan, moved


def seat_walk_in(*, session_id: int, user: User, actor: User, now: datetime) -> Replanned:
    """Register someone who walked in (past capacity if need be) and seat them in free seats of
    the rounds not yet played; nobody else's seat changes."""
    from meetingapp.registration.service import confirm_with_override, register_participant

    with unit_of_work(lock_session=session_id):
        session = _managed(session_id, actor)
        timing = timing_of(session)
        row = _row(session_id) or _new_row(session_id, now)
        state = rules.advance(row.to_state(), now, timing)
        first = rules.first_open_round(state)
        if state.state == rules.FINISHED or first >= timing.rounds:
            raise rules.LiveConflict(_("No rounds are left to seat anyone in."))
        previous = latest_plan(session_id, published_only=True)
        if previous is None:
            raise ValidationFailed(_("Publish a rotation before running the session."))
        if any(a.user_id == user.id for a in previous.assignments if a.round_number >= first):
            raise ValidationFailed(_("%(name)s already has a seat.", name=user.name), field="email")
        reg = active_registration(session_id, user.id)
        if reg is None:
            outcome = register_participant(
                user=user, session_id=session_id, now=now, actor=actor, check_window=False
            )
            reg = active_registration(session_id, user.id)
            if outcome.status == "waitlisted":
                confirm_with_override(registration_id=reg.id, now=now, actor=actor)
        elif reg.status.value == "waitlisted":
            confirm_with_override(registration_id=reg.id, now=now, actor=actor)
        others = {a.user_id for a in previous.assignments} - {user.id}
        absent = absent_ids(session_id)
        plan, moved = _replan(
            session, previous, first, absent, actor, now, keep_seats_of=others - set(absent)
        )
        row.version += 1
        _notify(session_id, row.version)
    return Replanned(plan, first, moved)
