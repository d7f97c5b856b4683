"""``flask rotation solve IN.json --out OUT.json [--time-limit S] [--seed N]``: the planner on a
file, without a database.

Registered as a Flask plugin command (``flask.commands`` entry point in pyproject.toml), so the
``flask`` command finds it without building the app: the planner starts in a fraction of the
time the whole application would take to import. Only click is imported here; the planner
itself when the command runs.
"""

from __future__ import annotations

import click


@click.group("rotation", help="The table-rotation planner.")
def rotation() -> None:
    pass


@rotation.command("solve", context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def solve(args: tuple[str, ...]) -> None:
    """Plan a rotation from IN.json without a database: IN.json --out OUT.json [--time-limit S]."""
    from meetingapp.domain.rotation.cli import main

    raise SystemExit(main(list(args)))
