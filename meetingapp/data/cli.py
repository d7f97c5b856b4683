"""``flask data``: backup, restore, and the copy from SQLite into PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from meetingapp.data.backup import DataError

data_cli = AppGroup("data", help="The whole database: backup, restore, copy; the retention purge.")


@data_cli.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(file: Path) -> None:
    """Write a backup of the database to FILE while the app runs (SQLite's online backup;
    pg_dump's custom format on PostgreSQL)."""
    from meetingapp.data.backup import backup, row_counts
    from meetingapp.extensions import db

    try:
        size = backup(db.engine, file)
    except DataError as exc:
        raise click.ClickException(str(exc)) from None
    rows = sum(row_counts(db.engine).values())
    click.echo(f"Backed up about {rows} rows to {file} ({size:,} bytes).")


@data_cli.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace what a database that is not empty holds.")
def restore_command(file: Path, force: bool) -> None:
    """Restore FILE (made by `data backup`) into the database, which must be empty unless
    --force. Stop the app servers and mail workers first."""
    from meetingapp.data.backup import restore
    from meetingapp.extensions import db

    try:
        counts = restore(db.engine, file, force=force)
    except DataError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Restored {sum(counts.values())} rows in {len(counts)} tables from {file}.")


@data_cli.command("copy")
@click.option("--to", "target", required=True, metavar="URL", help="postgresql://… (empty)")
def copy_command(target: str) -> None:
    """Copy this database (SQLite, even while it runs) into an empty PostgreSQL database:
    the schema by the migrations, then every row with its id, then the id sequences."""
    from meetingapp.data.copy import copy_database

    try:
        summary = copy_database(target, log=click.echo)
    except DataError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"Copied {summary.total} rows in {len(summary.rows)} tables; id sequences moved past "
        "the copied ids. Point DATABASE_URL at the new database."
    )


@data_cli.command("purge")
@click.option("--dry-run", is_flag=True, help="Say what would be purged; change nothing.")
def purge_command(dry_run: bool) -> None:
    """Anonymise the participants of events past their retention period (each event's
    "keep personal data for" months after it ends, 24 by default): names, addresses and
    free-text answers go, registrations, check-ins and the counts per entity stay. For cron."""
    from meetingapp import clock
    from meetingapp.privacy.service import purge_expired

    report = purge_expired(now=clock.now(), dry_run=dry_run)
    verb = "Would purge" if dry_run else "Purged"
    if not report.events and not report.people:
        click.echo("Nothing is past its retention period.")
        return
    for event_id, title in report.events:
        click.echo(f"{verb} event {event_id}: {title}")
    click.echo(
        f"{verb}: {len(report.events)} events, {report.people} participants anonymised, "
        f"{report.free_texts} free-text answers and {report.check_in_notes} check-in notes "
        "removed; registrations, check-ins and counts per entity kept."
    )
    if dry_run:
        click.echo("Dry run: nothing was changed.")
