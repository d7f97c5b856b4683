"""The repeat lower bound never exceeds the best preference-optimal plan (exhaustive search).

Every plan of a tiny instance is enumerated here, independently of the planner: one table
per person and round, distinct tables for those who move, one table for those who stay,
table limits, pins, together and apart pairs.  Among the plans of maximum preference score
the fewest repeated encounters is the truth the bound must not exceed.
"""

from __future__ import annotations

from itertools import combinations, permutations

from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st

from meetingapp.domain.rotation import (
    FixedAssignment,
    Infeasible,
    ParticipantSpec,
    RotationProblem,
    TableSpec,
    solve,
)
from meetingapp.domain.rotation.bound import moment_bound, waterfill

SETTINGS = settings(max_examples=70, deadline=None, suppress_health_check=list(HealthCheck))


def stays(problem: RotationProblem, p: int) -> bool:
    """Someone who does not move keeps everybody joined to them by together pairs with them."""
    group, grew = {problem.participants[p].id}, True
    while grew:
        grew = False
        for a, b in problem.together:
            if (a in group) != (b in group):
                group |= {a, b}
                grew = True
    return any(not person.moves for person in problem.participants if person.id in group)


def options(problem: RotationProblem, p: int) -> list[tuple[int, ...]]:
    person = problem.participants[p]
    n_t, rounds = len(problem.tables), problem.rounds
    if not stays(problem, p):
        rows = list(permutations(range(n_t), rounds))
    else:
        rows = [(t,) * rounds for t in range(n_t)]
    index = {t.id: i for i, t in enumerate(problem.tables)}
    for fix in problem.fixed:
        if fix.participant == person.id:
            rows = [row for row in rows if row[fix.round] == index[fix.table]]
    return rows


def exhaustive(problem: RotationProblem) -> tuple[int, int] | None:
    """``(best score, fewest repeats among best-score plans)`` or None if infeasible."""
    people, tables, rounds = problem.participants, problem.tables, problem.rounds
    n, n_t = len(people), len(tables)
    ids = {person.id: p for p, person in enumerate(people)}
    index = {t.id: i for i, t in enumerate(tables)}
    score = [[0] * n_t for _ in range(n)]
    for p, person in enumerate(people):
        for rank, table in enumerate(person.picks):
            score[p][index[table]] = problem.max_picks - rank
    together = [(ids[a], ids[b]) for a, b in problem.together]
    apart = [(ids[a], ids[b]) for a, b in problem.apart]
    opts = [options(problem, p) for p in range(n)]
    load = [[0] * rounds for _ in range(n_t)]
    rows: list[tuple[int, ...]] = []
    best: list[tuple[int, int]] = []

    def leaf():
        for t in range(n_t):
            if any(load[t][r] < tables[t].min_seats for r in range(rounds)):
                return
        if any(rows[a] != rows[b] for a, b in together):
            return
        if any(x == y for a, b in apart for x, y in zip(rows[a], rows[b], strict=True)):
            return
        value = sum(score[p][t] for p, row in enumerate(rows) for t in row)
        rep = sum(
            max(0, sum(x == y for x, y in zip(rows[a], rows[b], strict=True)) - 1)
            for a, b in combinations(range(n), 2)
        )
        if not best or value > best[0][0] or (value == best[0][0] and rep < best[0][1]):
            best[:] = [(value, rep)]

    def walk(p):
        if p == n:
            leaf()
            return
        for row in opts[p]:
            if any(load[t][r] >= tables[t].capacity for r, t in enumerate(row)):
                continue
            for r, t in enumerate(row):
                load[t][r] += 1
            rows.append(row)
            walk(p + 1)
            rows.pop()
            for r, t in enumerate(row):
                load[t][r] -= 1

    walk(0)
    return best[0] if best else None


@st.composite
def tiny(draw):
    n_t = draw(st.integers(2, 4))
    rounds = draw(st.integers(1, min(3, n_t)))
    n = draw(st.integers(2, 5))
    tables = tuple(
        TableSpec(f"t{i}", draw(st.integers(1, 4)), draw(st.integers(0, 1))) for i in range(n_t)
    )
    ids = [t.id for t in tables]
    people = []
    for p in range(n):
        picks = tuple(draw(st.permutations(ids))[: draw(st.integers(0, 2))])
        org = draw(st.sampled_from([None, "x", "y"]))
        people.append(ParticipantSpec(p, org, picks, moves=draw(st.integers(0, 5)) > 0))
    fixed, together, apart = [], [], []
    for p in range(n):
        if draw(st.integers(0, 7)) == 0:
            fixed.append(
                FixedAssignment(p, draw(st.integers(0, rounds - 1)), draw(st.sampled_from(ids)))
            )
    if draw(st.booleans()):
        together.append((0, 1))
    if draw(st.booleans()):
        apart.append((n - 1, n - 2) if n > 2 and not together else (0, n - 1))
    return RotationProblem(
        rounds, 1, tables, tuple(people), 2, tuple(fixed), tuple(apart), tuple(together)
    )


def effort(problem: RotationProblem) -> int:
    size = 1
    for p in range(len(problem.participants)):
        size *= max(1, len(options(problem, p)))
    return size


@SETTINGS
@given(tiny())
def test_repeat_lower_bound_never_exceeds_exhaustive_best(problem):
    assume(effort(problem) <= 40_000)
    note(repr(problem))
    truth = exhaustive(problem)
    try:
        plan = solve(problem, time_limit=1.0)
    except Infeasible:
        assert truth is None
        return
    assert truth is not None
    best_score, fewest = truth
    assert plan.stats["preference_score"] == best_score
    assert plan.stats["repeat_pairs_lower_bound"] <= fewest <= plan.stats["repeat_pairs"]


@SETTINGS
@given(tiny(), st.data())
def test_repeat_lower_bound_after_played_rounds_never_exceeds_exhaustive_best(problem, data):
    assume(problem.rounds >= 2 and not problem.fixed and effort(problem) <= 40_000)
    try:
        first = solve(problem, time_limit=0.5)
    except Infeasible:
        return
    fixed = tuple(
        FixedAssignment(a.participant, a.round, a.table) for a in first.assignments if a.round == 0
    )
    replanned = RotationProblem(
        problem.rounds,
        1,
        problem.tables,
        problem.participants,
        problem.max_picks,
        fixed,
        problem.apart,
        problem.together,
    )
    truth = exhaustive(replanned)
    plan = solve(replanned, time_limit=0.5)
    assert truth is not None
    assert plan.stats["preference_score"] == truth[0]
    assert plan.stats["repeat_pairs_lower_bound"] <= truth[1] <= plan.stats["repeat_pairs"]


def test_moment_bound_more_meetings_than_pairs_repeat():
    # 10 pairs, 30 meetings: at least 20 of them are repeats
    assert moment_bound(4, 10, 30, 0) == 20


def test_moment_bound_pairs_of_meetings_spread_over_four_rounds():
    # 60 pairs of meetings; a pair meeting 4 times holds 6 of them for 3 repeats
    assert moment_bound(4, 1000, 10, 60) == 30


def test_waterfill_spreads_evenly_within_bounds():
    assert waterfill([0, 0, 0], [5, 5, 5], 9, 1) == 9  # 3 + 3 + 3 people: 3 pairs each
    assert waterfill([0, 4], [1, 10], 6, 1) == 10  # 1 + 5 people
    assert waterfill([0, 0], [1, 1], 3, 1) is None
