"""Named reads of picks and rotation plans: demand, the grid, itineraries, host rosters."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from meetingapp.domain.errors import NotFound, PermissionDenied
from meetingapp.domain.i18n import _
from meetingapp.domain.visibility import Viewer, can_manage, can_see_roster
from meetingapp.extensions import db
from meetingapp.models import EventSession, Registration, RegistrationStatus, TopicTable, User
from meetingapp.models.rotation import (
    RotationAssignment,
    RotationPair,
    RotationPlan,
    SeatingNeed,
    TablePick,
)


def latest_plan(session_id: int, *, published_only: bool = False) -> RotationPlan | None:
    """The newest plan (draft or published), or the newest published one."""
    stmt = select(RotationPlan).where(RotationPlan.session_id == session_id)
    if published_only:
        stmt = stmt.where(RotationPlan.status == "published")
    else:
        stmt = stmt.where(RotationPlan.status != "superseded")
    return db.session.scalar(stmt.order_by(RotationPlan.version.desc()).limit(1))


def has_rotation(session_id: int) -> bool:
    """Whether a rotation has been planned for this session."""
    return (
        db.session.scalar(
            select(RotationPlan.id).where(RotationPlan.session_id == session_id).limit(1)
        )
        is not None
    )


def sessions_with_rotation(session_ids: list[int]) -> set[int]:
    if not session_ids:
        return set()
    return set(
        db.session.scalars(
            select(RotationPlan.session_id).where(RotationPlan.session_id.in_(session_ids))
        )
    )


def my_picks(session_id: int, user_id: int) -> list[int]:
    return list(
        db.session.scalars(
            select(TablePick.table_id)
            .where(TablePick.session_id == session_id, TablePick.user_id == user_id)
            .order_by(TablePick.rank)
        )
    )


def picks_by_user(session_id: int) -> dict[int, list[int]]:
    """{user id: table ids, best first} for everyone who picked."""
    picks: dict[int, list[int]] = defaultdict(list)
    for user_id, table_id in db.session.execute(
        select(TablePick.user_id, TablePick.table_id)
        .where(TablePick.session_id == session_id)
        .order_by(TablePick.user_id, TablePick.rank)
    ):
        picks[user_id].append(table_id)
    return picks


@dataclass
class TableDemand:
    table: TopicTable
    by_rank: list[int]
    total: int
    first: int


def demand(session: EventSession) -> list[TableDemand]:
    """How many people ranked each table, by rank (one query)."""
    max_picks = session.max_picks or 5
    counts: dict[int, list[int]] = {t.id: [0] * max_picks for t in session.tables}
    for table_id, rank in db.session.execute(
        select(TablePick.table_id, TablePick.rank).where(TablePick.session_id == session.id)
    ):
        if table_id in counts and 1 <= rank <= max_picks:
            counts[table_id][rank - 1] += 1
    return [
        TableDemand(t, counts[t.id], sum(counts[t.id]), counts[t.id][0]) for t in session.tables
    ]


def picks_summary(session_id: int) -> Counter:
    """How many confirmed participants made any pick."""
    return Counter(
        db.session.scalars(
            select(TablePick.user_id).where(TablePick.session_id == session_id, TablePick.rank == 1)
        )
    )


@dataclass
class Grid:
    plan: RotationPlan | None
    rounds: list
    tables: list[TopicTable]
    cells: dict[tuple[int, int], list[User]]
    stats: dict


def grid_for(session: EventSession, *, published_only: bool = False) -> Grid:
    """Who sits where in each round of the latest plan (organisers' planning page, cards)."""
    plan = latest_plan(session.id, published_only=published_only)
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
    return Grid(
        plan,
        list(session.rounds),
        _tables_with_hosts(session.id),
        cells,
        plan.stats if plan else {},
    )


def _tables_with_hosts(session_id: int) -> list[TopicTable]:
    """The session's tables in ``EventSession.tables``' order, with each host's person and entity
    in the same two statements, not one per table (the cards and the planning page name them)."""
    return list(
        db.session.scalars(
            select(TopicTable)
            .where(TopicTable.session_id == session_id)
            .order_by(TopicTable.code)
            .options(selectinload(TopicTable.host_user), selectinload(TopicTable.host_organisation))
        )
    )


@dataclass
class ItineraryStop:
    session: EventSession
    round_number: int
    starts_at: datetime
    ends_at: datetime
    table: TopicTable
    hosting: bool = False  # the user hosts this table in this round


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


def host_duties_for(user_id: int) -> list[ItineraryStop]:
    """Every round of each table the user hosts, in time order: a host keeps their table in
    every round, published plan or not. Cancelled sessions are included (``is_cancelled``)."""
    tables = db.session.scalars(
        select(TopicTable)
        .where(TopicTable.host_user_id == user_id)
        .options(
            selectinload(TopicTable.session).options(
                selectinload(EventSession.rounds), selectinload(EventSession.event)
            )
        )
    )
    stops = [
        ItineraryStop(t.session, r.number, r.starts_at, r.ends_at, t, hosting=True)
        for t in tables
        for r in t.session.rounds
    ]
    stops.sort(key=lambda s: (s.starts_at, s.table.code))
    return stops


def itinerary_with_duties(user_id: int) -> list[ItineraryStop]:
    """The user's seats and, for a host, their table in each round of sessions not cancelled."""
    duties = [s for s in host_duties_for(user_id) if not s.session.is_cancelled]
    return sorted([*itinerary_for(user_id), *duties], key=lambda s: s.starts_at)


def stops_of_plan(plan: RotationPlan, session: EventSession, user_id: int) -> list[ItineraryStop]:
    rounds = {r.number: r for r in session.rounds}
    return [
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


def roster_for_table(table_id: int, viewer: Viewer) -> tuple[TopicTable, dict[int, list[User]]]:
    """Who sits at this table in each round of the published plan (hosts and organisers only;
    organisers see the latest draft too)."""
    table = db.session.get(TopicTable, table_id)
    if table is None:
        raise NotFound(_("There is no such table."))
    if not can_see_roster(viewer, table.host_user_id):
        raise PermissionDenied(_("Only the table's host and organisers see its roster."))
    plan = latest_plan(table.session_id, published_only=not can_manage(viewer))
    by_round: dict[int, list[User]] = {r.number: [] for r in table.session.rounds}
    if plan is not None:
        for a in plan.assignments:
            if a.table_id == table.id:
                by_round.setdefault(a.round_number, []).append(a.user)
    for users in by_round.values():
        users.sort(key=lambda u: u.name)
    return table, by_round


def tables_hosted_by(user_id: int) -> list[TopicTable]:
    return list(
        db.session.scalars(
            select(TopicTable)
            .where(TopicTable.host_user_id == user_id)
            .options(selectinload(TopicTable.session).selectinload(EventSession.event))
        )
    )


def seats_in_round(session_id: int, round_number: int, *, published_only: bool) -> dict[int, int]:
    """{user id: table id} in one round of the latest (or the latest published) plan."""
    plan = latest_plan(session_id, published_only=published_only)
    if plan is None:
        return {}
    return dict(
        db.session.execute(
            select(RotationAssignment.user_id, RotationAssignment.table_id).where(
                RotationAssignment.plan_id == plan.id,
                RotationAssignment.round_number == round_number,
            )
        )
        .tuples()
        .all()
    )


def hosted_seats(session: EventSession, host_user_id: int, round_number: int | None) -> set[int]:
    """The people seated at the host's tables in that round of the published plan: hosts work
    from what was published (what participants were told)."""
    hosted = {t.id for t in session.tables if t.host_user_id == host_user_id}
    if not hosted or round_number is None:
        return set()
    seats = seats_in_round(session.id, round_number, published_only=True)
    return {uid for uid, table_id in seats.items() if table_id in hosted}


# --- seating rules ---------------------------------------------------------------------------

KINDS = ("apart", "together")
Pair = tuple[int, int]


@dataclass(frozen=True)
class SeatingRules:
    """A session's rules as plain user ids: pairs with the lower id first, everything sorted."""

    stays_at_one_table: tuple[int, ...] = ()
    apart: tuple[Pair, ...] = ()
    together: tuple[Pair, ...] = ()

    def among(self, present: set[int]) -> SeatingRules:
        """Only the rules about people in ``present`` (who is confirmed, or here today)."""
        return SeatingRules(
            tuple(u for u in self.stays_at_one_table if u in present),
            tuple(p for p in self.apart if set(p) <= present),
            tuple(p for p in self.together if set(p) <= present),
        )

    def pairs(self, kind: str) -> tuple[Pair, ...]:
        return self.apart if kind == "apart" else self.together

    def __bool__(self) -> bool:
        return bool(self.stays_at_one_table or self.apart or self.together)


def ordered(first: int, second: int) -> Pair:
    return (first, second) if first < second else (second, first)


def stored_rules(session_id: int) -> SeatingRules:
    """The rules stored for the session, whoever they concern (two queries)."""
    stays = db.session.scalars(
        select(SeatingNeed.user_id).where(SeatingNeed.session_id == session_id)
    )
    pairs = db.session.execute(
        select(RotationPair.kind, RotationPair.first_user_id, RotationPair.second_user_id).where(
            RotationPair.session_id == session_id
        )
    )
    by_kind: dict[str, list[Pair]] = {kind: [] for kind in KINDS}
    for kind, first, second in pairs:
        by_kind[kind].append((first, second))
    return SeatingRules(
        tuple(sorted(stays)), tuple(sorted(by_kind["apart"])), tuple(sorted(by_kind["together"]))
    )


def own_seating_need(session_id: int, user_id: int) -> SeatingNeed | None:
    return db.session.scalar(
        select(SeatingNeed).where(
            SeatingNeed.session_id == session_id, SeatingNeed.user_id == user_id
        )
    )


@dataclass
class SeatingRuleRows:
    """The rules with their people, for the planning page (three queries)."""

    stays: list[SeatingNeed]
    pairs: list[RotationPair]
    confirmed: set[int]

    def pairs_of(self, kind: str) -> list[RotationPair]:
        return [p for p in self.pairs if p.kind == kind]


def seating_rule_rows(session_id: int) -> SeatingRuleRows:
    stays = db.session.scalars(
        select(SeatingNeed)
        .where(SeatingNeed.session_id == session_id)
        .options(selectinload(SeatingNeed.user), selectinload(SeatingNeed.asked_by))
    ).all()
    pairs = db.session.scalars(
        select(RotationPair)
        .where(RotationPair.session_id == session_id)
        .options(selectinload(RotationPair.first), selectinload(RotationPair.second))
        .order_by(RotationPair.created_at, RotationPair.id)
    ).all()
    confirmed = set(
        db.session.scalars(
            select(Registration.user_id).where(
                Registration.session_id == session_id,
                Registration.status == RegistrationStatus.CONFIRMED,
            )
        )
    )
    return SeatingRuleRows(sorted(stays, key=lambda s: s.user.name), list(pairs), confirmed)
