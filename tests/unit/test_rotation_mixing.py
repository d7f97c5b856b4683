"""Mixing on the flagship size: 40 participants, 11 tables of 8 seats, 4 rounds.

The baseline is the same table sets with each person's rounds shuffled at random; all
counts are made here by brute force over pairs, not by the planner's statistics.
"""

from __future__ import annotations

import random
from collections import Counter
from itertools import combinations

import pytest

from meetingapp.domain.rotation import (
    FixedAssignment,
    ParticipantSpec,
    RotationProblem,
    TableSpec,
    solve,
)

TABLES = tuple(TableSpec(chr(ord("a") + i), 8) for i in range(11))


def flagship(seed: int = 1, fixed=()) -> RotationProblem:
    rng = random.Random(seed)
    ids = [t.id for t in TABLES]
    weights = [2.0 ** (-i / 3) for i in range(11)]  # some tables are popular
    org_weights = [1 / (i + 1) for i in range(30)]  # skewed organisation sizes
    people = []
    for p in range(40):
        picks: list[str] = []
        while len(picks) < 5:
            table = rng.choices(ids, weights)[0]
            if table not in picks:
                picks.append(table)
        organisation = f"org{rng.choices(range(30), org_weights)[0]}"
        people.append(ParticipantSpec(p, organisation, tuple(picks)))
    return RotationProblem(4, 3, TABLES, tuple(people), fixed=tuple(fixed))


def seats(plan) -> dict[int, list]:
    rows: dict[int, list] = {}
    for a in sorted(plan.assignments, key=lambda a: a.round):
        rows.setdefault(a.participant, []).append(a.table)
    return rows


def repeats(rows: dict[int, list]) -> int:
    total = 0
    for p, q in combinations(rows, 2):
        together = sum(x == y for x, y in zip(rows[p], rows[q], strict=True))
        total += max(0, together - 1)
    return total


def same_org(rows: dict[int, list], problem: RotationProblem) -> int:
    org = {person.id: person.organisation for person in problem.participants}
    total = 0
    for p, q in combinations(rows, 2):
        if org[p] is not None and org[p] == org[q]:
            total += sum(x == y for x, y in zip(rows[p], rows[q], strict=True))
    return total


def random_orders(rows: dict[int, list], seed: int) -> dict[int, list]:
    rng = random.Random(seed)
    return {p: rng.sample(tables, len(tables)) for p, tables in rows.items()}


@pytest.fixture(scope="module")
def solved():
    problem = flagship()
    return problem, solve(problem, seed=0)


def test_solve_flagship_repeats_at_most_half_of_random_order(solved):
    _, plan = solved
    rows = seats(plan)
    baseline = sum(repeats(random_orders(rows, s)) for s in range(20)) / 20
    assert baseline > 0
    assert repeats(rows) <= baseline / 2


def test_solve_flagship_same_org_pairs_below_random_order(solved):
    problem, plan = solved
    rows = seats(plan)
    baseline = sum(same_org(random_orders(rows, s), problem) for s in range(20)) / 20
    assert same_org(rows, problem) < baseline


def test_solve_flagship_stats_match_brute_force_counts(solved):
    problem, plan = solved
    rows = seats(plan)
    assert plan.stats["repeat_pairs"] == repeats(rows)
    assert plan.stats["same_org_pairs"] == same_org(rows, problem)


def test_solve_flagship_tables_within_capacity(solved):
    # Balance is the fourth objective (after score, repeats and same-organisation pairs), so
    # loads may leave "within one of even" when that buys fewer wasted meetings.
    _, plan = solved
    loads = Counter((a.table, a.round) for a in plan.assignments)
    for table in TABLES:
        assert all(loads[table.id, r] <= table.capacity for r in range(4))


def test_solve_flagship_pins_are_kept_and_score_is_optimal(solved):
    _, free_plan = solved
    pins = [FixedAssignment(0, 3, "k"), FixedAssignment(5, 0, "j"), FixedAssignment(9, 2, "a")]
    problem = flagship(fixed=pins)
    plan = solve(problem, seed=0, time_limit=0.5)
    seat = {(a.participant, a.round): a.table for a in plan.assignments}
    assert all(seat[f.participant, f.round] == f.table for f in pins)
    assert plan.stats["optimal"] is True
    assert plan.stats["preference_score"] <= free_plan.stats["preference_score"]
    assert plan.stats["preference_score"] == plan.stats["optimal_preference_score"]


def test_solve_longer_time_limit_does_not_mix_worse(solved):
    problem, _ = solved
    quick = solve(problem, seed=0, time_limit=0.01)
    slow = solve(problem, seed=0, time_limit=0.5)
    assert slow.stats["preference_score"] == quick.stats["preference_score"]
    assert slow.stats["mixing"]["budget"] > quick.stats["mixing"]["budget"]
    quick_cost = quick.stats["repeat_pairs"] + quick.stats["same_org_pairs"]
    slow_cost = slow.stats["repeat_pairs"] + slow.stats["same_org_pairs"]
    assert slow_cost <= quick_cost
