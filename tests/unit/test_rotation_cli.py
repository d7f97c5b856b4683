"""The command line: JSON in, JSON out, exit status 2 and one line for bad input."""

from __future__ import annotations

import json

from meetingapp.domain.rotation.cli import main

PROBLEM = {
    "rounds": 2,
    "min_tables": 2,
    "tables": [{"id": "a", "capacity": 2}, {"id": "b", "capacity": 2}, {"id": "c", "capacity": 2}],
    "participants": [
        {"id": p, "organisation": "org" + str(p % 2), "picks": ["a", "b"]} for p in range(5)
    ],
}


def write(tmp_path, obj, name="in.json"):
    path = tmp_path / name
    path.write_text(obj if isinstance(obj, str) else json.dumps(obj), encoding="utf-8")
    return str(path)


def test_main_round_trip_writes_plan(tmp_path, capsys):
    out = tmp_path / "out.json"
    code = main([write(tmp_path, PROBLEM), "--out", str(out), "--time-limit", "0.2", "--seed", "3"])
    assert code == 0
    plan = json.loads(out.read_text(encoding="utf-8"))
    assert len(plan["assignments"]) == 10
    stats = plan["stats"]
    for key in ("preference_score", "optimal_preference_score", "repeat_pairs", "same_org_pairs"):
        assert key in stats
    assert stats["preference_score"] == stats["optimal_preference_score"]
    assert capsys.readouterr().err == ""


def test_main_without_out_prints_json(tmp_path, capsys):
    assert main([write(tmp_path, PROBLEM), "--time-limit", "0.1"]) == 0
    assert len(json.loads(capsys.readouterr().out)["assignments"]) == 10


def test_main_infeasible_input_exits_2_with_one_line(tmp_path, capsys):
    problem = dict(PROBLEM, rounds=4, min_tables=2)
    assert main([write(tmp_path, problem)]) == 2
    captured = capsys.readouterr()
    assert captured.err == "3 tables but each participant needs 4 distinct tables\n"
    assert captured.out == ""


def test_main_bad_json_exits_2_with_one_line(tmp_path, capsys):
    assert main([write(tmp_path, "{not json")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "is not valid JSON" in err


def test_main_missing_file_exits_2_with_one_line(tmp_path, capsys):
    assert main([str(tmp_path / "nope.json")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("cannot read")


def test_main_schema_error_exits_2_with_one_line(tmp_path, capsys):
    problem = dict(PROBLEM, tables=[{"id": "a"}])
    assert main([write(tmp_path, problem)]) == 2
    assert capsys.readouterr().err == "tables[0]: missing key 'capacity'\n"


def test_main_bad_option_exits_2_with_one_line(tmp_path, capsys):
    assert main([write(tmp_path, PROBLEM), "--time-limit", "soon"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
