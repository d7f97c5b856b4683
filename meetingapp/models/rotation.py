"""Table picks and rotation plans of speed-networking sessions."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
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
    """Who sits at which table in which round (numbered from 0) under one plan.

    One seat per person and round; a person who stays at one table (``SeatingNeed``) has the
    same table in every round, so (plan, user, table) is not unique: the planner keeps
    everyone else at distinct tables."""

    __tablename__ = "rotation_assignments"
    __table_args__ = (
        UniqueConstraint("plan_id", "round_number", "user_id", name="uq_rotation_assignments_seat"),
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


class SeatingNeed(db.Model):
    """Someone who keeps one table in every round of a session (mobility needs): asked by the
    participant on the picks page or marked by an organiser (``asked_by``)."""

    __tablename__ = "seating_needs"
    __table_args__ = (UniqueConstraint("session_id", "user_id", name="uq_seating_needs_person"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("event_sessions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    asked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    asked_by: Mapped[User | None] = relationship(foreign_keys=[asked_by_id])

    @property
    def asked_themselves(self) -> bool:
        return self.asked_by_id == self.user_id


class RotationPair(db.Model):
    """Two participants of a session the planner keeps apart (never at one table in a round)
    or together (at the same table in every round). Stored once, the lower user id first, so
    the database refuses a pair that is both apart and together."""

    __tablename__ = "rotation_pairs"
    __table_args__ = (
        UniqueConstraint(
            "session_id", "first_user_id", "second_user_id", name="uq_rotation_pairs_pair"
        ),
        CheckConstraint("first_user_id < second_user_id", name="ordered"),
        CheckConstraint("kind IN ('apart', 'together')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("event_sessions.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))  # apart|together
    first_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    second_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    first: Mapped[User] = relationship(foreign_keys=[first_user_id])
    second: Mapped[User] = relationship(foreign_keys=[second_user_id])
