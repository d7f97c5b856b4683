"""Table picks and rotation plans of speed-networking sessions."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetingapp.extensions import db
from meetingapp.models.event import TopicTable
from meetingapp.models.user import User
from meetingapp.orm import utcnow


class TablePick(db.Model):
    """A participant's ranked choice of a topic table (rank 1 = most wanted)."""

    __tablename__ = "table_picks"
    __table_args__ = (
        UniqueConstraint("session_id", "user_id", "rank", name="uq_table_picks_rank"),
        UniqueConstraint("session_id", "user_id", "table_id", name="uq_table_picks_table"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("event_sessions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    table_id: Mapped[int] = mapped_column(ForeignKey("topic_tables.id", ondelete="CASCADE"))
    rank: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    table: Mapped[TopicTable] = relationship()


class RotationPlan(db.Model):
    """One planned rotation of a session: a draft until published; re-plans supersede it."""

    __tablename__ = "rotation_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("event_sessions.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="draft")  # draft|published|superseded
    from_round: Mapped[int] = mapped_column(Integer, default=0)
    stats_json: Mapped[str] = mapped_column(Text, default="{}")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]

    assignments: Mapped[list[RotationAssignment]] = relationship(
        cascade="all, delete-orphan",
        back_populates="plan",
        order_by="(RotationAssignment.round_number, RotationAssignment.table_id)",
    )
    created_by: Mapped[User | None] = relationship()

    @property
    def stats(self) -> dict:
        return json.loads(self.stats_json or "{}")


class RotationAssignment(db.Model):
    """Who sits at which table in which round (numbered from 0) under one plan."""

    __tablename__ = "rotation_assignments"
    __table_args__ = (
        UniqueConstraint("plan_id", "round_number", "user_id", name="uq_rotation_assignments_seat"),
        UniqueConstraint("plan_id", "user_id", "table_id", name="uq_rotation_assignments_once"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("rotation_plans.id", ondelete="CASCADE"), index=True
    )
    round_number: Mapped[int] = mapped_column(Integer)
    table_id: Mapped[int] = mapped_column(ForeignKey("topic_tables.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    pinned: Mapped[bool] = mapped_column(default=False)

    plan: Mapped[RotationPlan] = relationship(back_populates="assignments")
    table: Mapped[TopicTable] = relationship()
    user: Mapped[User] = relationship()
