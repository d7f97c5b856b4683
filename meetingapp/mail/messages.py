"""An organiser's message to a segment of an event or a session, through the outbox.

Segments: the registered (confirmed), the waitlisted, those who attended (checked in, as
``checkin.queries.presence_for_sessions`` says) and the absent (confirmed, not checked in); for
an event, the union over its registrable sessions, each person once. From the roster, also the
people chosen there (``chosen``) or every row its filters match (``filtered``).

Sending queues one outbox message per person in one unit of work and records one audit row with
the count. Each message's Message-ID carries the preview's one-time key: sending the same
preview twice (a double click, a reload) queues nothing the second time. Delivery is the
outbox's (``mail/delivery.py``): after commit, each message once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from meetingapp.checkin.queries import presence_for_sessions
from meetingapp.domain.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from meetingapp.domain.i18n import N_, _, _n
from meetingapp.domain.visibility import can_manage
from meetingapp.extensions import db
from meetingapp.mail import service as mail
from meetingapp.models import Event, EventSession, OutboxMessage, Registration, User
from meetingapp.models import RegistrationStatus as Status
from meetingapp.models.audit import record_audit
from meetingapp.registration.roster import RosterFilter, filtered_registration_ids
from meetingapp.uow import unit_of_work

SEGMENTS = ("registered", "waitlisted", "attended", "absent")
ROSTER_SEGMENTS = ("chosen", "filtered")
SEGMENT_LABELS = {
    "registered": N_("Registered (confirmed)"),
    "waitlisted": N_("On the waitlist"),
    "attended": N_("Attended (checked in)"),
    "absent": N_("Absent (confirmed, not checked in)"),
    "chosen": N_("The people chosen on the roster"),
    "filtered": N_("Everyone the roster's filters match"),
}
MAX_SUBJECT = 200
MAX_BODY = 20_000
KEY = re.compile(r"[0-9a-f]{32}")


class AudienceChanged(DomainError):
    """The segment holds other people than the preview showed."""


class AlreadySent(DomainError):
    """This preview was sent already."""


@dataclass(frozen=True)
class Audience:
    """Who a message goes to: a segment of an event (``session_id`` None) or of a session."""

    event_id: int
    session_id: int | None = None
    segment: str = "registered"
    registration_ids: tuple[int, ...] = ()  # "chosen"
    roster_filter: RosterFilter = field(default_factory=RosterFilter)  # "filtered"


@dataclass(frozen=True)
class Sent:
    count: int
    subject: str


def target_of(audience: Audience) -> tuple[Event, EventSession | None]:
    """The event and (for a session's segment) the session; NotFound when they do not match."""
    event = db.session.get(Event, audience.event_id)
    session = db.session.get(EventSession, audience.session_id) if audience.session_id else None
    if event is None or (audience.session_id and (session is None or session.event_id != event.id)):
        raise NotFound(_("There is no such session."))
    if session is not None and not session.registrable:
        raise NotFound(_("There is no such session."))
    return event, session


def _session_ids(event: Event, session: EventSession | None) -> list[int]:
    if session is not None:
        return [session.id]
    return [s.id for s in event.sessions if s.registrable]


def _user_ids(session_ids: list[int], status: Status) -> dict[int, set[int]]:
    """{session id: user ids with a registration in ``status``}."""
    out: dict[int, set[int]] = {sid: set() for sid in session_ids}
    if session_ids:
        for sid, uid in db.session.execute(
            select(Registration.session_id, Registration.user_id).where(
                Registration.session_id.in_(session_ids), Registration.status == status
            )
        ):
            out[sid].add(uid)
    return out


def _segment_user_ids(session_ids: list[int]) -> dict[str, set[int]]:
    """{segment: user ids}, each segment the union over the sessions."""
    confirmed = _user_ids(session_ids, Status.CONFIRMED)
    waiting = _user_ids(session_ids, Status.WAITLISTED)
    present = {
        sid: {p.user_id for p in people}
        for sid, people in presence_for_sessions(session_ids).items()
    }
    union = lambda by_session: set().union(*by_session.values()) if by_session else set()  # noqa: E731
    return {
        "registered": union(confirmed),
        "waitlisted": union(waiting),
        "attended": union(present),
        "absent": union({sid: confirmed[sid] - present.get(sid, set()) for sid in session_ids}),
    }


def segment_counts(audience: Audience) -> dict[str, int]:
    """How many people each standard segment holds (the compose page's choices)."""
    event, session = target_of(audience)
    return {k: len(v) for k, v in _segment_user_ids(_session_ids(event, session)).items()}


def _audience_user_ids(audience: Audience, event: Event, session: EventSession | None) -> set[int]:
    if audience.segment in SEGMENTS:
        return _segment_user_ids(_session_ids(event, session))[audience.segment]
    if session is None or audience.segment not in ROSTER_SEGMENTS:
        raise ValidationFailed(_("Choose who receives the message."), field="segment")
    if audience.segment == "chosen":
        ids = list(audience.registration_ids)
    else:
        ids = filtered_registration_ids(session.id, audience.roster_filter)
    if not ids:
        return set()
    return set(
        db.session.scalars(
            select(Registration.user_id).where(
                Registration.session_id == session.id, Registration.id.in_(ids)
            )
        )
    )


def recipients(audience: Audience) -> list[User]:
    """Everyone the audience names, each person once, by name."""
    event, session = target_of(audience)
    ids = _audience_user_ids(audience, event, session)
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(User).where(User.id.in_(ids)).order_by(func.lower(User.name), User.id)
        )
    )


def clean_text(subject: str, body: str) -> tuple[str, str]:
    """The subject on one line and the body with plain newlines; ValidationFailed when empty
    or too long."""
    subject = " ".join((subject or "").split())
    body = (body or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not subject:
        raise ValidationFailed(_("Write a subject."), field="subject")
    if len(subject) > MAX_SUBJECT:
        raise ValidationFailed(
            _("At most %(count)s characters in the subject.", count=MAX_SUBJECT), field="subject"
        )
    if not body:
        raise ValidationFailed(_("Write the message."), field="body")
    if len(body) > MAX_BODY:
        raise ValidationFailed(
            _("At most %(count)s characters in the message.", count=MAX_BODY), field="body"
        )
    return subject, body


def preview_text(audience: Audience, subject: str, body: str, reader: User) -> str:
    """The plain text of the message as ``reader`` would receive it (in their language)."""
    event, session = target_of(audience)
    return mail.organiser_message_text(
        user=reader, subject=subject, body=body, event=event, session=session
    )


def send_message(
    *,
    audience: Audience,
    subject: str,
    body: str,
    key: str,
    expected: int,
    now: datetime,
    actor: User,
) -> Sent:
    """Queue the message for everyone in the audience, one outbox message each, in one unit of
    work; audited once with the count.

    ``key`` is the preview's one-time key and ``expected`` the number of people it showed:
    AudienceChanged when the segment holds another number now, AlreadySent when this preview
    was sent before, ValidationFailed on an empty segment or text.
    """
    if not can_manage(actor):
        raise PermissionDenied(_("Only organisers can write to participants."))
    if not KEY.fullmatch(key or ""):
        raise ValidationFailed(_("Preview the message before sending it."), field="body")
    subject, body = clean_text(subject, body)
    with unit_of_work():
        event, session = target_of(audience)
        people = recipients(audience)
        if not people:
            raise ValidationFailed(_("Nobody is in this segment."), field="segment")
        if len(people) != expected:
            raise AudienceChanged(
                _n(
                    "The segment changed since the preview: it now holds %(num)d person. "
                    "Check the preview again.",
                    "The segment changed since the preview: it now holds %(num)d people. "
                    "Check the preview again.",
                    len(people),
                )
            )
        prefix = f"<message-{key}-"
        if db.session.scalar(
            select(OutboxMessage.id).where(OutboxMessage.message_id.startswith(prefix)).limit(1)
        ):
            raise AlreadySent(_("This message was sent already: see the outbox."))
        for person in people:
            mail.organiser_message(
                user=person,
                subject=subject,
                body=body,
                event=event,
                session=session,
                now=now,
                message_id=f"{prefix}{person.id}@meetingapp>",
            )
        record_audit(
            event_id=event.id,
            actor=actor,
            now=now,
            action="message sent",
            target=(session or event).title,
            detail=f"“{subject}” to {len(people)} people ({audience.segment})",
        )
        try:
            db.session.flush()
        except IntegrityError:  # the same preview sent twice at once: the index caught it
            raise AlreadySent(_("This message was sent already: see the outbox.")) from None
    return Sent(len(people), subject)
