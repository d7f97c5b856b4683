"""The live state of a speed-networking session on the day, and the people marked absent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetingapp.domain import live as rules
from meetingapp.extensions import db
from meetingapp.models.event import EventSession
from meetingapp.models.user import User
from meetingapp.orm import utcnow


class LiveSession(db.Model):
    """The room's clock: one row per session once its live page has been opened.

    ``version`` grows with every change, the organiser's actions and the phases that run out
    alike; streams on every server send it as the event id.
    """

    __tablename__ = "live_sessions"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("event_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    state: Mapped[str] = mapped_column(String(20), default=rules.WAITING)
    round_number: Mapped[int | None] = mapped_column(Integer)
    phase_ends_at: Mapped[datetime | None]
    paused_phase: Mapped[str | None] = mapped_column(String(20))
    remaining_seconds: Mapped[float | None] = mapped_column(Float)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The secret in the room board's link (the projector needs no log-in).
    board_token: Mapped[str] = mapped_column(String(64), unique=True)
    board_locale: Mapped[str | None] = mapped_column(String(16))
    started_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    session: Mapped[EventSession] = relationship()

    def to_state(self) -> rules.LiveState:
        return rules.LiveState(
            self.state,
            self.round_number,
            self.phase_ends_at,
            self.paused_phase,
            self.remaining_seconds,
        )

    def set_state(self, state: rules.LiveState) -> None:
        self.state = state.state
        self.round_number = state.round
        self.phase_ends_at = state.phase_ends_at
        self.paused_phase = state.paused_phase
        self.remaining_seconds = state.remaining_seconds


class LiveAbsence(db.Model):
    """Someone marked absent from a round on: a re-plan leaves them out of the rounds after."""

    __tablename__ = "live_absences"
    __table_args__ = (UniqueConstraint("session_id", "user_id", name="uq_live_absences_person"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("event_sessions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    round_number: Mapped[int] = mapped_column(Integer)
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
