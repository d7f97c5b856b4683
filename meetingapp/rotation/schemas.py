"""The JSON API's view of table picks and rotation plans, with their presenter."""

from typing import Annotated, Any, Literal

from pydantic import Field

from meetingapp.api.schemas import Body, Id, Out
from meetingapp.domain.visibility import can_see_seat
from meetingapp.models import User
from meetingapp.models.rotation import RotationPlan


class Picks(Body):
    tables: Annotated[list[Id], Field(max_length=50, description="Table ids, best first")]


class PicksOut(Out):
    tables: list[int]


PairOfIds = Annotated[list[Id], Field(min_length=2, max_length=2)]


class SeatingRulesBody(Body):
    """The whole set of a session's seating rules (PUT replaces it)."""

    stays_at_one_table: Annotated[list[Id], Field(max_length=5000)] = Field(
        description="User ids of people who keep one table in every round (mobility needs)"
    )
    apart: Annotated[list[PairOfIds], Field(max_length=5000)] = Field(
        description="Pairs of user ids never at one table in the same round"
    )
    together: Annotated[list[PairOfIds], Field(max_length=5000)] = Field(
        description="Pairs of user ids at the same table in every round"
    )


class SeatingRulesOut(Out):
    stays_at_one_table: list[int]
    apart: list[list[int]] = Field(description="Each pair with the lower id first")
    together: list[list[int]]
    asked_themselves: list[int] = Field(
        description="Of stays_at_one_table, who asked for it themselves (picks page or API)"
    )


class SeatingNeedBody(Body):
    stays_at_one_table: bool


class SeatingNeedOut(Out):
    stays_at_one_table: bool
    marked_by_organiser: bool = Field(
        description="An organiser marked it: only an organiser can lift it"
    )


class RotationRequest(Body):
    from_round: Annotated[int, Field(ge=1, le=50)] = Field(
        default=1, description="Re-plan from this round (numbered from 1), keeping earlier rounds"
    )


class AssignmentOut(Out):
    participant_id: int
    participant: str
    round: int = Field(description="Numbered from 1")
    table_id: int
    table_code: str
    pinned: bool


class RotationOut(Out):
    plan_id: int
    session_id: int
    version: int
    status: Literal["draft", "published", "superseded"]
    from_round: int = Field(description="Numbered from 1")
    assignments: list[AssignmentOut]
    stats: dict[str, Any]


def rotation(plan: RotationPlan, viewer: User | None = None) -> RotationOut:
    """The plan; for a ``viewer`` who is not an organiser, only their own seats and the people
    at the tables they host (as on the pages)."""
    shown = [
        a
        for a in plan.assignments
        if viewer is None
        or can_see_seat(viewer, a.user_id, hosted_table=a.table.host_user_id == viewer.id)
    ]
    return RotationOut(
        plan_id=plan.id,
        session_id=plan.session_id,
        version=plan.version,
        status=plan.status,
        from_round=plan.from_round + 1,
        stats=plan.stats,
        assignments=[
            AssignmentOut(
                participant_id=a.user_id,
                participant=a.user.name,
                round=a.round_number + 1,
                table_id=a.table_id,
                table_code=a.table.code,
                pinned=a.pinned,
            )
            for a in shown
        ],
    )
