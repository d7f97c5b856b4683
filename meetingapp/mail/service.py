"""Composing e-mail into the outbox, in the same unit of work as the change that causes it.

Nothing here talks to a mail server: ``mail/delivery.py`` delivers after commit, so a rolled-back
change sends nothing and a committed one is never lost. A unit that queued mail asks for delivery
once it has committed, whatever the request's method.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from flask import current_app, g, has_request_context, render_template
from flask_babel import gettext
from sqlalchemy import text

from meetingapp import uow
from meetingapp.calendar.ics import CalendarEntry, build_calendar
from meetingapp.domain.visibility import can_see_online_link
from meetingapp.extensions import db
from meetingapp.i18n import content, language_of
from meetingapp.models import Event, EventSession, OutboxMessage, User

# ``flask mail worker`` listens here on PostgreSQL (NOTIFY is delivered when the unit commits).
NOTIFY_CHANNEL = "meetingapp_outbox"

ESSENTIAL = {
    "confirmed",
    "waitlisted",
    "promoted",
    "offered",
    "offer_expired",
    "reconfirm_request",  # asked by the organisers: a seat may hang on the answer
    "reconfirm_lapsed",
    "cancelled",
    "session_changed",
    "session_cancelled",
    "event_restored",
    "rotation_published",
    "moved_to_waitlist",
    "organiser_message",
    "test_message",
    "password_reset",
    "verify_email",
    "feedback_request",  # the organiser sends it, once, to the people who came
    "feedback_reminder",  # the one reminder, asked for by the organiser too
    "certificate",  # "your certificate", sent once by the organiser to the people who came
}
# Kinds whose body holds a secret link (anyone holding it acts for the recipient).
CONFIDENTIAL = {"password_reset", "verify_email", "feedback_request", "feedback_reminder"}


def public_url(path: str) -> str:
    return current_app.config.get("PUBLIC_URL", "http://127.0.0.1:5000").rstrip("/") + path


def session_url(session: EventSession) -> str:
    return public_url(f"/events/{session.event_id}#session-{session.id}")


def _sender() -> tuple[str, str]:
    return ("meetingapp", current_app.config.get("MAIL_DEFAULT_SENDER", "meetingapp@localhost"))


def _invite(method: str, entries: list[CalendarEntry], user: User, now: datetime) -> str:
    attendee = ((user.name, user.email),)
    entries = [
        replace(
            e,
            organizer=_sender(),
            attendees=attendee,
            status="CANCELLED" if method == "CANCEL" else e.status,
        )
        for e in entries
    ]
    name = entries[0].summary if len(entries) == 1 else "meetingapp"
    return build_calendar(entries, name=name, method=method, now=now).decode("utf-8")


# Stands for the waitlist position in a message composed before the seat lock decides it.
POSITION = "\x00position\x00"


@dataclass(frozen=True)
class Composed:
    """A message rendered and ready to queue: every field of its outbox row but the ids."""

    user_id: int
    kind: str
    to_address: str
    subject: str
    body_text: str
    body_html: str
    ics_method: str | None
    ics_body: str | None
    message_id: str
    now: datetime


def enqueue(
    *,
    user: User,
    kind: str,
    subject: str,
    context: dict,
    now: datetime,
    ics_method: str | None = None,
    ics_entries: list[CalendarEntry] | None = None,
    message_id: str | None = None,
    to_address: str | None = None,
) -> OutboxMessage | None:
    """Add a message to the current unit of work (the outermost use case commits it).

    Optional kinds (reminders) respect the user's choice to receive only essential mail. It
    goes to the user's address unless ``to_address`` names another (a new one to confirm).
    """
    if uow.current() is None:
        raise uow.UnitOfWorkMisuse("mail is queued inside the unit of work of its change")
    return queue(
        compose(
            user=user,
            kind=kind,
            subject=subject,
            context=context,
            now=now,
            ics_method=ics_method,
            ics_entries=ics_entries,
            message_id=message_id,
            to_address=to_address,
        )
    )


def compose(
    *,
    user: User,
    kind: str,
    subject: str,
    context: dict,
    now: datetime,
    ics_method: str | None = None,
    ics_entries: list[CalendarEntry] | None = None,
    message_id: str | None = None,
    to_address: str | None = None,
) -> Composed | None:
    """Render a message (no database write: it may run before a lock is taken); None for an
    optional kind the user chose not to receive."""
    if kind not in ESSENTIAL and not user.mail_optional:
        return None
    context = {**context, "user": user, "public_url": public_url}
    text = render_template(f"mail/{kind}.txt", **context)
    return Composed(
        user_id=user.id,
        kind=kind,
        to_address=to_address or user.email,
        subject=subject,
        body_text=text,
        # The text once more, each paragraph escaped (names and titles are anyone's input).
        body_html=render_template("mail/base.html", body_text=text, subject=subject, **context),
        ics_method=ics_method if ics_entries else None,
        ics_body=_invite(ics_method, ics_entries, user, now)
        if ics_entries and ics_method
        else None,
        message_id=message_id or f"<{uuid.uuid4().hex}@meetingapp>",
        now=now,
    )


def queue(composed: Composed | None, *, position: int | None = None) -> OutboxMessage | None:
    """Add a composed message to the current unit of work; ``position`` fills POSITION."""
    unit = uow.current()
    if unit is None:
        raise uow.UnitOfWorkMisuse("mail is queued inside the unit of work of its change")
    if composed is None:
        return None
    unit.after_commit(_request_delivery)
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": NOTIFY_CHANNEL})
    number = "" if position is None else str(position)
    message = OutboxMessage(
        user_id=composed.user_id,
        kind=composed.kind,
        to_address=composed.to_address,
        subject=composed.subject,
        body_text=composed.body_text.replace(POSITION, number),
        body_html=composed.body_html.replace(POSITION, number),
        ics_method=composed.ics_method,
        ics_body=composed.ics_body,
        message_id=composed.message_id,
        status="pending",
        created_at=composed.now,
        next_attempt_at=composed.now,
    )
    db.session.add(message)
    return message


def _request_delivery() -> None:
    """Ask for delivery after the response of the request whose unit queued mail."""
    if has_request_context():
        g.mail_queued = True


def _session_context(session: EventSession, **extra: object) -> dict:
    """What every mail about a session is rendered with: the session, its event and its page."""
    return {"session": session, "event": session.event, "url": session_url(session), **extra}


def _entries_for_session(
    session: EventSession, *, with_online_link: bool = False
) -> list[CalendarEntry]:
    from meetingapp.calendar.service import session_entry

    # An iTIP REQUEST/CANCEL carries one UID, so the invite is the session itself (a training
    # day's own sessions are listed in its description); downloads and feeds hold the parts too.
    return [session_entry(session, session_url, with_online_link=with_online_link)]


def _online(session: EventSession, status: str) -> dict:
    """A hybrid session's link and dial-in text, for a mail to someone who may see them
    (the confirmed: domain.visibility.can_see_online_link, asked of the recipient's status)."""
    if not session.online_url or not can_see_online_link(None, status):
        return {"online_url": None, "online_info": ""}
    return {"online_url": session.online_url, "online_info": session.online_info}


def registration_message(
    *,
    user: User,
    session: EventSession,
    status: str,
    now: datetime,
    position: int | None = None,
    previous: str | None = None,
) -> None:
    """Queue the message for a registration state change (see compose_registration_message)."""
    queue(
        compose_registration_message(
            user=user, session=session, status=status, now=now, position=position, previous=previous
        )
    )


def compose_registration_message(
    *,
    user: User,
    session: EventSession,
    status: str,
    now: datetime,
    position: int | None = None,
    previous: str | None = None,
) -> Composed | None:
    """The message for a registration state change, with an invite or a cancellation, rendered
    (``position`` may be POSITION, filled in by ``queue``)."""
    confirmed = status in ("confirmed", "promoted")
    context = _session_context(
        session, position=position, **_online(session, "confirmed" if confirmed else status)
    )
    with language_of(user):  # subject, body and invite in the recipient's language
        title = content(session)
        if status == "confirmed":
            return compose(
                user=user,
                kind="confirmed",
                subject=gettext("You are confirmed: %(title)s", title=title),
                context=context,
                now=now,
                ics_method="REQUEST",
                ics_entries=_entries_for_session(session, with_online_link=True),
            )
        elif status == "promoted":
            return compose(
                user=user,
                kind="promoted",
                subject=gettext("A seat opened and it is yours: %(title)s", title=title),
                context=context,
                now=now,
                ics_method="REQUEST",
                ics_entries=_entries_for_session(session, with_online_link=True),
            )
        elif status == "waitlisted":
            return compose(
                user=user,
                kind="waitlisted",
                subject=gettext("On the waitlist: %(title)s", title=title),
                context=context,
                now=now,
            )
        elif status == "cancelled":
            confirmed_before = previous == "confirmed"
            return compose(
                user=user,
                kind="cancelled",
                subject=gettext("Registration withdrawn: %(title)s", title=title),
                context={**context, "was_confirmed": confirmed_before},
                now=now,
                ics_method="CANCEL" if confirmed_before else None,
                ics_entries=_entries_for_session(session) if confirmed_before else None,
            )
    return None


def offer_message(
    *,
    user: User,
    session: EventSession,
    status: str,
    now: datetime,
    deadline: datetime | None = None,
) -> None:
    """A seat offered from the waitlist (with its deadline in the event's zone, named), or an
    offer that lapsed unanswered."""
    context = _session_context(session, deadline=deadline)
    with language_of(user):
        if status == "offered":
            enqueue(
                user=user,
                kind="offered",
                subject=gettext("A seat is offered to you: %(title)s", title=content(session)),
                context=context,
                now=now,
            )
        elif status == "offer_expired":
            enqueue(
                user=user,
                kind="offer_expired",
                subject=gettext("Your offer lapsed: %(title)s", title=content(session)),
                context=context,
                now=now,
            )


def reconfirmation_message(
    *, user: User, session: EventSession, status: str, now: datetime
) -> None:
    """The organisers ask to reconfirm (by the session's deadline, in the event's zone, named,
    and what silence does), or a seat released for want of an answer."""
    context = _session_context(
        session, deadline=session.reconfirm_deadline, releases=session.reconfirm_releases
    )
    with language_of(user):
        if status == "asked":
            enqueue(
                user=user,
                kind="reconfirm_request",
                subject=gettext(
                    "Are you still coming? Reconfirm: %(title)s", title=content(session)
                ),
                context=context,
                now=now,
            )
        elif status == "lapsed":
            enqueue(
                user=user,
                kind="reconfirm_lapsed",
                subject=gettext("Your seat was released: %(title)s", title=content(session)),
                context=context,
                now=now,
            )


def session_changed_message(*, user: User, session: EventSession, now: datetime) -> None:
    with language_of(user):
        enqueue(
            user=user,
            kind="session_changed",
            subject=gettext("Changed: %(title)s", title=content(session)),
            context=_session_context(session, **_online(session, "confirmed")),  # the confirmed
            now=now,
            ics_method="REQUEST",
            ics_entries=_entries_for_session(session, with_online_link=True),
        )


def session_cancelled_message(
    *, user: User, session: EventSession, now: datetime, note: str = ""
) -> None:
    """The session (or its event) is cancelled; ``note`` is the organiser's word to people."""
    with language_of(user):
        enqueue(
            user=user,
            kind="session_cancelled",
            subject=gettext("Cancelled: %(title)s", title=content(session)),
            context=_session_context(session, note=note),
            now=now,
            ics_method="CANCEL",
            ics_entries=_entries_for_session(session),
        )


def event_restored_message(*, user: User, session: EventSession, now: datetime) -> None:
    """A cancelled event is on again: the registration stands, the invite comes back."""
    with language_of(user):
        enqueue(
            user=user,
            kind="event_restored",
            subject=gettext("On again: %(title)s", title=content(session)),
            context=_session_context(session),
            now=now,
            ics_method="REQUEST",
            ics_entries=_entries_for_session(session),
        )


def rotation_message(
    *, user: User, session: EventSession, stops: list, entries: list[CalendarEntry], now: datetime
) -> None:
    with language_of(user):
        enqueue(
            user=user,
            kind="rotation_published",
            subject=gettext("Your table rotation: %(title)s", title=content(session)),
            context=_session_context(session, stops=stops),
            # Several rounds (several UIDs) travel as PUBLISH: clients add them all in one click.
            now=now,
            ics_method="PUBLISH",
            ics_entries=entries,
        )


def reminder_message(*, user: User, session: EventSession, now: datetime) -> OutboxMessage | None:
    with language_of(user):
        return enqueue(
            user=user,
            kind="reminder",
            subject=gettext("Tomorrow: %(title)s", title=content(session)),
            context=_session_context(
                session,
                **_online(session, "confirmed"),  # reminders go to the confirmed only
            ),
            now=now,
            message_id=f"<reminder-{session.id}-{user.id}@meetingapp>",
        )


def moved_to_waitlist_message(
    *, user: User, session: EventSession, position: int | None, now: datetime
) -> None:
    """An organiser moved a confirmed person to the waitlist: say so, and take the session out
    of their calendar (they hold no seat now)."""
    with language_of(user):
        enqueue(
            user=user,
            kind="moved_to_waitlist",
            subject=gettext("Moved to the waitlist: %(title)s", title=content(session)),
            context=_session_context(session, position=position),
            now=now,
            ics_method="CANCEL",
            ics_entries=_entries_for_session(session),
        )


def organiser_message(
    *,
    user: User,
    subject: str,
    body: str,
    event: Event,
    session: EventSession | None,
    now: datetime,
    message_id: str,
) -> OutboxMessage | None:
    """An organiser's own words to one person of a segment (``mail/messages.py``), framed in the
    recipient's language."""
    with language_of(user):
        return enqueue(
            user=user,
            kind="organiser_message",
            subject=subject,
            context=_organiser_context(body, event, session),
            now=now,
            message_id=message_id,
        )


def _organiser_context(body: str, event: Event, session: EventSession | None) -> dict:
    return {
        "body": body,
        "event": event,
        "session": session,
        "url": session_url(session) if session else public_url(f"/events/{event.id}"),
    }


def organiser_message_text(
    *, user: User, subject: str, body: str, event: Event, session: EventSession | None
) -> str:
    """The plain text ``organiser_message`` would queue for ``user`` (the preview)."""
    with language_of(user):
        context = {**_organiser_context(body, event, session), "user": user}
        return render_template(
            "mail/organiser_message.txt", subject=subject, public_url=public_url, **context
        )


def queue_test_message(*, user: User, now: datetime) -> OutboxMessage:
    """A test message to ``user`` themself (the outbox page's button), delivered like any
    other: its own unit of work."""
    with uow.unit_of_work(), language_of(user):
        message = enqueue(
            user=user,
            kind="test_message",
            subject=gettext("meetingapp test message"),
            context={"url": public_url("/organise/outbox")},
            now=now,
        )
    return message


def password_reset_message(*, user: User, link: str, hours: int, now: datetime) -> None:
    with language_of(user):
        enqueue(
            user=user,
            kind="password_reset",
            subject=gettext("Choose a new password for meetingapp"),
            context={"link": link, "url": link, "hours": hours},
            now=now,
        )


def verify_email_message(
    *, user: User, address: str, link: str, days: int, changing: bool, now: datetime
) -> None:
    """The link that confirms ``address``: the account's own, or the new one it asked for."""
    with language_of(user):
        enqueue(
            user=user,
            kind="verify_email",
            subject=gettext("Confirm your e-mail address for meetingapp"),
            context={
                "link": link,
                "url": link,
                "address": address,
                "days": days,
                "changing": changing,
            },
            now=now,
            to_address=address,
        )


def feedback_message(
    *,
    user: User,
    session: EventSession,
    link: str,
    questions: int,
    intro: str,
    reminder: bool,
    now: datetime,
    message_id: str,
) -> OutboxMessage | None:
    """The feedback survey of a session that ``user`` attended (or its one reminder), with the
    signed link that lets them answer without logging in."""
    with language_of(user):
        title = content(session)
        return enqueue(
            user=user,
            kind="feedback_reminder" if reminder else "feedback_request",
            subject=gettext("A reminder: your feedback on %(title)s", title=title)
            if reminder
            else gettext("Your feedback on %(title)s", title=title),
            context=_session_context(
                session, link=link, url=link, questions=questions, intro=intro
            ),
            now=now,
            message_id=message_id,
        )
