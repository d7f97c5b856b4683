"""problem_from_json validates its input; plan_to_json gives the documented shape."""

from __future__ import annotations

import copy

import pytest

from meetingapp.domain.rotation import (
    FixedAssignment,
    MalformedProblem,
    RotationProblem,
    TableSpec,
    plan_to_json,
    problem_from_json,
    solve,
)

GOOD = {
    "rounds": 3,
    "min_tables": 3,
    "max_picks": 2,
    "tables": [
        {"id": "a", "capacity": 2},
        {"id": "b", "capacity": 2, "min_seats": 1},
        {"id": 7, "capacity": 2},
    ],
    "participants": [
        {"id": 1, "organisation": "x", "picks": ["a", 7]},
        {"id": "two", "organisation": None, "picks": ["b"]},
        {"id": 3, "organisation": "x"},
    ],
    "fixed": [{"participant": 1, "round": 0, "table": "b"}],
}


def broken(change):
    obj = copy.deepcopy(GOOD)
    change(obj)
    return obj


def test_problem_from_json_valid_input_keeps_ids_and_defaults():
    problem = problem_from_json(GOOD)
    assert isinstance(problem, RotationProblem)
    assert problem.tables[0] == TableSpec("a", 2, 0)
    assert problem.tables[2].id == 7
    assert problem.participants[1].id == "two"
    assert problem.participants[0].picks == ("a", 7)
    assert problem.participants[2].picks == ()
    assert problem.fixed == (FixedAssignment(1, 0, "b"),)


def test_problem_from_json_optional_keys_default():
    obj = broken(lambda o: [o.pop("max_picks"), o.pop("fixed")])
    problem = problem_from_json(obj)
    assert problem.max_picks == 5
    assert problem.fixed == ()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda o: o.pop("rounds"), "problem: missing key 'rounds'"),
        (lambda o: o.update(rounds="3"), "rounds must be an integer, got '3'"),
        (lambda o: o.update(rounds=0), "rounds must be at least 1, got 0"),
        (lambda o: o.update(tables={}), "tables must be a list, got dict"),
        (lambda o: o["tables"][0].pop("capacity"), "tables[0]: missing key 'capacity'"),
        (lambda o: o["tables"][1].update(capacity=-1), "table b: capacity must not be negative"),
        (lambda o: o["tables"][1].update(id="a"), "duplicate table id 'a'"),
        (lambda o: o["tables"][1].update(id=True), "tables[1].id must be a string or an integer"),
        (lambda o: o["participants"][2].update(id=1), "duplicate participant id '1'"),
        (lambda o: o["participants"][0].update(picks=["z"]), "participant 1: pick 'z' is not"),
        (lambda o: o["participants"][0].update(picks=["a", "a"]), "table a picked twice"),
        (
            lambda o: o["participants"][0].update(picks=["a", "b", 7]),
            "participant 1: 3 picks but max_picks is 2",
        ),
        (lambda o: o["participants"][0].update(organisation=5), "organisation must be a string"),
        (lambda o: o["fixed"][0].update(table="z"), "fixed: participant 1: unknown table 'z'"),
        (lambda o: o["fixed"][0].update(participant=99), "fixed: unknown participant 99"),
        (lambda o: o["fixed"][0].update(round=3), "round 3 is not between 0 and 2"),
        (lambda o: o["fixed"].append(5), "fixed[1] must be an object, got int"),
        (lambda o: o.update(colour="red"), "problem: unknown key 'colour'"),
    ],
)
def test_problem_from_json_bad_input_raises_clear_message(change, message):
    with pytest.raises(MalformedProblem) as info:
        problem_from_json(broken(change))
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_problem_from_json_non_object_raises():
    with pytest.raises(MalformedProblem, match="problem must be an object"):
        problem_from_json([1, 2])  # type: ignore[arg-type]


def test_plan_to_json_lists_assignments_and_stats():
    plan = solve(problem_from_json(GOOD), time_limit=0.05)
    out = plan_to_json(plan)
    assert set(out) == {"assignments", "stats"}
    assert len(out["assignments"]) == 9
    assert set(out["assignments"][0]) == {"participant", "round", "table"}
    for key in ("preference_score", "optimal_preference_score", "repeat_pairs"):
        assert isinstance(out["stats"][key], int)
    assert isinstance(out["stats"]["same_org_pairs"], int)
    assert isinstance(out["stats"]["seconds"], float)
    assert {"participant": 1, "round": 0, "table": "b"} in out["assignments"]
