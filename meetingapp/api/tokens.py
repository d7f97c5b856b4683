"""Bearer tokens for the JSON API: issue, authenticate, list, revoke.

A token is shown to its owner once, when issued; only its SHA-256 is stored, so a copy of the
database does not hand out working tokens. A token acts with its owner's current role.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import joinedload

from meetingapp.domain.errors import NotFound, ValidationFailed
from meetingapp.domain.i18n import _
from meetingapp.extensions import db
from meetingapp.models import ApiToken, User
from meetingapp.uow import unit_of_work

# Writing last_used_at on every request would turn each read into a write; a minute is precise
# enough to tell a token in use from a forgotten one.
TOUCH_INTERVAL = timedelta(minutes=1)
# ... and the uses noted in between are written together, at most this often per process.
WRITE_INTERVAL = timedelta(seconds=10)
MAX_NAME_LENGTH = 100
MAX_ACTIVE_TOKENS = 50
# token_urlsafe(32) gives 43 characters; anything much longer is not one of ours.
MAX_TOKEN_LENGTH = 200


@dataclass(frozen=True)
class IssuedToken:
    """The secret (shown once) and the stored record."""

    secret: str
    record: ApiToken


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def active_token_count(user_id: int) -> int:
    return (
        db.session.scalar(
            select(db.func.count())
            .select_from(ApiToken)
            .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        )
        or 0
    )


def issue_token(*, user: User, name: str, now: datetime) -> IssuedToken:
    """Create a token for ``user``; the secret is returned here and never again."""
    name = name.strip()
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationFailed(
            _("Keep the token's name under %(count)s characters.", count=MAX_NAME_LENGTH),
            field="name",
        )
    if active_token_count(user.id) >= MAX_ACTIVE_TOKENS:
        raise ValidationFailed(
            _(
                "You already have %(count)s active tokens; revoke some you no longer use first.",
                count=MAX_ACTIVE_TOKENS,
            ),
            field="name",
        )
    secret = secrets.token_urlsafe(32)
    with unit_of_work():
        record = ApiToken(
            user_id=user.id, token_hash=hash_token(secret), name=name or "API token", created_at=now
        )
        db.session.add(record)
    return IssuedToken(secret, record)


# Built once (every API request asks it); the caller comes with the token: one query, not two.
_BY_HASH = (
    select(ApiToken)
    .where(ApiToken.token_hash == bindparam("token_hash"))
    .options(joinedload(ApiToken.user))
)


def token_by_secret(secret: str) -> ApiToken | None:
    return db.session.scalar(_BY_HASH, {"token_hash": hash_token(secret)})


def authenticate_token(secret: str, now: datetime) -> User | None:
    """The owner of an active token, or None; notes when the token was last used."""
    if not secret or len(secret) > MAX_TOKEN_LENGTH:
        return None
    token = token_by_secret(secret)
    if token is None or token.revoked_at is not None:
        return None
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_INTERVAL:
        _note_use(token.id, now)
    return token.user


class _Uses:
    """The uses this process noted and has not written yet (per app: tests build many)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pending: dict[int, datetime] = {}
        self.written_at: datetime | None = None


def _note_use(token_id: int, now: datetime) -> None:
    """Note the use; write the noted uses at most once per WRITE_INTERVAL per process, in one
    short unit (the first use at once). A request that uses a token then never waits for its
    own bookkeeping write, and a burst of requests costs one write, not one each."""
    uses = current_app.extensions.setdefault("meetingapp.token_uses", _Uses())
    with uses.lock:
        uses.pending[token_id] = now
        if uses.written_at is not None and now - uses.written_at < WRITE_INTERVAL:
            return
        due, uses.pending, uses.written_at = uses.pending, {}, now
    _touch(due)


def _touch(due: dict[int, datetime]) -> None:
    """Conditional UPDATEs, so several processes noting the same token write at most once per
    interval and never wait on each other's reads."""
    with unit_of_work():
        for token_id, at in sorted(due.items()):
            db.session.execute(
                update(ApiToken)
                .where(
                    ApiToken.id == token_id,
                    (ApiToken.last_used_at.is_(None))
                    | (ApiToken.last_used_at <= at - TOUCH_INTERVAL),
                )
                .values(last_used_at=at)
                .execution_options(synchronize_session=False)
            )


def tokens_of(user_id: int) -> list[ApiToken]:
    """The user's tokens, active first, newest first."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user_id)
            .order_by(
                ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc()
            )
        )
    )


def revoke_token(*, user: User, token_id: int, now: datetime) -> ApiToken:
    """Revoke one of the user's own tokens (revoking twice is harmless)."""
    with unit_of_work():
        token = db.session.get(ApiToken, token_id)
        if token is None or token.user_id != user.id:
            raise NotFound(_("There is no such token."))
        if token.revoked_at is None:
            token.revoked_at = now
    return token
