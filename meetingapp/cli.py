"""Flask commands: ``users``, ``demo``, ``mail`` (``mail worker`` lives in ``mail/worker.py``) and
``data`` (``data/cli.py``); ``rotation`` is a plugin command that does not build the app
(``planner_cli.py``)."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from meetingapp.domain.errors import ValidationFailed

users_cli = AppGroup("users", help="Manage accounts.")
demo_cli = AppGroup("demo", help="The customer's demo events and accounts.")
mail_cli = AppGroup("mail", help="The e-mail outbox.")
registrations_cli = AppGroup("registrations", help="Registrations and waitlists.")


@registrations_cli.command("expire-offers")
def registrations_expire_offers() -> None:
    """Pass on every waitlist offer whose deadline has passed (run it from cron, say each
    minute; any request that touches a session does the same for that session)."""
    from meetingapp import clock
    from meetingapp.registration.service import expire_offers

    count = expire_offers(now=clock.now())
    click.echo(f"{count} offers lapsed and were passed on.")


@registrations_cli.command("release-unreconfirmed")
def registrations_release_unreconfirmed() -> None:
    """Release the seats of people who did not reconfirm by their session's deadline, where
    the organisers chose so, to the waitlist (run it from cron beside expire-offers; a
    registration or cancellation in the session does the same for it)."""
    from meetingapp import clock
    from meetingapp.registration.service import release_unreconfirmed

    count = release_unreconfirmed(now=clock.now())
    click.echo(f"{count} seats not reconfirmed were released to the waitlist.")


@mail_cli.command("send")
def mail_send() -> None:
    """Deliver every due message in the outbox (retries failed ones when their time comes)."""
    from meetingapp import clock
    from meetingapp.mail.delivery import deliver_due, mail_configured

    if not mail_configured():
        click.echo("No MAIL_SERVER configured: messages stay in the outbox (see /organise/outbox).")
        return
    report = deliver_due(clock.now())
    click.echo(f"Sent {report.sent}, retrying later {report.retried}, failed {report.failed}.")
    for error in report.errors[:10]:
        click.echo(f"  {error}", err=True)


@mail_cli.command("reminders")
def mail_reminders() -> None:
    """Queue a reminder for everyone confirmed for a session that starts tomorrow (local time)."""
    from meetingapp import clock
    from meetingapp.mail.reminders import queue_reminders

    count = queue_reminders(clock.now())
    click.echo(f"Queued {count} reminders.")


@users_cli.command("create-organiser")
@click.argument("email")
@click.option("--name", required=True, help="The organiser's full name.")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Prompted for when omitted.",
)
def create_organiser(email: str, name: str, password: str) -> None:
    """Create an organiser account (or make an existing account an organiser)."""
    from meetingapp.accounts.service import create_or_promote_organiser

    try:
        user, created = create_or_promote_organiser(email, name, password)
    except ValidationFailed as exc:
        raise click.ClickException(str(exc)) from None
    verb = "Created" if created else "Updated"
    click.echo(f"{verb} organiser {user.email} ({user.name}).")


@demo_cli.command("load")
def demo_load() -> None:
    """Load the demo events, entities and accounts (safe to run again)."""
    from meetingapp.demo.service import load_demo

    summary = load_demo()
    click.echo(
        f"Demo data ready: {summary.created_events} events, {summary.created_users} accounts and "
        f"{summary.created_registrations} registrations created."
    )
    print_demo_logins()


def print_demo_logins() -> None:
    from meetingapp.demo import data as demo_data

    pw = current_app.config["DEMO_PASSWORD"]
    click.echo(f"Demo logins (password for all: {pw}):")
    click.echo(f"  organiser    {demo_data.ORGANISER_EMAIL}")
    click.echo("  participant  participant01@example.org … participant60@example.org")
    click.echo("  table host   host-a@example.org … host-k@example.org")
    click.echo("  focal point  participant16@example.org (DESA: My entity)")


@demo_cli.command("logins")
def demo_logins() -> None:
    """Print the demo accounts."""
    print_demo_logins()


@demo_cli.command("load-if-empty")
def demo_load_if_empty() -> None:
    """Load the demo only when the database has no events yet."""
    from sqlalchemy import func, select

    from meetingapp.demo.service import load_demo
    from meetingapp.extensions import db
    from meetingapp.models import Event

    if db.session.scalar(select(func.count()).select_from(Event)):
        click.echo("The database already has events; demo not loaded.")
    else:
        summary = load_demo()
        click.echo(
            f"Demo data loaded: {summary.created_events} events, {summary.created_users} accounts."
        )
    print_demo_logins()


def register_cli(app: Flask) -> None:
    from meetingapp.data.cli import data_cli
    from meetingapp.mail.worker import worker_command

    mail_cli.add_command(worker_command)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(data_cli)
    app.cli.add_command(registrations_cli)
