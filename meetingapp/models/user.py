"""Accounts: organisers and participants."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Enum, ForeignKey, Index, Integer, String, func, select, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetingapp.extensions import db
from meetingapp.models.organisation import Organisation
from meetingapp.orm import utcnow


class Role(enum.StrEnum):
    ORGANISER = "organiser"
    PARTICIPANT = "participant"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(120))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    role: Mapped[Role] = mapped_column(
        Enum(
            Role,
            name="user_role",
            values_callable=lambda e: [m.value for m in e],
            native_enum=False,
            length=20,
        ),
        default=Role.PARTICIPANT,
    )
    password_hash: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Bumped to invalidate the secret calendar-feed URL (the token is an HMAC over it).
    feed_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Reminders and rotation news are optional; confirmations and changes always go out.
    mail_optional: Mapped[bool] = mapped_column(default=True, server_default=true())
    # The interface language the user chose (a key of i18n.LANGUAGES); None follows the browser.
    locale: Mapped[str | None] = mapped_column(String(16))
    # False only for an account someone signed up for themselves while the app can send mail,
    # until they open the link mailed to the address; accounts that organisers create (imports,
    # walk-ins, `users create-organiser`, the demo) and those from before are trusted.
    email_verified: Mapped[bool] = mapped_column(default=True, server_default=true())
    # A new address the user asked for on their account page: it replaces ``email`` once they
    # open the link mailed to it; until then the old address stays.
    pending_email: Mapped[str | None] = mapped_column(String(254))
    # Set when the person's name and address were replaced (their own deletion, or the purge
    # after their last event's retention): the row stays so attendance counts per entity hold.
    anonymised_at: Mapped[datetime | None]

    organisation: Mapped[Organisation | None] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<User {self.email}>"

    @property
    def is_organiser(self) -> bool:
        return self.role == Role.ORGANISER

    @property
    def organisation_label(self) -> str:
        return self.organisation.short_name if self.organisation else ""


# E-mail addresses are unique whatever their case (and we store them lower-cased too).
Index("uq_users_email_lower", func.lower(User.email), unique=True)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))
