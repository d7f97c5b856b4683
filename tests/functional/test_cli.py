from sqlalchemy import select

from meetingapp.extensions import db
from meetingapp.models import Role, User


def test_create_organiser_command_makes_an_organiser(runner, app):
    result = runner.invoke(args=["users", "create-organiser", "Chief@Example.org", "--name", "The Chief",
                                 "--password", "a-strong-password"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User))
    assert user.email == "chief@example.org" and user.role == Role.ORGANISER


def test_create_organiser_prompts_for_the_password(runner, app):
    result = runner.invoke(args=["users", "create-organiser", "c@example.org", "--name", "C"],
                           input="a-strong-password\na-strong-password\n")
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User)).role == Role.ORGANISER


def test_create_organiser_short_password_is_a_clear_error(runner, app):
    result = runner.invoke(args=["users", "create-organiser", "c@example.org", "--name", "C",
                                 "--password", "short"])
    assert result.exit_code != 0
    assert "at least 8 characters" in result.output


def test_demo_load_command_prints_logins(runner, app):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "organiser@example.org" in result.output
    assert "demo-password" in result.output
