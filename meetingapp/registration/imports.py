"""Bulk import of participants (CSV or XLSX: name, email, organisation) into a session.

The whole import is one unit of work under the session's seat lock; each row runs in a savepoint,
so a refused row is reported and leaves nothing behind while the others go through.

An organisation the list does not know rejects the row, unless the organiser asks to create the
missing entities: then the first row naming it creates it (its abbreviation as written, its full
name from an optional ``organisation_name`` column) and the row report says "new entity …".
"""

from __future__ import annotations

import csv
import io
import secrets
from dataclasses import dataclass, field
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from meetingapp.domain.errors import DomainError, NotFound, ValidationFailed
from meetingapp.domain.i18n import _
from meetingapp.entities.service import SHORT_NAME_LENGTH, add_entity
from meetingapp.extensions import db
from meetingapp.models import Organisation, User
from meetingapp.models.audit import record_audit
from meetingapp.models.user import normalise_email, user_by_email
from meetingapp.passwords import hash_password
from meetingapp.registration.queries import active_registration
from meetingapp.registration.service import register_participant
from meetingapp.uow import unit_of_work

MAX_ROWS = 5000
MAX_UNPACKED_BYTES = 20 * 1024 * 1024
REQUIRED = ("name", "email", "organisation")
FULL_NAME_COLUMN = "organisation_name"  # optional: the full name of an entity to create


@dataclass
class RowResult:
    row: int
    email: str
    outcome: str  # "registered", "waitlisted", "skipped", "rejected"
    message: str


@dataclass
class ImportReport:
    rows: list[RowResult] = field(default_factory=list)
    new_entities: list[str] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.rows if r.outcome == outcome)


def read_rows(filename: str, data: bytes) -> list[dict[str, str]]:
    """Parse the upload into dicts with lower-cased headers; ValidationFailed on a bad file."""
    name = filename.lower()
    if name.endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationFailed(_("The CSV file is not UTF-8 text."), field="file") from None
        try:
            if "\x00" in text:
                raise csv.Error("NUL")
            table = list(csv.reader(io.StringIO(text)))
        except csv.Error:
            raise ValidationFailed(_("The CSV file cannot be read."), field="file") from None
    elif name.endswith(".xlsx"):
        import zipfile

        from openpyxl import load_workbook

        try:
            # A small upload can unpack to gigabytes: refuse before parsing anything.
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if sum(member.file_size for member in archive.infolist()) > MAX_UNPACKED_BYTES:
                    raise ValidationFailed(_("The XLSX file cannot be read."), field="file")
            # openpyxl parses with defusedxml (installed), so entity tricks fail safely.
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            sheet = workbook.worksheets[0]
            table = [
                ["" if c is None else str(c) for c in row]
                for row in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 1)
            ]
            workbook.close()
        except ValidationFailed:
            raise
        except Exception:  # noqa: BLE001 - any parser failure of an untrusted file is "unreadable"
            raise ValidationFailed(_("The XLSX file cannot be read."), field="file") from None
    else:
        raise ValidationFailed(_("Only CSV or XLSX files."), field="file")
    if not table:
        raise ValidationFailed(_("The file is empty."), field="file")
    header = [h.strip().lower() for h in table[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ValidationFailed(
            _(
                "The first row must name the columns %(columns)s; missing: %(missing)s.",
                columns=", ".join(REQUIRED),
                missing=", ".join(missing),
            ),
            field="file",
        )
    if len(table) - 1 > MAX_ROWS:
        raise ValidationFailed(
            _("At most %(count)s rows per import.", count=MAX_ROWS), field="file"
        )
    return [
        {
            h: (row[i].strip() if i < len(row) and row[i] is not None else "")
            for i, h in enumerate(header)
        }
        for row in table[1:]
    ]


def import_participants(
    *,
    session_id: int,
    rows: list[dict[str, str]],
    now: datetime,
    actor: User,
    create_entities: bool = False,
) -> ImportReport:
    """Create missing accounts and register each row; report row by row. Nothing is done twice.

    ``create_entities``: an unknown organisation becomes a new entity instead of rejecting the
    row that names it.
    """
    with unit_of_work(lock_session=session_id) as unit:
        session = unit.locked(session_id)
        if session is None:
            raise NotFound(_("There is no such session."))
        report = _import_rows(session_id, rows, now, actor, create_entities)
        detail = ", ".join(
            f"{report.count(k)} {k}" for k in ("registered", "waitlisted", "skipped", "rejected")
        )
        if report.new_entities:
            detail += "; new entities: " + ", ".join(report.new_entities)
        record_audit(
            event_id=session.event_id,
            actor=actor,
            now=now,
            action="participants imported",
            target=session.title,
            detail=detail,
        )
    return report


class _RowRefused(DomainError):
    """A row that leaves nothing behind (its savepoint rolls back) and is reported as it says."""

    def __init__(self, outcome: str, message: str) -> None:
        super().__init__(message)
        self.outcome = outcome


def _new_entity(row: dict[str, str], actor: User, now: datetime) -> Organisation:
    short = " ".join(row.get("organisation", "").split())
    if len(short) > SHORT_NAME_LENGTH:
        raise _RowRefused(
            "rejected",
            _(
                "unknown organisation, and too long for an abbreviation (at most %(count)s "
                "characters)",
                count=SHORT_NAME_LENGTH,
            ),
        )
    full = " ".join(row.get(FULL_NAME_COLUMN, "").split())[:200] or short
    return add_entity(short_name=short, full_name=full, actor=actor, now=now)


def _import_rows(
    session_id: int,
    rows: list[dict[str, str]],
    now: datetime,
    actor: User,
    create_entities: bool = False,
) -> ImportReport:
    organisations = {o.short_name.lower(): o for o in db.session.scalars(select(Organisation))}
    organisations.update({o.full_name.lower(): o for o in organisations.values()})
    report = ImportReport()
    seen: set[str] = set()
    for number, row in enumerate(rows, start=2):
        raw_email = row.get("email", "")
        if not any(row.values()):
            continue
        try:
            email = validate_email(raw_email, check_deliverability=False).normalized
        except EmailNotValidError:
            report.rows.append(
                RowResult(number, raw_email, "rejected", _("not a valid e-mail address"))
            )
            continue
        email = normalise_email(email)
        if email in seen:
            report.rows.append(
                RowResult(number, email, "skipped", _("appears earlier in the file"))
            )
            continue
        seen.add(email)
        try:
            with unit_of_work(savepoint=True):
                result, entity = _import_row(
                    number, email, row, organisations, session_id, now, actor, create_entities
                )
        except _RowRefused as exc:
            report.rows.append(RowResult(number, email, exc.outcome, exc.args[0]))
            continue
        except DomainError as exc:
            report.rows.append(
                RowResult(number, email, "rejected", exc.args[0] if exc.args else str(exc))
            )
            continue
        if entity is not None:  # kept: later rows naming it find it
            organisations.setdefault(entity.short_name.lower(), entity)
            organisations.setdefault(entity.full_name.lower(), entity)
            report.new_entities.append(entity.short_name)
        report.rows.append(result)
    return report


def _import_row(
    number: int,
    email: str,
    row: dict[str, str],
    organisations: dict[str, Organisation],
    session_id: int,
    now: datetime,
    actor: User,
    create_entities: bool,
) -> tuple[RowResult, Organisation | None]:
    """One row, in its own savepoint: the account (and its new entity), then the registration."""
    name = row.get("name", "").strip()
    written = row.get("organisation", "").strip()
    org = organisations.get(written.lower())
    entity = None
    user = user_by_email(email)
    created = user is None
    if user is None:
        if not name:
            raise _RowRefused("rejected", _("the name is missing"))
        if org is None:
            if not (create_entities and written):
                raise _RowRefused(
                    "rejected",
                    _("unknown organisation %(name)s", name=repr(row.get("organisation"))),
                )
            org = entity = _new_entity(row, actor, now)
        user = User(
            email=email,
            name=name[:120],
            organisation=org,
            password_hash=hash_password(secrets.token_urlsafe(24)),
        )
        db.session.add(user)
        db.session.flush()
    elif active_registration(session_id, user.id) is not None:
        raise _RowRefused("skipped", _("already registered"))
    outcome = register_participant(
        user=user, session_id=session_id, now=now, actor=actor, check_window=False
    )
    if entity is not None:
        account = _("new account, new entity %(entity)s", entity=entity.short_name)
    else:
        account = _("new account") if created else _("existing account")
    if outcome.status == "confirmed":
        message = _("confirmed (%(account)s)", account=account)
        return RowResult(number, email, "registered", message), entity
    message = _(
        "waitlist position %(position)s (%(account)s)",
        position=outcome.waitlist_position,
        account=account,
    )
    return RowResult(number, email, "waitlisted", message), entity


def active_user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User)) or 0
