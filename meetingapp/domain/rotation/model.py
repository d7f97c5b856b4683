"""Value types of the rotation planner: the problem, the plan and the two errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Id = int | str


class Infeasible(Exception):  # noqa: N818 - public name fixed by the API
    """No rotation satisfies the hard constraints; ``str(exc)`` is one human line."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    def __str__(self) -> str:
        return self.reason


class MalformedProblem(ValueError):
    """The input does not describe a rotation problem (wrong keys, types or ids)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class TableSpec:
    """A topic table: ``capacity`` seats per round (host excluded), at least ``min_seats``."""

    id: Id
    capacity: int
    min_seats: int = 0


@dataclass(frozen=True)
class ParticipantSpec:
    """A participant; ``picks`` are table ids, best first.

    ``moves=False``: mobility needs -- the participant keeps one table in every round (the
    distinct-tables rule does not apply to them); their picks score once per round there.
    """

    id: Id
    organisation: str | None
    picks: tuple = ()
    moves: bool = True


@dataclass(frozen=True)
class FixedAssignment:
    """A hard assignment: ``participant`` sits at ``table`` in ``round`` (rounds from 0)."""

    participant: Id
    round: int
    table: Id


@dataclass(frozen=True)
class RotationProblem:
    """The whole input.  ``apart``: pairs of participant ids never at one table in the same
    round; ``together``: pairs always at the same table (each person's picks still score)."""

    rounds: int
    min_tables: int
    tables: tuple[TableSpec, ...]
    participants: tuple[ParticipantSpec, ...]
    max_picks: int = 5
    fixed: tuple[FixedAssignment, ...] = ()
    apart: tuple[tuple[Id, Id], ...] = ()
    together: tuple[tuple[Id, Id], ...] = ()


@dataclass(frozen=True)
class Assignment:
    participant: Id
    round: int
    table: Id


@dataclass
class RotationPlan:
    """``assignments`` sorted by round, table, participant (in input order); ``stats`` a dict."""

    assignments: list[Assignment]
    stats: dict[str, Any] = field(default_factory=dict)
