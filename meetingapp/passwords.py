"""Password hashing and checking, shared by the log-in page, the API's HTTP Basic and accounts."""

from __future__ import annotations

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from meetingapp.domain.errors import ValidationFailed
from meetingapp.domain.i18n import _
from meetingapp.models import User
from meetingapp.models.user import user_by_email

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


def password_matches(user: User, password: str) -> bool:
    return check_password_hash(user.password_hash, password)


def authenticate(email: str, password: str) -> User | None:
    """The user with these credentials, or None (same work whether or not the e-mail exists)."""
    user = user_by_email(email)
    if user is None:
        method = current_app.config["PASSWORD_HASH_METHOD"]
        if method not in _DUMMY_HASH:
            _DUMMY_HASH[method] = generate_password_hash("not-a-password", method=method)
        check_password_hash(_DUMMY_HASH[method], password)
        return None
    if not password_matches(user, password):
        return None
    return user
