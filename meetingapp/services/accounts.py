"""Accounts: sign-up, authentication, passwords, organiser creation."""

from __future__ import annotations

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from meetingapp.domain.errors import DuplicateEmail, ValidationFailed
from meetingapp.domain.i18n import _
from meetingapp.extensions import db
from meetingapp.models import Organisation, Role, User
from meetingapp.models.user import normalise_email, user_by_email

MIN_PASSWORD_LENGTH = 8
# Compared against when the e-mail is unknown, so a failed log-in takes as long either way.
_DUMMY_HASH: dict[str, str] = {}


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            _("Use at least %(count)s characters for the password.", count=MIN_PASSWORD_LENGTH),
            field="password",
        )


def create_account(
    *,
    email: str,
    name: str,
    password: str,
    organisation_id: int | None,
    role: Role = Role.PARTICIPANT,
    commit: bool = True,
    locale: str | None = None,
) -> User:
    """Create an account; DuplicateEmail when the address (in any case) is taken."""
    email = normalise_email(email)
    name = name.strip()
    if not name:
        raise ValidationFailed(_("Enter your name."), field="name")
    check_password_rules(password)
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
    if commit:
        db.session.commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user with these credentials, or None (same work whether or not the e-mail exists)."""
    user = user_by_email(email)
    if user is None:
        method = current_app.config["PASSWORD_HASH_METHOD"]
        if method not in _DUMMY_HASH:
            _DUMMY_HASH[method] = generate_password_hash("not-a-password", method=method)
        check_password_hash(_DUMMY_HASH[method], password)
        return None
    if not check_password_hash(user.password_hash, password):
        return None
    return user


def change_password(user: User, current: str, new: str) -> None:
    if not check_password_hash(user.password_hash, current):
        raise ValidationFailed(_("The current password is not right."), field="current_password")
    check_password_rules(new)
    user.password_hash = hash_password(new)
    db.session.commit()


def create_or_promote_organiser(email: str, name: str, password: str) -> tuple[User, bool]:
    """Create an organiser account, or make an existing account an organiser.

    Returns (user, created).
    """
    existing = user_by_email(email)
    if existing is not None:
        existing.role = Role.ORGANISER
        existing.name = name.strip() or existing.name
        check_password_rules(password)
        existing.password_hash = hash_password(password)
        db.session.commit()
        return existing, False
    return create_account(
        email=email, name=name, password=password, organisation_id=None, role=Role.ORGANISER
    ), True


def set_optional_mail(user: User, wanted: bool) -> None:
    """Reminders are optional; confirmations and changes always go out."""
    user.mail_optional = wanted
    db.session.commit()


def set_locale(user: User, locale: str) -> None:
    """Remember the interface language the user chose (mail and feeds follow it too)."""
    user.locale = locale
    db.session.commit()
