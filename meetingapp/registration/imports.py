"""Bulk import of participants (CSV or XLSX: name, email, organisation) into a session.

The whole import is one unit of work under the session's seat lock; each row runs in a savepoint,
so a refused row is reported and leaves nothing behind while the others go through.
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


@dataclass
class RowResult:
    row: int
    email: str
    outcome: str  # "registered", "waitlisted", "skipped", "rejected"
    message: str


@dataclass
class ImportReport:
    rows: list[RowResult] = field(default_factory=list)

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
    *, session_id: int, rows: list[dict[str, str]], now: datetime, actor: User
) -> ImportReport:
    """Create missing accounts and register each row; report row by row. Nothing is done twice."""
    with unit_of_work(lock_session=session_id) as unit:
        session = unit.locked(session_id)
        if session is None:
            raise NotFound(_("There is no such session."))
        report = _import_rows(session_id, rows, now, actor)
        record_audit(
            event_id=session.event_id,
            actor=actor,
            now=now,
            action="participants imported",
            target=session.title,
            detail=", ".join(
                f"{report.count(k)} {k}"
                for k in ("registered", "waitlisted", "skipped", "rejected")
            ),
        )
    return report


def _import_rows(
    session_id: int, rows: list[dict[str, str]], now: datetime, actor: User
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
        name = row.get("name", "").strip()
        org = organisations.get(row.get("organisation", "").strip().lower())
        user = user_by_email(email)
        if user is None:
            if not name:
                report.rows.append(RowResult(number, email, "rejected", _("the name is missing")))
                continue
            if org is None:
                report.rows.append(
                    RowResult(
                        number,
                        email,
                        "rejected",
                        _("unknown organisation %(name)s", name=repr(row.get("organisation"))),
                    )
                )
                continue
            user = User(
                email=email,
                name=name[:120],
                organisation=org,
                password_hash=hash_password(secrets.token_urlsafe(24)),
            )
            db.session.add(user)
            db.session.flush()
            created = True
        else:
            created = False
        if active_registration(session_id, user.id) is not None:
            report.rows.append(RowResult(number, email, "skipped", _("already registered")))
            continue
        try:
            with unit_of_work(savepoint=True):
                outcome = register_participant(
                    user=user, session_id=session_id, now=now, actor=actor, check_window=False
                )
        except DomainError as exc:
            report.rows.append(
                RowResult(number, email, "rejected", exc.args[0] if exc.args else str(exc))
            )
            continue
        account = _("new account") if created else _("existing account")
        if outcome.status == "confirmed":
            report.rows.append(
                RowResult(
                    number, email, "registered", _("confirmed (%(account)s)", account=account)
                )
            )
        else:
            report.rows.append(
                RowResult(
                    number,
                    email,
                    "waitlisted",
                    _(
                        "waitlist position %(position)s (%(account)s)",
                        position=outcome.waitlist_position,
                        account=account,
                    ),
                )
            )
    return report


def active_user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User)) or 0
