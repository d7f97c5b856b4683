"""Use cases of data protection: purge what is past its retention, export a person's data,
delete one's own account.

What anonymising a person does (``anonymise_user``), whoever asks for it:

* the account row stays (its id keeps registrations, check-ins, picks and rotation seats, its
  entity keeps the counts per entity of the reports and of the official paragraph right); its
  name becomes "Anonymised participant <id>", its address ``anonymised-<id>@invalid``, its
  password, pending address and language are dropped, its calendar feed URL stops working;
* their API tokens and in-app notices are deleted; their outbox messages lose address and
  bodies, and those not sent yet are cancelled; the free-text answers of their named feedback
  are removed;
* every other text column that may have copied their name or address (the organisers' audit
  trail, registration and check-in notes, topic table hosts, other mails) has it replaced by
  the pseudonym: the audit trail is anonymised, never broken.

The purge of an expired event also removes every free-text feedback answer of its sessions
(anonymous ones included) and the check-in notes (walk-ins), and marks the event purged. A
participant is anonymised once *all* their events are past retention: someone who also comes
to a later edition keeps their account until that one expires too. Organisers' accounts are
never purged (they are staff, not participants).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Enum, String, delete, func, or_, select, update

from meetingapp.domain.errors import PermissionDenied
from meetingapp.domain.i18n import _
from meetingapp.extensions import db
from meetingapp.models import (
    ApiToken,
    CheckIn,
    EventSession,
    FeedbackAnswer,
    FeedbackResponse,
    FeedbackSurvey,
    Notification,
    OutboxMessage,
    User,
)
from meetingapp.models.audit import record_audit
from meetingapp.models.organisation import FocalPoint
from meetingapp.privacy import queries
from meetingapp.registration.service import cancel_registration
from meetingapp.uow import unit_of_work

# Columns never rewritten by the scrub: secrets and identifiers, not prose.
_NOT_SCRUBBED = {
    ("users", "password_hash"),
    ("api_tokens", "token_hash"),
    ("outbox_messages", "message_id"),
    ("live_sessions", "board_token"),
}


# Not a hash of anything: werkzeug's check refuses it for every password.
UNUSABLE_PASSWORD_HASH = "!"  # noqa: S105


def pseudonym_name(user_id: int) -> str:
    return f"Anonymised participant {user_id}"


def pseudonym_email(user_id: int) -> str:
    return f"anonymised-{user_id}@invalid"


def _text_columns():
    for table in db.metadata.sorted_tables:
        if table.name == "users":
            continue
        for column in table.columns:
            if (
                isinstance(column.type, String)
                and not isinstance(column.type, Enum)
                and (table.name, column.name) not in _NOT_SCRUBBED
            ):
                yield table, column


def _scrub(replacements: dict[str, str]) -> None:
    """Replace each old text by its pseudonym in every text column that may have copied it:
    one read per column, one UPDATE per row that changes (names are matched in Python, once,
    however many people a purge anonymises)."""
    if not replacements:
        return
    olds = sorted(replacements, key=len, reverse=True)  # "Ann Lee" before "Ann"
    pattern = re.compile("|".join(re.escape(old) for old in olds))
    for table, column in _text_columns():
        (key, *more) = table.primary_key.columns
        if more:
            continue  # no table with a composite key holds prose
        rows = db.session.execute(
            select(key, column).where(column.is_not(None), column != "")
        ).all()
        for ident, value in rows:
            new = pattern.sub(lambda m: replacements[m.group(0)], value)
            if new != value:
                db.session.execute(update(table).where(key == ident).values({column.name: new}))


def anonymise_user(user: User, *, now: datetime, scrub: bool = True) -> dict[str, str]:
    """Replace the person's name and address everywhere, keep their attendance (see above).
    Joins the caller's unit of work. With ``scrub=False`` the caller scrubs the texts later
    (the purge does it once for everyone) with the replacements returned."""
    with unit_of_work():
        old = [user.email, user.pending_email or "", user.name.strip()]
        new_name, new_email = pseudonym_name(user.id), pseudonym_email(user.id)
        db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
        db.session.execute(delete(Notification).where(Notification.user_id == user.id))
        # Nobody acts for an entity's people under a pseudonym.
        db.session.execute(delete(FocalPoint).where(FocalPoint.user_id == user.id))
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.user_id == user.id)
            .values(to_address=new_email, body_text="", body_html="", ics_body=None)
        )
        db.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.user_id == user.id,
                or_(OutboxMessage.status == "pending", OutboxMessage.status == "sending"),
            )
            .values(status="cancelled")
        )
        responses = select(FeedbackResponse.id).where(FeedbackResponse.user_id == user.id)
        db.session.execute(
            update(FeedbackAnswer)
            .where(FeedbackAnswer.response_id.in_(responses), FeedbackAnswer.text.is_not(None))
            .values(text=None)
        )
        user.name = new_name
        user.email = new_email
        user.pending_email = None
        user.password_hash = UNUSABLE_PASSWORD_HASH
        user.locale = None
        user.mail_optional = False
        user.feed_version = (user.feed_version or 0) + 1
        user.anonymised_at = now
        db.session.flush()
        replacements = {}
        for value, pseudonym in zip(old, [new_email, new_email, new_name], strict=True):
            if len(value) >= 3:  # a two-letter name would rewrite unrelated words
                replacements[value] = pseudonym
                replacements[html.escape(value)] = pseudonym
        if scrub:
            _scrub(replacements)
            db.session.expire_all()
    return replacements


# --- the purge ---------------------------------------------------------------------------------


@dataclass
class PurgeReport:
    """What the purge did, or would do (``dry_run``)."""

    dry_run: bool
    events: list[tuple[int, str]] = field(default_factory=list)
    people: int = 0
    free_texts: int = 0
    check_in_notes: int = 0


def _free_texts_of(event_id: int):
    sessions = select(EventSession.id).where(EventSession.event_id == event_id)
    surveys = select(FeedbackSurvey.id).where(FeedbackSurvey.session_id.in_(sessions))
    return FeedbackAnswer.survey_id.in_(surveys), FeedbackAnswer.text.is_not(None)


def _notes_of(event_id: int):
    sessions = select(EventSession.id).where(EventSession.event_id == event_id)
    return CheckIn.session_id.in_(sessions), CheckIn.note != ""


def _plan(now: datetime, report: PurgeReport) -> tuple[list, list[User]]:
    today = now.date()
    events = queries.events_to_purge(today)
    people = queries.participants_to_anonymise(queries.expired_event_ids(today))
    report.events = [(e.id, e.title) for e in events]
    report.people = len(people)
    for event in events:
        report.free_texts += db.session.scalar(
            select(func.count(FeedbackAnswer.id)).where(*_free_texts_of(event.id))
        )
        report.check_in_notes += db.session.scalar(
            select(func.count(CheckIn.id)).where(*_notes_of(event.id))
        )
    return events, people


def purge_expired(*, now: datetime, dry_run: bool = False) -> PurgeReport:
    """Anonymise the participants of events past their retention period (``flask data
    purge``). Counts per entity, registrations and check-ins stay for the reports. One unit
    of work; ``dry_run`` only counts what it would do and writes nothing."""
    report = PurgeReport(dry_run=dry_run)
    if dry_run:
        _plan(now, report)
        return report
    with unit_of_work():
        events, people = _plan(now, report)
        for event in events:
            db.session.execute(
                update(FeedbackAnswer).where(*_free_texts_of(event.id)).values(text=None)
            )
            db.session.execute(update(CheckIn).where(*_notes_of(event.id)).values(note=""))
            event.personal_data_purged_at = now
            record_audit(
                event_id=event.id,
                actor=None,
                now=now,
                action="personal data purged",
                target=event.title,
                detail=f"{len(people)} people anonymised in this purge",
            )
        db.session.flush()
        replacements: dict[str, str] = {}
        for user in people:
            replacements |= anonymise_user(user, now=now, scrub=False)
        _scrub(replacements)
        db.session.expire_all()
    return report


# --- one's own account -------------------------------------------------------------------------


def delete_account(*, user: User, now: datetime) -> list[int]:
    """Delete one's own account: withdraw from every session not started yet (their seats go
    to the head of each waitlist, by the registration use case), then anonymise the person;
    past attendance stays counted. Organisers cannot delete themselves. Returns the ids of the
    people promoted."""
    if user.is_organiser:
        raise PermissionDenied(
            _("An organiser's account cannot be deleted here: ask another organiser.")
        )
    promoted: list[int] = []
    with unit_of_work():
        for reg in queries.withdrawable_registrations(user.id, now):
            promoted += cancel_registration(
                user=user, session_id=reg.session_id, now=now, enforce_window=False
            )
        record_audit(
            event_id=None, actor=user, now=now, action="account deleted", target=f"user {user.id}"
        )
        anonymise_user(user, now=now)
    return promoted


# --- the export --------------------------------------------------------------------------------

# Columns that name the person a row is about; other user columns name who acted.
_SUBJECT_COLUMNS = {"user_id", "first_user_id", "second_user_id", "host_user_id"}
_SECRETS = {("users", "password_hash"), ("api_tokens", "token_hash")}


def _plain(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "value"):  # enums
        return value.value
    return value


def _rows(table, where, user_id: int, *, also_drop: tuple[str, ...] = ()) -> list[dict]:
    """The rows as plain dicts; another person's id in a user column is left out."""
    user_columns = {fk.parent.name for fk in table.foreign_keys if fk.column.table.name == "users"}
    out = []
    for row in db.session.execute(select(table).where(where).order_by(*table.primary_key)):
        item = {}
        for column in table.columns:
            if (table.name, column.name) in _SECRETS or column.name in also_drop:
                continue
            value = row._mapping[column]
            if column.name in user_columns and value not in (None, user_id):
                value = None  # someone else
            item[column.name] = _plain(value)
        out.append(item)
    return out


def export_personal_data(*, user: User, now: datetime) -> dict:
    """Everything held about the person, table by table (JSON-ready): their account, every row
    that is about them (registrations, check-ins, picks, seats, feedback, mails, notices,
    tokens without their secret…), and what they did as an actor (times and actions; the
    details that name other people are left out). The audit trail records the export."""
    with unit_of_work():
        record_audit(
            event_id=None,
            actor=user,
            now=now,
            action="personal data exported",
            target=f"user {user.id}",
        )
    tables: dict[str, list[dict]] = {}
    for table in db.metadata.sorted_tables:
        if table.name == "users":
            tables["users"] = _rows(table, table.c.id == user.id, user.id)
            continue
        user_columns = [fk.parent for fk in table.foreign_keys if fk.column.table.name == "users"]
        subject = [c for c in user_columns if c.name in _SUBJECT_COLUMNS]
        actor = [c for c in user_columns if c.name not in _SUBJECT_COLUMNS]
        if subject:
            rows = _rows(table, or_(*(c == user.id for c in subject)), user.id)
        else:
            rows = []
        if actor:
            seen = {r["id"] for r in rows if "id" in r}
            acted = _rows(
                table,
                or_(*(c == user.id for c in actor)),
                user.id,
                also_drop=("detail", "target", "note", "body_text", "body_html", "ics_body"),
            )
            rows += [r for r in acted if r.get("id") not in seen]
        if rows:
            tables[table.name] = rows
    responses = select(FeedbackResponse.id).where(FeedbackResponse.user_id == user.id)
    answers = _rows(FeedbackAnswer.__table__, FeedbackAnswer.response_id.in_(responses), user.id)
    if answers:
        tables["feedback_answers"] = answers
    return {"exported_at": now.isoformat(), "user_id": user.id, "tables": tables}
