"""Signed links sent by e-mail: choose a new password, confirm an address.

A link carries a payload signed with the app's secret (``itsdangerous``), a purpose salt so
that one kind of link never passes for another, and the time it was made; it is read back only
within its lifetime. Times come from the caller (``clock.now()``), so tests can freeze them.

* **Password reset** (2 hours): the user's id, the address it was sent to and a fingerprint of
  their current password hash. Setting a password changes the hash, so the link works once; a
  change of address voids it too. The fingerprint is a digest, never the hash itself: a signed
  payload is readable by whoever holds the link.
* **Address confirmation** (7 days): the user's id and the address it was sent to. It confirms
  that address only while it is still the account's address (or the new one it waits for).
* **Feedback survey** (60 days): the survey's id and the user's. It lets the person it was
  mailed to answer without logging in; their invitation (``feedback_invites``) says whether
  they still may, so it works once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer

RESET_PURPOSE = "meetingapp.password-reset"
VERIFY_PURPOSE = "meetingapp.verify-email"
FEEDBACK_PURPOSE = "meetingapp.feedback"
RESET_LIFETIME = timedelta(hours=2)
VERIFY_LIFETIME = timedelta(days=7)
FEEDBACK_LIFETIME = timedelta(days=60)


def _serializer(secret: str, purpose: str, now: datetime) -> URLSafeTimedSerializer:
    class SignerAt(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(now.timestamp())

    return URLSafeTimedSerializer(secret, salt=purpose, signer=SignerAt)


def _read(secret: str, purpose: str, token: str, now: datetime, lifetime: timedelta):
    try:
        return _serializer(secret, purpose, now).loads(token, max_age=int(lifetime.total_seconds()))
    except (BadSignature, UnicodeError, ValueError):
        return None  # altered, expired (SignatureExpired is a BadSignature) or not a token


def _read_claim(
    secret: str, purpose: str, token: str, now: datetime, lifetime: timedelta, **fields: type
) -> list | None:
    """The payload's values under ``fields`` (key=type), in that order; None when the token does
    not read (see ``_read``), is not a mapping, or a value is missing or of another type."""
    payload = _read(secret, purpose, token, now, lifetime)
    if not isinstance(payload, dict):
        return None
    values = [payload.get(key) for key in fields]
    if not all(isinstance(v, kind) for v, kind in zip(values, fields.values(), strict=True)):
        return None
    return values


def password_fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:20]


@dataclass(frozen=True)
class ResetClaim:
    user_id: int
    address: str
    fingerprint: str


def reset_token(secret: str, user_id: int, password_hash: str, address: str, now: datetime) -> str:
    payload = {"u": user_id, "e": address, "p": password_fingerprint(password_hash)}
    return _serializer(secret, RESET_PURPOSE, now).dumps(payload)


def read_reset_token(secret: str, token: str, now: datetime) -> ResetClaim | None:
    values = _read_claim(secret, RESET_PURPOSE, token, now, RESET_LIFETIME, u=int, e=str, p=str)
    return ResetClaim(*values) if values else None


@dataclass(frozen=True)
class AddressClaim:
    user_id: int
    address: str


def verify_token(secret: str, user_id: int, address: str, now: datetime) -> str:
    return _serializer(secret, VERIFY_PURPOSE, now).dumps({"u": user_id, "e": address})


def read_verify_token(secret: str, token: str, now: datetime) -> AddressClaim | None:
    values = _read_claim(secret, VERIFY_PURPOSE, token, now, VERIFY_LIFETIME, u=int, e=str)
    return AddressClaim(*values) if values else None


@dataclass(frozen=True)
class FeedbackClaim:
    survey_id: int
    user_id: int


def feedback_token(secret: str, survey_id: int, user_id: int, now: datetime) -> str:
    return _serializer(secret, FEEDBACK_PURPOSE, now).dumps({"s": survey_id, "u": user_id})


def read_feedback_token(secret: str, token: str, now: datetime) -> FeedbackClaim | None:
    values = _read_claim(secret, FEEDBACK_PURPOSE, token, now, FEEDBACK_LIFETIME, s=int, u=int)
    return FeedbackClaim(*values) if values else None
