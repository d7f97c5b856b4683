"""Table picks and rotation plans: the web app as one user of the pure planner.

Each use case is one unit of work. The planner itself (``domain/rotation``) knows nothing of the
database: ``build_problem`` turns confirmed registrations, picks and kept seats into its input.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import delete

from meetingapp.calendar.service import round_entries
from meetingapp.domain import rotation as planner
from meetingapp.domain.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from meetingapp.domain.i18n import _
from meetingapp.domain.visibility import check_not_cancelled
from meetingapp.extensions import db
from meetingapp.i18n import language_of
from meetingapp.mail import service as mail
from meetingapp.mail.notices import ROTATION_READY, notice
from meetingapp.models import EventSession, Notification, TopicTable, User
from meetingapp.models.audit import record_audit
from meetingapp.models.event import visible_networking_session
from meetingapp.models.rotation import RotationAssignment, RotationPlan, TablePick
from meetingapp.registration.queries import confirmed_people, is_confirmed
from meetingapp.rotation.queries import latest_plan, picks_by_user, stops_of_plan
from meetingapp.rotation.rules import SeatingRules, readable, stored_rules
from meetingapp.uow import unit_of_work


class RotationInfeasible(DomainError):
    status_code = 409


def _open_for_picks(session: EventSession, user: User, now: datetime) -> None:
    check_not_cancelled(session.is_cancelled, event_cancelled=session.event.is_cancelled)
    deadline = session.picks_deadline or session.starts_at
    if now >= deadline:
        raise ValidationFailed(_("The deadline for table picks has passed."), field="tables")
    if not is_confirmed(session.id, user.id):
        raise PermissionDenied(
            _("Register for the session (and be confirmed) before picking tables.")
        )


def save_picks(*, user: User, session_id: int, table_ids: list[int], now: datetime) -> list[int]:
    """Replace the user's ranked picks (best first) until the picks deadline."""
    with unit_of_work():
        session = visible_networking_session(session_id, user)
        _open_for_picks(session, user, now)
        table_ids = [t for t in table_ids if t]
        max_picks = session.max_picks or 5
        if len(table_ids) > max_picks:
            raise ValidationFailed(
                _("Pick at most %(count)s tables.", count=max_picks), field="tables"
            )
        if len(set(table_ids)) != len(table_ids):
            raise ValidationFailed(_("Each table can be picked only once."), field="tables")
        valid = {t.id for t in session.tables}
        if any(t not in valid for t in table_ids):
            raise ValidationFailed(_("Pick tables of this session only."), field="tables")
        db.session.execute(
            delete(TablePick).where(
                TablePick.session_id == session_id, TablePick.user_id == user.id
            )
        )
        for rank, table_id in enumerate(table_ids, start=1):
            db.session.add(
                TablePick(
                    session_id=session_id,
                    user_id=user.id,
                    table_id=table_id,
                    rank=rank,
                    created_at=now,
                )
            )
    return table_ids


# --- planning --------------------------------------------------------------------------------


def build_problem(
    session: EventSession,
    *,
    fixed: list[planner.FixedAssignment] | None = None,
    people: list[User] | None = None,
    keep_min_seats: bool = True,
) -> planner.RotationProblem:
    """The planner's input: everyone confirmed (or ``people``, those in the room), their picks,
    the tables, the kept seats and the organisers' seating rules about these people."""
    people = confirmed_people(session.id) if people is None else people
    picks = picks_by_user(session.id)
    rules = stored_rules(session.id).among({u.id for u in people})
    stays = set(rules.stays_at_one_table)
    return planner.RotationProblem(
        rounds=session.round_count or 0,
        min_tables=session.min_tables or 1,
        max_picks=session.max_picks or 5,
        tables=tuple(
            planner.TableSpec(t.id, t.seats, t.min_seats if keep_min_seats else 0)
            for t in session.tables
        ),
        participants=tuple(
            planner.ParticipantSpec(
                u.id,
                u.organisation_label or None,
                tuple(picks.get(u.id, ())),
                moves=u.id not in stays,
            )
            for u in people
        ),
        fixed=tuple(fixed or ()),
        apart=rules.apart,
        together=rules.together,
    )


def solve_for(session: EventSession, problem: planner.RotationProblem, **options):
    """Run the planner; an infeasible problem is refused with the planner's line, in names,
    table codes and rounds from 1. The stats say which seating rules were asked and kept."""
    try:
        result = planner.solve(problem, **options)
    except planner.Infeasible as exc:
        names = {p.id: p for p in confirmed_people(session.id)}
        reason = readable(
            str(exc),
            lambda uid: names[uid].name if uid in names else f"#{uid}",
            {t.id: t.code for t in session.tables},
        )
        raise RotationInfeasible(_("No rotation is possible: %(reason)s", reason=reason)) from None
    rules = SeatingRules(
        tuple(p.id for p in problem.participants if not p.moves), problem.apart, problem.together
    )
    result.stats["seating_rules"] = {
        "stays_at_one_table": len(rules.stays_at_one_table),
        "apart": len(rules.apart),
        "together": len(rules.together),
        "honoured": broken_rules(rules, result.assignments) == 0,
    }
    return result


def broken_rules(rules: SeatingRules, assignments) -> int:
    """How many rules the seats break (0 for every plan the planner returns: its own last
    check refuses anything else; the count is what the plan page states)."""
    seat = {(a.participant, a.round): a.table for a in assignments}
    tables: dict = {}
    for a in assignments:
        tables.setdefault(a.participant, []).append((a.round, a.table))
    broken = sum(1 for u in rules.stays_at_one_table if len({t for _, t in tables.get(u, [])}) > 1)
    for p, q in rules.apart:
        broken += any(seat.get((q, r)) == t for r, t in tables.get(p, []))
    for p, q in rules.together:
        broken += any(seat.get((q, r)) != t for r, t in tables.get(p, []))
    return broken


def plan_rotation(
    *,
    session_id: int,
    actor: User,
    now: datetime,
    from_round: int = 0,
    time_limit: float | None = None,
) -> RotationPlan:
    """Plan (or re-plan from ``from_round``, keeping earlier rounds and pins) and store a draft."""
    with unit_of_work():
        session = visible_networking_session(session_id, actor)
        check_not_cancelled(session.is_cancelled, event_cancelled=session.event.is_cancelled)
        if session.ends_at <= now:
            raise ValidationFailed(_("This session is over: its rotation stays as it was played."))
        if not session.tables:
            raise ValidationFailed(_("Add topic tables before planning the rotation."))
        previous = latest_plan(session_id)
        fixed: list[planner.FixedAssignment] = []
        confirmed = {u.id for u in confirmed_people(session_id)}
        if previous is not None:
            for a in previous.assignments:
                if a.user_id in confirmed and (a.round_number < from_round or a.pinned):
                    fixed.append(planner.FixedAssignment(a.user_id, a.round_number, a.table_id))
        elif from_round:
            raise ValidationFailed(_("There is no earlier plan to keep rounds from."))
        problem = build_problem(session, fixed=fixed)
        if not problem.participants:
            raise ValidationFailed(_("Nobody is confirmed for this session yet."))
        result = solve_for(session, problem, time_limit=time_limit)
        pinned = {(f.participant, f.round) for f in fixed if f.round >= from_round}
        version = (previous.version + 1) if previous else 1
        if previous is not None and previous.status == "draft":
            previous.status = "superseded"
        plan = RotationPlan(
            session_id=session_id,
            version=version,
            status="draft",
            from_round=from_round,
            created_by_id=actor.id,
            created_at=now,
            stats_json=json.dumps(result.stats, default=str),
        )
        plan.assignments = [
            RotationAssignment(
                round_number=a.round,
                table_id=a.table,
                user_id=a.participant,
                pinned=(a.participant, a.round) in pinned,
            )
            for a in result.assignments
        ]
        db.session.add(plan)
        record_audit(
            event_id=session.event_id,
            actor=actor,
            now=now,
            action="rotation planned",
            target=session.title,
            detail=f"v{version} from round {from_round + 1}: score "
            f"{result.stats.get('preference_score')}/"
            f"{result.stats.get('optimal_preference_score')}",
        )
    return plan


def move_participant(
    *, plan_id: int, user_id: int, round_number: int, table_id: int, actor: User
) -> None:
    """Pin a person to a table in one round of a draft plan (capacity, repeats and seating
    rules checked); someone who stays at one table moves in every round."""
    with unit_of_work():
        plan = db.session.get(RotationPlan, plan_id)
        if plan is None:
            raise NotFound(_("There is no such plan."))
        session = visible_networking_session(plan.session_id, actor)
        table = db.session.get(TopicTable, table_id)
        if table is None or table.session_id != session.id:
            raise ValidationFailed(_("Pick a table of this session."), field="table")
        mine = [a for a in plan.assignments if a.user_id == user_id]
        seat = next((a for a in mine if a.round_number == round_number), None)
        if seat is None:
            raise ValidationFailed(_("This person has no seat in that round."), field="participant")
        rules = stored_rules(session.id)
        moving = mine if user_id in rules.stays_at_one_table else [seat]
        if all(a.table_id == table_id for a in moving):
            for a in moving:
                a.pinned = True
            return
        _check_move_keeps_pairs(plan, rules, user_id, moving, table)
        if len(moving) == 1 and any(a.table_id == table_id for a in mine if a is not seat):
            raise ValidationFailed(
                _("They already visit table %(code)s in another round.", code=table.code),
                field="table",
            )
        _check_room(plan, user_id, moving, table)
        for a in moving:
            a.table_id = table_id
            a.pinned = True
        plan.status = "draft"
        plan.published_at = None
        record_audit(
            event_id=session.event_id,
            actor=actor,
            action="rotation seat moved",
            target=session.title,
            detail=f"user {user_id}, round {round_number + 1} → table {table.code}"
            + (" (stays at one table: every round)" if len(moving) > 1 else ""),
        )


def _check_move_keeps_pairs(plan, rules: SeatingRules, user_id, moving, table) -> None:
    """The organisers' pairs first: a together pair moves as one (not by a move), and nobody
    joins someone they are kept apart from."""
    for first, second in rules.together:
        if user_id in (first, second):
            other = db.session.get(User, second if user_id == first else first)
            raise ValidationFailed(
                _(
                    "They sit with %(name)s in every round: remove that pair to move one of "
                    "them alone.",
                    name=other.name,
                ),
                field="participant",
            )
    kept_apart = {q if p == user_id else p for p, q in rules.apart if user_id in (p, q)}
    for seat in moving:
        rival = next(
            (
                a.user
                for a in plan.assignments
                if a.round_number == seat.round_number
                and a.table_id == table.id
                and a.user_id in kept_apart
            ),
            None,
        )
        if rival is not None:
            raise ValidationFailed(
                _(
                    "They are kept apart from %(name)s, who sits at table %(code)s in round "
                    "%(round)s.",
                    name=rival.name,
                    code=table.code,
                    round=seat.round_number + 1,
                ),
                field="table",
            )


def _check_room(plan, user_id, moving, table) -> None:
    """Room at the table in each round moved."""
    for seat in moving:
        here = sum(
            1
            for a in plan.assignments
            if a.round_number == seat.round_number
            and a.table_id == table.id
            and a.user_id != user_id
        )
        if here >= table.seats:
            raise ValidationFailed(
                _(
                    "Table %(code)s is full in round %(round)s (%(seats)s seats).",
                    code=table.code,
                    round=seat.round_number + 1,
                    seats=table.seats,
                ),
                field="table",
            )


def publish_plan(*, plan_id: int, actor: User, now: datetime) -> RotationPlan:
    """Publish a plan: participants are notified and mailed their rounds as calendar entries."""
    with unit_of_work():
        plan = db.session.get(RotationPlan, plan_id)
        if plan is None:
            raise NotFound(_("There is no such plan."))
        session = visible_networking_session(plan.session_id, actor)
        check_not_cancelled(session.is_cancelled, event_cancelled=session.event.is_cancelled)
        for other in db.session.scalars(
            db.select(RotationPlan).where(
                RotationPlan.session_id == plan.session_id,
                RotationPlan.id != plan.id,
                RotationPlan.status == "published",
            )
        ):
            other.status = "superseded"
        plan.status = "published"
        plan.published_at = now
        db.session.flush()
        for user_id in sorted({a.user_id for a in plan.assignments}):
            user = db.session.get(User, user_id)
            db.session.add(
                Notification(
                    user_id=user_id,
                    created_at=now,
                    message=notice(ROTATION_READY, title=session.title),
                    session_id=session.id,
                )
            )
            with language_of(user):  # the invite's entries are written in the recipient's language
                entries = round_entries(session, plan, user_id, mail.session_url)
            mail.rotation_message(
                user=user,
                session=session,
                stops=stops_of_plan(plan, session, user_id),
                entries=entries,
                now=now,
            )
        record_audit(
            event_id=session.event_id,
            actor=actor,
            now=now,
            action="rotation published",
            target=session.title,
            detail=f"v{plan.version}",
        )
    return plan
