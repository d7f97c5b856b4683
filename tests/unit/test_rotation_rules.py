"""The organisers' rules: ``moves=False``, ``apart`` and ``together``.

Every plan is checked by :func:`check_plan`, written here from the rules' wording and not
from the planner's code; the preference optimum is checked against an independent 0/1
programme of the participant x table x round model with the rules as constraints.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from meetingapp.domain.rotation import (
    FixedAssignment,
    Infeasible,
    MalformedProblem,
    ParticipantSpec,
    RotationProblem,
    TableSpec,
    problem_from_json,
    problem_to_json,
    solve,
)

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))


def parties(problem: RotationProblem) -> list[set]:
    groups = [{p.id} for p in problem.participants]
    for a, b in problem.together:
        ga = next(g for g in groups if a in g)
        gb = next(g for g in groups if b in g)
        if ga is not gb:
            ga |= gb
            groups.remove(gb)
    return groups


def stays(problem: RotationProblem) -> set:
    still = {p.id for p in problem.participants if not p.moves}
    return {who for g in parties(problem) if g & still for who in g}


def check_plan(problem: RotationProblem, plan) -> None:
    """Every hard rule, read off the assignments."""
    rounds = problem.rounds
    seat = {(a.participant, a.round): a.table for a in plan.assignments}
    assert len(seat) == len(plan.assignments) == len(problem.participants) * rounds
    staying = stays(problem)
    for person in problem.participants:
        row = [seat[person.id, r] for r in range(rounds)]
        if person.id in staying:
            assert len(set(row)) == 1, f"{person.id} should keep one table"
        else:
            assert len(set(row)) == rounds, f"{person.id} should visit distinct tables"
    loads = Counter((a.round, a.table) for a in plan.assignments)
    for table in problem.tables:
        for r in range(rounds):
            assert table.min_seats <= loads[r, table.id] <= table.capacity
    for fix in problem.fixed:
        assert seat[fix.participant, fix.round] == fix.table
    for a, b in problem.together:
        assert all(seat[a, r] == seat[b, r] for r in range(rounds))
    for a, b in problem.apart:
        assert all(seat[a, r] != seat[b, r] for r in range(rounds))


def independent_optimum(problem: RotationProblem) -> int | None:
    people, tables, rounds = problem.participants, problem.tables, problem.rounds
    n, n_t = len(people), len(tables)
    ids = {p.id: i for i, p in enumerate(people)}
    tix = {t.id: i for i, t in enumerate(tables)}

    def var(p, t, r):
        return (p * n_t + t) * rounds + r

    size = n * n_t * rounds
    cost = np.zeros(size)
    for p, person in enumerate(people):
        for rank, table in enumerate(person.picks):
            for r in range(rounds):
                cost[var(p, tix[table], r)] = -(problem.max_picks - rank)
    rows, cols, vals, lo, hi = [], [], [], [], []

    def add(entries, low, high):
        for c, v in entries:
            rows.append(len(lo))
            cols.append(c)
            vals.append(v)
        lo.append(low)
        hi.append(high)

    staying = stays(problem)
    for p, person in enumerate(people):
        for r in range(rounds):
            add([(var(p, t, r), 1) for t in range(n_t)], 1, 1)
        for t in range(n_t):
            if person.id in staying:
                for r in range(1, rounds):
                    add([(var(p, t, r), 1), (var(p, t, 0), -1)], 0, 0)
            else:
                add([(var(p, t, r), 1) for r in range(rounds)], 0, 1)
    for t, table in enumerate(tables):
        for r in range(rounds):
            add([(var(p, t, r), 1) for p in range(n)], table.min_seats, table.capacity)
    for a, b in problem.together:
        for t in range(n_t):
            for r in range(rounds):
                add([(var(ids[a], t, r), 1), (var(ids[b], t, r), -1)], 0, 0)
    for a, b in problem.apart:
        for t in range(n_t):
            for r in range(rounds):
                add([(var(ids[a], t, r), 1), (var(ids[b], t, r), 1)], 0, 1)
    low = np.zeros(size)
    for fix in problem.fixed:
        low[var(ids[fix.participant], tix[fix.table], fix.round)] = 1
    matrix = sparse.csr_matrix((vals, (rows, cols)), shape=(len(lo), size))
    res = milp(
        cost,
        constraints=[LinearConstraint(matrix, lo, hi)],
        bounds=Bounds(low, np.ones(size)),
        integrality=np.ones(size),
    )
    if res.status == 2:
        return None
    assert res.status == 0, res.message
    return int(round(-res.fun))


@st.composite
def ruled(draw):
    n_t = draw(st.integers(2, 5))
    rounds = draw(st.integers(1, min(3, n_t)))
    n = draw(st.integers(2, 10))
    tables = tuple(
        TableSpec(f"t{i}", draw(st.integers(2, 5)), draw(st.integers(0, 1))) for i in range(n_t)
    )
    ids = [t.id for t in tables]
    people = tuple(
        ParticipantSpec(
            p,
            draw(st.sampled_from([None, "red", "blue"])),
            tuple(draw(st.permutations(ids))[: draw(st.integers(0, 3))]),
            moves=draw(st.integers(0, 6)) > 0,
        )
        for p in range(n)
    )
    pairs = st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda x: x[0] != x[1])
    together = tuple(draw(st.lists(pairs, max_size=2)))
    apart = tuple(draw(st.lists(pairs, max_size=3)))
    fixed = []
    for p in range(n):
        if draw(st.integers(0, 9)) == 0:
            fixed.append(
                FixedAssignment(p, draw(st.integers(0, rounds - 1)), draw(st.sampled_from(ids)))
            )
    return RotationProblem(rounds, 1, tables, people, 3, tuple(fixed), apart, together)


@SETTINGS
@given(ruled())
def test_solve_rules_random_instances_keep_every_rule(problem):
    note(repr(problem))
    try:
        plan = solve(problem, time_limit=0.5)
    except Infeasible as exc:
        assert "\n" not in str(exc)
        assert independent_optimum(problem) is None
        return
    check_plan(problem, plan)


@SETTINGS
@given(ruled())
def test_solve_rules_random_instances_reach_independent_optimum(problem):
    note(repr(problem))
    expected = independent_optimum(problem)
    try:
        plan = solve(problem, time_limit=0.5)
    except Infeasible:
        assert expected is None
        return
    assert plan.stats["preference_score"] == expected
    assert plan.stats["optimal"] is True


def flagship() -> RotationProblem:
    tables = tuple(TableSpec(c, 8) for c in "abcdefghijk")
    people = tuple(
        ParticipantSpec(p, f"org{p % 7}", tuple("abcdefghijk"[(p + i) % 11] for i in range(5)))
        for p in range(44)
    )
    return RotationProblem(4, 3, tables, people)


def test_solve_stayer_keeps_one_table_and_others_mix():
    base = flagship()
    people = list(base.participants)
    people[3] = replace(people[3], moves=False)
    problem = replace(base, participants=tuple(people), apart=((3, 4),), together=((5, 6),))
    plan = solve(problem)
    check_plan(problem, plan)
    assert plan.stats["optimal"] is True
    assert plan.stats["preference_score"] == independent_optimum(problem)


def test_solve_replan_after_played_rounds_keeps_rules():
    base = flagship()
    people = list(base.participants)
    people[0] = replace(people[0], moves=False)
    problem = replace(base, participants=tuple(people), apart=((1, 2),), together=((7, 8),))
    first = solve(problem)
    played = tuple(
        FixedAssignment(a.participant, a.round, a.table) for a in first.assignments if a.round < 2
    )
    replanned = replace(problem, fixed=played)
    plan = solve(replanned)
    check_plan(replanned, plan)
    assert plan.stats["rounds_played"] == [0, 1]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"apart": ((1, 2),), "together": ((1, 2),)},
            "participants 1 and 2 must be kept apart but must also sit together",
        ),
        (
            {"together": tuple((i, i + 1) for i in range(9))},
            "must sit together but no table seats 10",
        ),
        (
            {"fixed": (FixedAssignment(0, 0, "a"), FixedAssignment(0, 2, "b"))},
            "participant 0 stays at one table but is pinned to tables a and b",
        ),
        (
            {"fixed": (FixedAssignment(1, 1, "a"), FixedAssignment(2, 1, "a")), "apart": ((1, 2),)},
            "participants 1 and 2 must be kept apart but are both pinned to table a in round 1",
        ),
        (
            {
                "fixed": (FixedAssignment(5, 1, "a"), FixedAssignment(6, 1, "b")),
                "together": ((5, 6),),
            },
            "participants 5 and 6 must sit together but are pinned to tables a and b in round 1",
        ),
    ],
)
def test_solve_contradictory_rules_raise_one_line(change, message):
    base = flagship()
    people = list(base.participants)
    people[0] = replace(people[0], moves=False)
    problem = replace(base, participants=tuple(people), **change)
    with pytest.raises(Infeasible) as info:
        solve(problem)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_solve_single_round_apart_pair_takes_two_tables():
    tables = (TableSpec("a", 2), TableSpec("b", 2))
    people = tuple(ParticipantSpec(p, None, ("a",)) for p in range(4))
    problem = RotationProblem(1, 1, tables, people, apart=((0, 1), (2, 3)))
    plan = solve(problem)
    check_plan(problem, plan)
    assert plan.stats["preference_score"] == independent_optimum(problem) == 10


def test_problem_from_json_rules_round_trip():
    problem = replace(
        flagship(),
        participants=(
            replace(flagship().participants[0], moves=False),
            *flagship().participants[1:],
        ),
        apart=((1, 2),),
        together=((3, 4),),
    )
    obj = problem_to_json(problem)
    assert obj["participants"][0]["moves"] is False
    assert "moves" not in obj["participants"][1]
    assert problem_from_json(obj) == problem


def test_problem_from_json_old_format_defaults_rules():
    obj = problem_to_json(flagship())
    obj.pop("apart")
    obj.pop("together")
    problem = problem_from_json(obj)
    assert problem.apart == () and problem.together == ()
    assert all(p.moves for p in problem.participants)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda o: o["participants"][0].update(moves="no"), "participants[0].moves must be true"),
        (lambda o: o.update(apart=[[1]]), "apart[0] must name two participants, got 1"),
        (lambda o: o.update(together=[[1, 99]]), "together: unknown participant 99"),
        (lambda o: o.update(apart=[[1, 1]]), "apart: participant 1 paired with itself"),
        (lambda o: o.update(together={}), "together must be a list, got dict"),
    ],
)
def test_problem_from_json_bad_rules_raise_clear_message(change, message):
    obj = problem_to_json(flagship())
    change(obj)
    with pytest.raises(MalformedProblem) as info:
        problem_from_json(obj)
    assert message in str(info.value)
