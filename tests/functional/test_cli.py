from sqlalchemy import select

from meetingapp.extensions import db
from meetingapp.models import Role, User


def test_create_organiser_command_makes_an_organiser(runner, app):
    result = runner.invoke(
        args=[
            "users",
            "create-organiser",
            "Chief@Example.org",
            "--name",
            "The Chief",
            "--password",
            "a-strong-password",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User))
    assert user.email == "chief@example.org" and user.role == Role.ORGANISER


def test_create_organiser_prompts_for_the_password(runner, app):
    result = runner.invoke(
        args=["users", "create-organiser", "c@example.org", "--name", "C"],
        input="a-strong-password\na-strong-password\n",
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User)).role == Role.ORGANISER


def test_create_organiser_short_password_is_a_clear_error(runner, app):
    result = runner.invoke(
        args=["users", "create-organiser", "c@example.org", "--name", "C", "--password", "short"]
    )
    assert result.exit_code != 0
    assert "at least 8 characters" in result.output


def test_demo_load_command_prints_logins(runner, app):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "organiser@example.org" in result.output
    assert "demo-password" in result.output


def test_rotation_solve_command_writes_the_plan_without_a_database(tmp_path):
    import json
    import os
    import subprocess
    import sys

    problem = {
        "rounds": 3,
        "min_tables": 3,
        "max_picks": 2,
        "tables": [{"id": t, "capacity": 2} for t in "abc"],
        "participants": [
            {"id": i, "organisation": "UNOOSA" if i % 2 else "WIPO", "picks": ["a", "b"]}
            for i in range(6)
        ],
    }
    src, out = tmp_path / "in.json", tmp_path / "out.json"
    src.write_text(json.dumps(problem))
    env = {
        **os.environ,
        "DATABASE_URL": "sqlite:////nonexistent/dir/never.sqlite",
        "MEETINGAPP_CONFIG": "testing",
    }
    flask = [sys.executable, "-m", "flask", "--app", "meetingapp", "rotation", "solve"]
    result = subprocess.run(
        [*flask, str(src), "--out", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    plan = json.loads(out.read_text())
    assert len(plan["assignments"]) == 18
    assert plan["stats"]["preference_score"] == plan["stats"]["optimal_preference_score"] == 18
    problem["participants"] += [{"id": 99, "organisation": "X", "picks": []}]
    src.write_text(json.dumps(problem))
    result = subprocess.run(
        [*flask, str(src), "--out", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "Traceback" not in result.stderr
    assert "7 participants but 6 seats" in result.stderr
    src.write_text("{not json")
    result = subprocess.run(
        [*flask, str(src)], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
