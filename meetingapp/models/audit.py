"""The per-event audit trail: every organiser-visible change, append-only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetingapp.extensions import db
from meetingapp.models.user import User
from meetingapp.orm import utcnow


class AuditEntry(db.Model):
    """Every organiser-visible change, per event: who did what, when. Append-only."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="SET NULL"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str] = mapped_column(String(120), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)

    actor: Mapped[User | None] = relationship()


def record_audit(
    *,
    event_id: int | None,
    actor: User | None,
    action: str,
    target: str = "",
    detail: str = "",
    now: datetime | None = None,
) -> AuditEntry:
    """Add an audit entry to the current unit of work (the use case commits it)."""
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
    return entry
