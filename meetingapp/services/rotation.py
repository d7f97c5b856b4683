"""Table picks and rotation plans: the web app as one user of the pure planner."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from meetingapp.domain import rotation as planner
from meetingapp.domain.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from meetingapp.domain.i18n import _
from meetingapp.extensions import db
from meetingapp.i18n import language_of
from meetingapp.models import (
    EventSession,
    Notification,
    Registration,
    RegistrationStatus,
    SessionKind,
    TopicTable,
    User,
)
from meetingapp.models.rotation import (
    RotationAssignment,
    RotationPlan,
    TablePick,
    latest_plan,
    picks_of,
)
from meetingapp.services import audit, mail
from meetingapp.services.notices import ROTATION_READY, notice


class RotationInfeasible(DomainError):
    status_code = 409


def _networking_session(session_id: int) -> EventSession:
    session = db.session.get(EventSession, session_id)
    if session is None or session.kind != SessionKind.SPEED_NETWORKING:
        raise NotFound(_("There is no such speed-networking session."))
    return session


def _is_confirmed(session_id: int, user_id: int) -> bool:
    return (
        db.session.scalar(
            select(Registration.id).where(
                Registration.session_id == session_id,
                Registration.user_id == user_id,
                Registration.status == RegistrationStatus.CONFIRMED,
            )
        )
        is not None
    )


# --- picks -----------------------------------------------------------------------------------


def save_picks(*, user: User, session_id: int, table_ids: list[int], now: datetime) -> list[int]:
    """Replace the user's ranked picks (best first) until the picks deadline."""
    session = _networking_session(session_id)
    deadline = session.picks_deadline or session.starts_at
    if now >= deadline:
        raise ValidationFailed(_("The deadline for table picks has passed."), field="tables")
    if not _is_confirmed(session_id, user.id):
        raise PermissionDenied(
            _("Register for the session (and be confirmed) before picking tables.")
        )
    table_ids = [t for t in table_ids if t]
    max_picks = session.max_picks or 5
    if len(table_ids) > max_picks:
        raise ValidationFailed(_("Pick at most %(count)s tables.", count=max_picks), field="tables")
    if len(set(table_ids)) != len(table_ids):
        raise ValidationFailed(_("Each table can be picked only once."), field="tables")
    valid = {t.id for t in session.tables}
    unknown = [t for t in table_ids if t not in valid]
    if unknown:
        raise ValidationFailed(_("Pick tables of this session only."), field="tables")
    db.session.execute(
        delete(TablePick).where(TablePick.session_id == session_id, TablePick.user_id == user.id)
    )
    for rank, table_id in enumerate(table_ids, start=1):
        db.session.add(
            TablePick(
                session_id=session_id, user_id=user.id, table_id=table_id, rank=rank, created_at=now
            )
        )
    db.session.commit()
    return table_ids


def my_picks(session_id: int, user_id: int) -> list[int]:
    return [p.table_id for p in picks_of(session_id, user_id)]


@dataclass
class TableDemand:
    table: TopicTable
    by_rank: list[int]
    total: int
    first: int


def demand(session_id: int) -> list[TableDemand]:
    """How many people ranked each table, by rank (one query)."""
    session = _networking_session(session_id)
    max_picks = session.max_picks or 5
    counts: dict[int, list[int]] = {t.id: [0] * max_picks for t in session.tables}
    for table_id, rank in db.session.execute(
        select(TablePick.table_id, TablePick.rank).where(TablePick.session_id == session_id)
    ):
        if table_id in counts and 1 <= rank <= max_picks:
            counts[table_id][rank - 1] += 1
    return [
        TableDemand(t, counts[t.id], sum(counts[t.id]), counts[t.id][0]) for t in session.tables
    ]


# --- planning --------------------------------------------------------------------------------


def _confirmed_people(session_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(Registration, Registration.user_id == User.id)
            .where(
                Registration.session_id == session_id,
                Registration.status == RegistrationStatus.CONFIRMED,
            )
            .options(selectinload(User.organisation))
            .order_by(User.id)
        )
    )


def build_problem(
    session: EventSession, *, fixed: list[planner.FixedAssignment] | None = None
) -> planner.RotationProblem:
    people = _confirmed_people(session.id)
    picks: dict[int, list[int]] = defaultdict(list)
    for user_id, table_id in db.session.execute(
        select(TablePick.user_id, TablePick.table_id)
        .where(TablePick.session_id == session.id)
        .order_by(TablePick.user_id, TablePick.rank)
    ):
        picks[user_id].append(table_id)
    return planner.RotationProblem(
        rounds=session.round_count or 0,
        min_tables=session.min_tables or 1,
        max_picks=session.max_picks or 5,
        tables=tuple(planner.TableSpec(t.id, t.seats, t.min_seats) for t in session.tables),
        participants=tuple(
            planner.ParticipantSpec(u.id, u.organisation_label or None, tuple(picks.get(u.id, ())))
            for u in people
        ),
        fixed=tuple(fixed or ()),
    )


def plan_rotation(
    *,
    session_id: int,
    actor: User,
    now: datetime,
    from_round: int = 0,
    time_limit: float | None = None,
) -> RotationPlan:
    """Plan (or re-plan from ``from_round``, keeping earlier rounds and pins) and store a draft."""
    session = _networking_session(session_id)
    if not session.tables:
        raise ValidationFailed(_("Add topic tables before planning the rotation."))
    previous = latest_plan(session_id)
    fixed: list[planner.FixedAssignment] = []
    confirmed = {u.id for u in _confirmed_people(session_id)}
    if previous is not None:
        for a in previous.assignments:
            if a.user_id in confirmed and (a.round_number < from_round or a.pinned):
                fixed.append(planner.FixedAssignment(a.user_id, a.round_number, a.table_id))
    elif from_round:
        raise ValidationFailed(_("There is no earlier plan to keep rounds from."))
    problem = build_problem(session, fixed=fixed)
    if not problem.participants:
        raise ValidationFailed(_("Nobody is confirmed for this session yet."))
    try:
        result = planner.solve(problem, time_limit=time_limit)
    except planner.Infeasible as exc:
        raise RotationInfeasible(
            _("No rotation is possible: %(reason)s", reason=str(exc))
        ) from None
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
    audit.record(
        event_id=session.event_id,
        actor=actor,
        now=now,
        action="rotation planned",
        target=session.title,
        detail=f"v{version} from round {from_round + 1}: score "
        f"{result.stats.get('preference_score')}/"
        f"{result.stats.get('optimal_preference_score')}",
    )
    db.session.commit()
    return plan


def move_participant(
    *, plan_id: int, user_id: int, round_number: int, table_id: int, actor: User
) -> None:
    """Pin a person to a table in one round of a draft plan (capacity and repeats checked)."""
    plan = db.session.get(RotationPlan, plan_id)
    if plan is None:
        raise NotFound(_("There is no such plan."))
    session = _networking_session(plan.session_id)
    table = db.session.get(TopicTable, table_id)
    if table is None or table.session_id != session.id:
        raise ValidationFailed(_("Pick a table of this session."), field="table")
    mine = [a for a in plan.assignments if a.user_id == user_id]
    seat = next((a for a in mine if a.round_number == round_number), None)
    if seat is None:
        raise ValidationFailed(_("This person has no seat in that round."), field="participant")
    if seat.table_id == table_id:
        seat.pinned = True
        db.session.commit()
        return
    if any(a.table_id == table_id for a in mine if a is not seat):
        raise ValidationFailed(
            _("They already visit table %(code)s in another round.", code=table.code), field="table"
        )
    seated = sum(
        1 for a in plan.assignments if a.round_number == round_number and a.table_id == table_id
    )
    if seated >= table.seats:
        raise ValidationFailed(
            _(
                "Table %(code)s is full in round %(round)s (%(seats)s seats).",
                code=table.code,
                round=round_number + 1,
                seats=table.seats,
            ),
            field="table",
        )
    seat.table_id = table_id
    seat.pinned = True
    plan.status = "draft"
    plan.published_at = None
    audit.record(
        event_id=session.event_id,
        actor=actor,
        action="rotation seat moved",
        target=session.title,
        detail=f"user {user_id}, round {round_number + 1} → table {table.code}",
    )
    db.session.commit()


def publish_plan(*, plan_id: int, actor: User, now: datetime) -> RotationPlan:
    plan = db.session.get(RotationPlan, plan_id)
    if plan is None:
        raise NotFound(_("There is no such plan."))
    for other in db.session.scalars(
        select(RotationPlan).where(
            RotationPlan.session_id == plan.session_id,
            RotationPlan.id != plan.id,
            RotationPlan.status == "published",
        )
    ):
        other.status = "superseded"
    plan.status = "published"
    plan.published_at = now
    session = db.session.get(EventSession, plan.session_id)
    db.session.flush()
    from meetingapp.services.calendar import _round_entries

    rounds = {r.number: r for r in session.rounds}
    for user_id in sorted({a.user_id for a in plan.assignments}):
        user = db.session.get(User, user_id)
        db.session.add(
            Notification(
                user_id=user_id, created_at=now, message=notice(ROTATION_READY, title=session.title)
            )
        )
        stops = [
            ItineraryStop(
                session,
                a.round_number,
                rounds[a.round_number].starts_at,
                rounds[a.round_number].ends_at,
                a.table,
            )
            for a in sorted(plan.assignments, key=lambda a: a.round_number)
            if a.user_id == user_id and a.round_number in rounds
        ]
        with language_of(user):  # the invite's entries are written in the recipient's language
            entries = _round_entries(session, plan, user_id, mail.session_url)
        mail.rotation_message(user=user, session=session, stops=stops, entries=entries, now=now)
    audit.record(
        event_id=session.event_id,
        actor=actor,
        now=now,
        action="rotation published",
        target=session.title,
        detail=f"v{plan.version}",
    )
    db.session.commit()
    return plan


# --- read side -------------------------------------------------------------------------------


@dataclass
class Grid:
    plan: RotationPlan | None
    rounds: list
    tables: list[TopicTable]
    cells: dict[tuple[int, int], list[User]]
    stats: dict


def grid_for(session_id: int, *, published_only: bool = False) -> Grid:
    session = _networking_session(session_id)
    plan = latest_plan(session_id, published_only=published_only)
    cells: dict[tuple[int, int], list[User]] = defaultdict(list)
    if plan is not None:
        rows = db.session.scalars(
            select(RotationAssignment)
            .where(RotationAssignment.plan_id == plan.id)
            .options(selectinload(RotationAssignment.user).selectinload(User.organisation))
        )
        for a in rows:
            cells[(a.round_number, a.table_id)].append(a.user)
        for users in cells.values():
            users.sort(key=lambda u: u.name)
    return Grid(plan, list(session.rounds), list(session.tables), cells, plan.stats if plan else {})


@dataclass
class ItineraryStop:
    session: EventSession
    round_number: int
    starts_at: datetime
    ends_at: datetime
    table: TopicTable


def itinerary_for(user_id: int) -> list[ItineraryStop]:
    """The user's rounds in every published rotation, in time order."""
    plans = db.session.scalars(
        select(RotationPlan)
        .join(RotationAssignment)
        .where(RotationPlan.status == "published", RotationAssignment.user_id == user_id)
        .distinct()
    ).all()
    stops = []
    for plan in plans:
        session = db.session.get(EventSession, plan.session_id)
        rounds = {r.number: r for r in session.rounds}
        for a in plan.assignments:
            if a.user_id != user_id:
                continue
            r = rounds.get(a.round_number)
            if r is None:
                continue
            stops.append(ItineraryStop(session, a.round_number, r.starts_at, r.ends_at, a.table))
    stops.sort(key=lambda s: s.starts_at)
    return stops


def roster_for_table(table_id: int, viewer: User) -> tuple[TopicTable, dict[int, list[User]]]:
    """Who sits at this table in each round of the published plan (hosts and organisers only)."""
    table = db.session.get(TopicTable, table_id)
    if table is None:
        raise NotFound(_("There is no such table."))
    if not (viewer.is_organiser or table.host_user_id == viewer.id):
        raise PermissionDenied(_("Only the table's host and organisers see its roster."))
    plan = latest_plan(table.session_id, published_only=not viewer.is_organiser)
    by_round: dict[int, list[User]] = {r.number: [] for r in table.session.rounds}
    if plan is not None:
        for a in plan.assignments:
            if a.table_id == table.id:
                by_round.setdefault(a.round_number, []).append(a.user)
    for users in by_round.values():
        users.sort(key=lambda u: u.name)
    return table, by_round


def picks_summary(session_id: int) -> Counter:
    """How many confirmed participants made any pick."""
    return Counter(
        db.session.scalars(
            select(TablePick.user_id).where(TablePick.session_id == session_id, TablePick.rank == 1)
        )
    )


def tables_hosted_by(user_id: int) -> list[TopicTable]:
    return list(
        db.session.scalars(
            select(TopicTable)
            .where(TopicTable.host_user_id == user_id)
            .options(selectinload(TopicTable.session).selectinload(EventSession.event))
        )
    )
