"""Named reads of the outbox."""

from __future__ import annotations

from sqlalchemy import select

from meetingapp.extensions import db
from meetingapp.models import OutboxMessage


def outbox_page(limit: int = 200) -> list[OutboxMessage]:
    return list(
        db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit))
    )
