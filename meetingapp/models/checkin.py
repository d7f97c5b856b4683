"""Attendance as a log of check-in events: who, when, by whom, which session and round."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetingapp.extensions import db
from meetingapp.models.event import EventSession
from meetingapp.models.user import User
from meetingapp.orm import utcnow


class CheckIn(db.Model):
    """One check-in or undo. Presence is the latest action per person, session and round."""

    __tablename__ = "check_ins"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("event_sessions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    round_number: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(20))  # check_in | undo
    method: Mapped[str] = mapped_column(String(20), default="list")  # list | qr | walk_in | api
    at: Mapped[datetime] = mapped_column(default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")

    session: Mapped[EventSession] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    by: Mapped[User | None] = relationship(foreign_keys=[by_id])


Index("ix_check_ins_session_user", CheckIn.session_id, CheckIn.user_id, CheckIn.round_number)
