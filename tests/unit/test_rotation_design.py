"""Zero-repeat designs: finite fields of prime and prime-power order, then the whole planner.

Repeats are counted here by brute force over pairs, not by the planner's statistics.
"""

from __future__ import annotations

from collections import Counter
from itertools import combinations, product

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from meetingapp.domain.rotation import ParticipantSpec, RotationProblem, TableSpec, solve
from meetingapp.domain.rotation.design import affine_rotation, field, prime_power

PRIME_POWERS = [2, 3, 4, 5, 7, 8, 9, 11, 13, 16, 17, 19, 23, 25, 27, 32]


def brute_repeats(rows) -> int:
    total = 0
    for a, b in combinations(rows, 2):
        total += max(0, sum(x == y for x, y in zip(a, b, strict=True)) - 1)
    return total


@pytest.mark.parametrize("q", PRIME_POWERS)
def test_field_prime_power_orders_satisfy_the_field_axioms(q):
    add, mul = field(q)
    elements = range(q)
    assert sorted(add[0]) == list(elements) and list(mul[1]) == list(elements)
    for a in elements:
        assert sorted(add[a]) == list(elements)  # every element has a negative
        if a:
            assert sorted(mul[a, 1:]) == list(range(1, q))  # and an inverse
    step = max(1, q**3 // 4000)
    for i, (a, b, c) in enumerate(product(elements, repeat=3)):
        if i % step:
            continue
        assert add[a, b] == add[b, a] and mul[a, b] == mul[b, a]
        assert add[add[a, b], c] == add[a, add[b, c]]
        assert mul[mul[a, b], c] == mul[a, mul[b, c]]
        assert mul[a, add[b, c]] == add[mul[a, b], mul[a, c]]


@pytest.mark.parametrize("q", [1, 6, 10, 12, 15, 18, 20, 24])
def test_prime_power_other_numbers_are_refused(q):
    assert prime_power(q) is None


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(PRIME_POWERS[:11]), st.data())
def test_affine_rotation_prime_power_tables_never_repeat(q, data):
    seats = data.draw(st.integers(1, q - 1), label="seats")
    rounds = data.draw(st.integers(1, q), label="rounds")
    n = data.draw(st.integers(1, q * seats), label="people")
    org = np.array(data.draw(st.lists(st.integers(-1, 3), min_size=n, max_size=n)))
    tab = affine_rotation(n, q, rounds, org)
    rows = tab.tolist()
    assert brute_repeats(rows) == 0
    assert all(len(set(row)) == rounds for row in rows)
    loads = Counter((t, r) for row in rows for r, t in enumerate(row))
    assert max(loads.values()) == -(-n // q)
    for r in range(rounds):
        per_table = [loads[t, r] for t in range(q)]
        assert max(per_table) - min(per_table) <= 1


def test_affine_rotation_organisation_within_a_row_never_meets():
    org = np.array([0] * 11 + [1] * 11 + [-1] * 22)
    rows = affine_rotation(44, 11, 4, org).tolist()
    for o in (0, 1):
        members = [rows[p] for p in range(44) if org[p] == o]
        assert all(x != y for a, b in combinations(members, 2) for x, y in zip(a, b, strict=True))


def uniform(n_tables: int, seats: int, rounds: int, n: int) -> RotationProblem:
    tables = tuple(TableSpec(f"t{i}", seats) for i in range(n_tables))
    return RotationProblem(
        rounds, rounds, tables, tuple(ParticipantSpec(p, None) for p in range(n))
    )


@pytest.mark.parametrize(
    ("n_tables", "seats", "rounds", "n"),
    [(11, 8, 4, 88), (11, 8, 4, 80), (11, 4, 4, 44), (7, 6, 7, 42), (13, 5, 5, 65)],
)
def test_solve_issue_instances_plan_without_repeats(n_tables, seats, rounds, n):
    plan = solve(uniform(n_tables, seats, rounds, n))
    rows: dict = {}
    for a in sorted(plan.assignments, key=lambda a: a.round):
        rows.setdefault(a.participant, []).append(a.table)
    assert brute_repeats(list(rows.values())) == 0
    assert plan.stats["repeat_pairs"] == 0 == plan.stats["repeat_pairs_lower_bound"]
    assert all(len(set(row)) == rounds for row in rows.values())
    assert plan.stats["mixing"]["stopped_by"] == "bound"


@settings(max_examples=40, deadline=None)
@given(st.sampled_from([2, 3, 4, 5, 7, 8, 9, 11, 13]), st.data())
def test_solve_family_prime_power_uniform_plans_without_repeats(q, data):
    seats = data.draw(st.integers(1, q - 1), label="seats")
    rounds = data.draw(st.integers(1, q), label="rounds")
    n = data.draw(st.integers(1, q * seats), label="people")
    plan = solve(uniform(q, seats, rounds, n))
    assert plan.stats["repeat_pairs"] == 0
    loads = Counter((a.table, a.round) for a in plan.assignments)
    assert max(loads.values()) <= seats
