"""The per-event audit trail: every organiser-visible change, append-only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from meetingapp.extensions import db
from meetingapp.models import AuditEntry, User


def record(
    *,
    event_id: int | None,
    actor: User | None,
    action: str,
    target: str = "",
    detail: str = "",
    now: datetime | None = None,
) -> None:
    """Add an audit entry to the current unit of work; the calling service commits it."""
    entry = AuditEntry(
        event_id=event_id,
        actor_id=actor.id if actor is not None else None,
        action=action,
        target=target[:120],
        detail=detail,
    )
    if now is not None:
        entry.at = now
    db.session.add(entry)


def trail_for_event(event_id: int, limit: int = 500) -> list[AuditEntry]:
    stmt = (
        select(AuditEntry)
        .where(AuditEntry.event_id == event_id)
        .options(selectinload(AuditEntry.actor))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))
