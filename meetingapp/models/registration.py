"""Registrations for sessions, their append-only log, and in-app notifications."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetingapp.extensions import db
from meetingapp.models.event import EventSession
from meetingapp.models.user import User
from meetingapp.orm import utcnow


class RegistrationStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class Registration(db.Model):
    """A person's registration for one session; cancelled rows are kept, never deleted."""

    __tablename__ = "registrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("event_sessions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[RegistrationStatus] = mapped_column(
        Enum(
            RegistrationStatus,
            name="registration_status",
            values_callable=lambda e: [m.value for m in e],
            native_enum=False,
            length=20,
        )
    )
    # Order on the waitlist (smaller = earlier); positions 1..n are derived from it.
    waitlist_rank: Mapped[int | None] = mapped_column(Integer)
    override: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    # A waitlisted person offered a freed seat holds it until ``offer_expires_at``.
    offered_at: Mapped[datetime | None]
    offer_expires_at: Mapped[datetime | None] = mapped_column(index=True)
    # Attends a hybrid session online: holds an online seat, not one of the room's.
    online: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Said "I am still coming" when the session's organisers asked (domain.reconfirmation).
    reconfirmed_at: Mapped[datetime | None]

    session: Mapped[EventSession] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])


# One active registration per person and session, enforced by the database itself.
Index(
    "uq_registrations_active",
    Registration.session_id,
    Registration.user_id,
    unique=True,
    sqlite_where=Registration.status != RegistrationStatus.CANCELLED.value,
    postgresql_where=Registration.status != RegistrationStatus.CANCELLED.value,
)
Index("ix_registrations_session_status", Registration.session_id, Registration.status)


class RegistrationLog(db.Model):
    """Every state change of a registration: who, what, when, by whom."""

    __tablename__ = "registration_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")

    actor: Mapped[User | None] = relationship()


class Notification(db.Model):
    """A message in a user's in-app notification list."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    message: Mapped[str] = mapped_column(Text)
    # The session the message names, so its title reads in the reader's language (None for an
    # event's message, or once the session is deleted).
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("event_sessions.id", ondelete="SET NULL")
    )
    url: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    session: Mapped[EventSession | None] = relationship()
