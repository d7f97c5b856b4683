"""Property tests: hard constraints and the exact preference optimum on random instances.

The optimum is checked against an independent model: the participant x table x round
integer programme solved by ``scipy.optimize.milp`` here, not the planner's own number.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from meetingapp.domain.rotation import (
    FixedAssignment,
    Infeasible,
    ParticipantSpec,
    RotationProblem,
    TableSpec,
    solve,
)

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TIME_LIMIT = 0.05


@st.composite
def problems(draw, with_pins: bool = True):
    n_tables = draw(st.integers(2, 5))
    rounds = draw(st.integers(1, min(3, n_tables)))
    n_people = draw(st.integers(1, 9))
    max_picks = draw(st.integers(1, 4))
    tables = []
    for i in range(n_tables):
        capacity = draw(st.integers(1, 4))
        min_seats = draw(st.integers(0, min(1, capacity)))
        tables.append(TableSpec(f"t{i}", capacity, min_seats))
    ids = [t.id for t in tables]
    people = []
    for p in range(n_people):
        picks = draw(st.permutations(ids))[: draw(st.integers(0, min(max_picks, n_tables)))]
        organisation = draw(st.sampled_from([None, "red", "blue", "green"]))
        people.append(ParticipantSpec(p, organisation, tuple(picks)))
    fixed = []
    if with_pins:
        for p in range(n_people):
            for r in range(rounds):
                if draw(st.integers(0, 9)) == 0:
                    fixed.append(FixedAssignment(p, r, draw(st.sampled_from(ids))))
    return RotationProblem(
        rounds=rounds,
        min_tables=draw(st.integers(1, rounds)),
        tables=tuple(tables),
        participants=tuple(people),
        max_picks=max_picks,
        fixed=tuple(fixed),
    )


def score_of(problem: RotationProblem, person: ParticipantSpec, table) -> int:
    if table in person.picks:
        return problem.max_picks - person.picks.index(table)
    return 0


def independent_optimum(problem: RotationProblem) -> int | None:
    """Maximum preference score by a direct 0/1 programme, or None if infeasible."""
    people, tables, rounds = problem.participants, problem.tables, problem.rounds
    n, t_count = len(people), len(tables)
    index = {}
    for p in range(n):
        for t in range(t_count):
            for r in range(rounds):
                index[p, t, r] = len(index)
    size = len(index)
    cost = np.zeros(size)
    for (p, t, _r), i in index.items():
        cost[i] = -score_of(problem, people[p], tables[t].id)
    rows, cols, lower, upper = [], [], [], []

    def add(cells, lo, hi):
        row = len(lower)
        for i in cells:
            rows.append(row)
            cols.append(i)
        lower.append(lo)
        upper.append(hi)

    for p in range(n):
        for r in range(rounds):
            add([index[p, t, r] for t in range(t_count)], 1, 1)
        for t in range(t_count):
            add([index[p, t, r] for r in range(rounds)], 0, 1)
    for t, table in enumerate(tables):
        for r in range(rounds):
            add([index[p, t, r] for p in range(n)], table.min_seats, table.capacity)
    lb = np.zeros(size)
    p_of = {person.id: p for p, person in enumerate(people)}
    t_of = {table.id: t for t, table in enumerate(tables)}
    for fix in problem.fixed:
        lb[index[p_of[fix.participant], t_of[fix.table], fix.round]] = 1
    matrix = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(lower), size))
    res = milp(
        cost,
        constraints=[LinearConstraint(matrix, lower, upper)],
        bounds=Bounds(lb, np.ones(size)),
        integrality=np.ones(size),
    )
    if res.status == 2:
        return None
    assert res.status == 0, res.message
    return int(round(-res.fun))


def check_hard_constraints(problem: RotationProblem, plan) -> None:
    rounds = problem.rounds
    seat = {(a.participant, a.round): a.table for a in plan.assignments}
    assert len(seat) == len(plan.assignments) == len(problem.participants) * rounds
    for person in problem.participants:
        visited = [seat[person.id, r] for r in range(rounds)]
        assert len(set(visited)) == rounds
    loads = Counter((a.round, a.table) for a in plan.assignments)
    for table in problem.tables:
        for r in range(rounds):
            assert table.min_seats <= loads[r, table.id] <= table.capacity
    for fix in problem.fixed:
        assert seat[fix.participant, fix.round] == fix.table


@SETTINGS
@given(problems())
def test_solve_random_instances_keep_hard_constraints(problem):
    try:
        plan = solve(problem, time_limit=TIME_LIMIT)
    except Infeasible:
        return
    check_hard_constraints(problem, plan)
    key = [(a.round, str(a.table), str(a.participant)) for a in plan.assignments]
    assert key == sorted(key)
    if not problem.fixed:  # balance: each table within one of even across rounds
        loads = Counter((a.table, a.round) for a in plan.assignments)
        for table in problem.tables:
            per_round = [loads[table.id, r] for r in range(problem.rounds)]
            assert max(per_round) - min(per_round) <= 1


@SETTINGS
@given(problems())
def test_solve_random_instances_reach_independent_optimum(problem):
    expected = independent_optimum(problem)
    try:
        plan = solve(problem, time_limit=TIME_LIMIT)
    except Infeasible:
        assert expected is None
        return
    assert expected is not None
    assert plan.stats["preference_score"] == expected
    assert plan.stats["optimal_preference_score"] == expected
    assert plan.stats["optimal"] is True
    seat_scores = sum(
        score_of(problem, problem.participants[a.participant], a.table) for a in plan.assignments
    )
    assert seat_scores == expected


@SETTINGS
@given(problems(with_pins=False), st.data())
def test_solve_played_rounds_reach_independent_optimum(problem, data):
    try:
        first = solve(problem, time_limit=TIME_LIMIT)
    except Infeasible:
        return
    played = data.draw(st.integers(1, problem.rounds))
    fixed = tuple(
        FixedAssignment(a.participant, a.round, a.table)
        for a in first.assignments
        if a.round < played
    )
    replanned = RotationProblem(
        rounds=problem.rounds,
        min_tables=problem.min_tables,
        tables=problem.tables,
        participants=problem.participants,
        max_picks=problem.max_picks,
        fixed=fixed,
    )
    plan = solve(replanned, time_limit=TIME_LIMIT)
    check_hard_constraints(replanned, plan)
    assert plan.stats["preference_score"] == independent_optimum(replanned)
    assert plan.stats["rounds_played"] == list(range(played))


def test_solve_same_seed_gives_same_plan():
    problem = RotationProblem(
        rounds=3,
        min_tables=3,
        tables=tuple(TableSpec(c, 3) for c in "abcdef"),
        participants=tuple(
            ParticipantSpec(p, f"org{p % 3}", tuple("abcdef"[(p + i) % 6] for i in range(3)))
            for p in range(15)
        ),
    )
    first = solve(problem, seed=7)
    second = solve(problem, seed=7)
    assert first.assignments == second.assignments
