"""Infeasible input is refused with one human line naming the cause."""

from __future__ import annotations

import pytest

from meetingapp.domain.rotation import (
    FixedAssignment,
    Infeasible,
    ParticipantSpec,
    RotationProblem,
    TableSpec,
    solve,
)


def make(n_people=6, tables=None, rounds=3, min_tables=3, fixed=()):
    tables = tables or tuple(TableSpec(c, 3) for c in "abcd")
    people = tuple(ParticipantSpec(p, None, ()) for p in range(n_people))
    return RotationProblem(rounds, min_tables, tuple(tables), people, fixed=tuple(fixed))


def reason(problem) -> str:
    with pytest.raises(Infeasible) as info:
        solve(problem, time_limit=0.05)
    text = str(info.value)
    assert "\n" not in text
    assert text == info.value.reason
    return text


def test_solve_more_participants_than_seats_reports_round():
    problem = make(n_people=13, tables=[TableSpec(c, 3) for c in "abcd"])
    assert reason(problem) == "round 0: 13 participants but 12 seats"


def test_solve_unreachable_min_seats_reports_table():
    tables = [TableSpec("a", 4, 3), TableSpec("b", 4), TableSpec("c", 4), TableSpec("d", 4)]
    problem = make(n_people=8, tables=tables, rounds=4)
    assert reason(problem) == (
        "table a: needs at least 3 per round in 4 rounds but only 8 participants can sit there"
    )


def test_solve_min_tables_above_rounds_reports_both():
    assert reason(make(rounds=2, min_tables=3)) == "min_tables 3 exceeds rounds 2"


def test_solve_fewer_tables_than_rounds_reports_counts():
    problem = make(n_people=2, rounds=5, min_tables=3)
    assert reason(problem) == "4 tables but each participant needs 5 distinct tables"


def test_solve_min_seats_above_capacity_reports_table():
    tables = [TableSpec("a", 2, 3), TableSpec("b", 4), TableSpec("c", 4)]
    assert reason(make(tables=tables)) == "table a: min_seats 3 exceeds capacity 2"


def test_solve_pin_to_same_table_twice_reports_participant():
    fixed = [FixedAssignment(4, 0, "a"), FixedAssignment(4, 2, "a")]
    assert reason(make(fixed=fixed)) == (
        "participant 4 is pinned to table a twice (rounds 0 and 2)"
    )


def test_solve_pins_to_two_tables_in_one_round_reports_round():
    fixed = [FixedAssignment(1, 1, "a"), FixedAssignment(1, 1, "b")]
    assert reason(make(fixed=fixed)) == (
        "participant 1 is pinned to two tables in round 1 (a and b)"
    )


def test_solve_pins_over_capacity_report_table_and_round():
    fixed = [FixedAssignment(p, 2, "c") for p in range(4)]
    assert reason(make(fixed=fixed)) == "round 2: 4 participants pinned to table c but it seats 3"


def test_solve_played_round_revisited_by_pin_reports_participant():
    played = [FixedAssignment(p, 0, "abcd"[p % 4]) for p in range(6)]
    assert reason(make(fixed=[*played, FixedAssignment(0, 1, "a")])) == (
        "participant 0 is pinned to table a twice (rounds 0 and 1)"
    )


def test_solve_pins_that_exhaust_a_table_report_the_table():
    tables = [TableSpec("a", 3, 2), TableSpec("b", 3), TableSpec("c", 3), TableSpec("d", 3)]
    # everybody but one person is pinned away from table a in round 1
    fixed = [FixedAssignment(p, 1, "b" if p < 3 else "c") for p in range(5)]
    assert reason(make(tables=tables, fixed=fixed)) == (
        "round 1: table a needs at least 2 but only 1 participants are free to sit there"
    )


def test_solve_small_tables_that_everyone_must_visit_report_the_group():
    tables = [TableSpec("a", 1), TableSpec("b", 1), TableSpec("c", 9), TableSpec("d", 9)]
    # 4 tables, 3 rounds: everyone visits at least one of a, b (2 seats per round)
    problem = make(n_people=8, tables=tables)
    assert reason(problem) == (
        "tables a, b: 2 seats per round (6 over 3 rounds) but 8 participants must each visit "
        "1 of them"
    )
