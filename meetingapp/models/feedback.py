"""Feedback surveys: a session's questions, who was asked, and the answers.

Anonymity is kept by the shape of the data. ``FeedbackInvite`` says who was sent the survey
and whether they have answered (so nobody answers twice and the reminder skips them) and holds
no time of answering. In an anonymous survey a ``FeedbackResponse`` holds no user and no time,
and the ratings of the tables visited are not rows at all but counts per table and rating
(``FeedbackTableTally``, every cell made at once before the first count): the set of tables a
person visited is in the published rotation, so rows of them, even apart from the response,
would name the person by their neighbouring ids.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetingapp.extensions import db
from meetingapp.models.event import EventSession
from meetingapp.orm import utcnow


class FeedbackSurvey(db.Model):
    """One survey per session; anonymous unless the organiser chooses named answers."""

    __tablename__ = "feedback_surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("event_sessions.id", ondelete="CASCADE"), unique=True
    )
    anonymous: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    intro: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]  # first sent
    reminded_at: Mapped[datetime | None]

    session: Mapped[EventSession] = relationship()
    questions: Mapped[list[FeedbackQuestion]] = relationship(
        order_by="FeedbackQuestion.position", cascade="all, delete-orphan", back_populates="survey"
    )


class FeedbackQuestion(db.Model):
    __tablename__ = "feedback_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_surveys.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))  # domain.feedback.KINDS
    prompt: Mapped[str] = mapped_column(String(300))
    choices_text: Mapped[str] = mapped_column(Text, default="")  # one choice per line
    required: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    survey: Mapped[FeedbackSurvey] = relationship(back_populates="questions")

    @property
    def choices(self) -> tuple[str, ...]:
        return tuple(self.choices_text.splitlines()) if self.choices_text else ()


class FeedbackInvite(db.Model):
    """Someone checked in who was sent the survey; ``answered`` once they have (no time kept)."""

    __tablename__ = "feedback_invites"
    __table_args__ = (UniqueConstraint("survey_id", "user_id", name="uq_feedback_invites_person"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_surveys.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    sent_at: Mapped[datetime]
    reminded_at: Mapped[datetime | None]
    answered: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class FeedbackResponse(db.Model):
    """One person's answers: named (``user_id``, ``submitted_at``) or anonymous (neither)."""

    __tablename__ = "feedback_responses"
    # Named surveys: one response per person (NULLs, the anonymous ones, never collide).
    __table_args__ = (
        UniqueConstraint("survey_id", "user_id", name="uq_feedback_responses_person"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_surveys.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    submitted_at: Mapped[datetime | None]


class FeedbackAnswer(db.Model):
    """A rating (of a table, for a named survey's table ratings), one chosen option (its index)
    or a text."""

    __tablename__ = "feedback_answers"
    __table_args__ = (CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_surveys.id", ondelete="CASCADE"), index=True
    )
    response_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_responses.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_questions.id", ondelete="CASCADE"), index=True
    )
    table_id: Mapped[int | None] = mapped_column(ForeignKey("topic_tables.id", ondelete="SET NULL"))
    rating: Mapped[int | None] = mapped_column(Integer)
    choice: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str | None] = mapped_column(Text)


class FeedbackTableTally(db.Model):
    """An anonymous survey's ratings of one table: how many people gave it each rating."""

    __tablename__ = "feedback_table_tallies"
    __table_args__ = (
        UniqueConstraint(
            "question_id", "table_id", "rating", name="uq_feedback_table_tallies_cell"
        ),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
        CheckConstraint("count >= 0", name="count_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_surveys.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_questions.id", ondelete="CASCADE")
    )
    table_id: Mapped[int] = mapped_column(ForeignKey("topic_tables.id", ondelete="CASCADE"))
    rating: Mapped[int] = mapped_column(Integer)
    count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
