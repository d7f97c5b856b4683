"""An organiser registers one person by e-mail from the roster: an existing account, or a new
one created on the spot (as the import does), in one unit of work under the seat lock."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from email_validator import EmailNotValidError, validate_email

from meetingapp.domain.errors import NotFound, PermissionDenied, ValidationFailed
from meetingapp.domain.i18n import _
from meetingapp.domain.visibility import can_manage
from meetingapp.extensions import db
from meetingapp.models import Organisation, User
from meetingapp.models.audit import record_audit
from meetingapp.models.user import normalise_email, user_by_email
from meetingapp.passwords import hash_password
from meetingapp.registration.service import RegistrationOutcome, register_participant
from meetingapp.uow import unit_of_work


@dataclass(frozen=True)
class Added:
    name: str
    created: bool  # a new account was made
    outcome: RegistrationOutcome


def add_person(
    *,
    session_id: int,
    email: str,
    name: str,
    organisation_id: int | None,
    now: datetime,
    actor: User,
) -> Added:
    """Register the person with this e-mail (outside the registration window: an organiser's
    decision); create their account first when there is none, which needs a name and an entity.

    Raises ValidationFailed (with the form field), AlreadyRegistered, NotRegistrable,
    SessionCancelled, NotFound.
    """
    if not can_manage(actor):
        raise PermissionDenied(_("Only organisers can register other people."))
    try:
        address = normalise_email(
            validate_email(email.strip(), check_deliverability=False).normalized
        )
    except EmailNotValidError:
        raise ValidationFailed(_("Enter a valid e-mail address."), field="email") from None
    with unit_of_work(lock_session=session_id) as unit:
        session = unit.locked(session_id)
        if session is None:
            raise NotFound(_("There is no such session."))
        user = user_by_email(address)
        created = user is None
        if created:
            user = _new_account(address, name, organisation_id)
        outcome = register_participant(
            user=user, session_id=session_id, now=now, actor=actor, check_window=False
        )
        record_audit(
            event_id=session.event_id,
            actor=actor,
            now=now,
            action="participant added",
            target=session.title,
            detail=f"{user.email} ({'new account' if created else 'existing account'}), "
            f"{outcome.status}",
        )
    return Added(user.name, created, outcome)


def _new_account(email: str, name: str, organisation_id: int | None) -> User:
    name = " ".join(name.split())
    if not name:
        raise ValidationFailed(
            _("There is no account with this e-mail yet: give the person's name to create one."),
            field="name",
        )
    known = organisation_id is not None and 0 < organisation_id < 2**31
    organisation = db.session.get(Organisation, organisation_id) if known else None
    if organisation is None:
        raise ValidationFailed(
            _("There is no account with this e-mail yet: choose the person's entity."),
            field="organisation",
        )
    user = User(
        email=email,
        name=name[:120],
        organisation=organisation,
        # An unguessable password, as for an imported account.
        password_hash=hash_password(secrets.token_urlsafe(24)),
    )
    db.session.add(user)
    db.session.flush()
    return user
