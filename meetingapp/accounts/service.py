"""Accounts: sign-up, passwords, preferences, organisers. Each change one unit of work."""

from __future__ import annotations

from meetingapp.domain.errors import DuplicateEmail, ValidationFailed
from meetingapp.domain.i18n import _
from meetingapp.extensions import db
from meetingapp.models import Organisation, Role, User
from meetingapp.models.user import normalise_email, user_by_email
from meetingapp.passwords import check_password_rules, hash_password, password_matches
from meetingapp.uow import unit_of_work


def create_account(
    *,
    email: str,
    name: str,
    password: str,
    organisation_id: int | None,
    role: Role = Role.PARTICIPANT,
    locale: str | None = None,
) -> User:
    """Create an account; DuplicateEmail when the address (in any case) is taken."""
    email = normalise_email(email)
    name = name.strip()
    if not name:
        raise ValidationFailed(_("Enter your name."), field="name")
    check_password_rules(password)
    with unit_of_work():
        if user_by_email(email) is not None:
            raise DuplicateEmail(
                _("An account with this e-mail address already exists."), field="email"
            )
        if organisation_id is not None and db.session.get(Organisation, organisation_id) is None:
            raise ValidationFailed(_("Pick your organisation from the list."), field="organisation")
        user = User(
            email=email,
            name=name,
            organisation_id=organisation_id,
            role=role,
            password_hash=hash_password(password),
            locale=locale,
        )
        db.session.add(user)
    return user


def change_password(user: User, current: str, new: str) -> None:
    if not password_matches(user, current):
        raise ValidationFailed(_("The current password is not right."), field="current_password")
    check_password_rules(new)
    with unit_of_work():
        user.password_hash = hash_password(new)


def create_or_promote_organiser(email: str, name: str, password: str) -> tuple[User, bool]:
    """Create an organiser account, or make an existing account an organiser.

    Returns (user, created).
    """
    check_password_rules(password)
    with unit_of_work():
        existing = user_by_email(email)
        if existing is not None:
            existing.role = Role.ORGANISER
            existing.name = name.strip() or existing.name
            existing.password_hash = hash_password(password)
            return existing, False
        return create_account(
            email=email, name=name, password=password, organisation_id=None, role=Role.ORGANISER
        ), True


def set_optional_mail(user: User, wanted: bool) -> None:
    """Reminders are optional; confirmations and changes always go out."""
    with unit_of_work():
        user.mail_optional = wanted


def set_locale(user: User, locale: str) -> None:
    """Remember the interface language the user chose (mail and feeds follow it too)."""
    with unit_of_work():
        user.locale = locale
