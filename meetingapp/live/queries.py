"""Named reads for the live pages: who sits where in each round of the published plan."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from meetingapp.checkin.queries import presence_for_sessions
from meetingapp.extensions import db
from meetingapp.models import EventSession, LiveSession, TopicTable, User
from meetingapp.models.rotation import RotationAssignment
from meetingapp.rotation.queries import latest_plan


@dataclass(frozen=True)
class Seat:
    user_id: int
    name: str
    entity: str
    round_number: int
    table: TopicTable


@dataclass
class Seating:
    """Every seat of the published plan, by round."""

    plan_version: int | None
    by_round: dict[int, list[Seat]] = field(default_factory=dict)

    def of(self, user_id: int) -> dict[int, Seat]:
        return {
            r: seat
            for r, seats in self.by_round.items()
            for seat in seats
            if seat.user_id == user_id
        }

    def at(self, table_ids: set[int], round_number: int | None) -> list[Seat]:
        if round_number is None:
            return []
        seats = self.by_round.get(round_number, [])
        return sorted(
            (s for s in seats if s.table.id in table_ids), key=lambda s: s.name.casefold()
        )

    def alphabetical(self, round_number: int | None) -> list[Seat]:
        if round_number is None:
            return []
        return sorted(self.by_round.get(round_number, []), key=lambda s: s.name.casefold())


def seating(session: EventSession) -> Seating:
    """The published plan's seats with names, entities and tables, in two queries."""
    plan = latest_plan(session.id, published_only=True)
    if plan is None:
        return Seating(None)
    tables = {t.id: t for t in session.tables}
    rows = db.session.scalars(
        select(RotationAssignment)
        .where(RotationAssignment.plan_id == plan.id)
        .options(selectinload(RotationAssignment.user).selectinload(User.organisation))
    )
    by_round: dict[int, list[Seat]] = defaultdict(list)
    for a in rows:
        by_round[a.round_number].append(
            Seat(
                a.user_id,
                a.user.name,
                a.user.organisation_label,
                a.round_number,
                tables[a.table_id],
            )
        )
    return Seating(plan.version, dict(by_round))


def present_in_round(session: EventSession, round_number: int | None) -> set[int]:
    """Who is checked in for the round."""
    if round_number is None:
        return set()
    return {
        p.user_id
        for p in presence_for_sessions([session.id])[session.id]
        if p.round_number == round_number
    }


def hosted_table_ids(session: EventSession, user_id: int) -> set[int]:
    return {t.id for t in session.tables if t.host_user_id == user_id}


def live_versions(session_ids: list[int]) -> dict[int, int]:
    """{session id: its live version}, for the sessions that have a live row."""
    if not session_ids:
        return {}
    return dict(
        db.session.execute(
            select(LiveSession.session_id, LiveSession.version).where(
                LiveSession.session_id.in_(session_ids)
            )
        ).all()
    )
