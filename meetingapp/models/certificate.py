"""Certificates of attendance: a session's template (the organiser's words, per language) and
the certificates issued from it, each with a public verification code."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetingapp.extensions import db
from meetingapp.models.event import EventSession
from meetingapp.models.user import User
from meetingapp.orm import utcnow


class CertificateTemplate(db.Model):
    """At most one per session (a training day's parts are certified through their day)."""

    __tablename__ = "certificate_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("event_sessions.id", ondelete="CASCADE"), unique=True
    )
    enabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    signatory_name: Mapped[str] = mapped_column(String(200), default="")
    signatory_title: Mapped[str] = mapped_column(String(200), default="")
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)  # PNG or JPEG, at most 512 KiB
    logo_type: Mapped[str] = mapped_column(String(20), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    session: Mapped[EventSession] = relationship()
    texts: Mapped[list[CertificateText]] = relationship(
        cascade="all, delete-orphan", back_populates="template", order_by="CertificateText.locale"
    )

    def text_for(self, locale: str) -> CertificateText | None:
        """The organiser's words in ``locale``, else in English, else none."""
        by_locale = {t.locale: t for t in self.texts}
        return by_locale.get(locale) or by_locale.get("en")


class CertificateText(db.Model):
    """The title and the text (with placeholders) of a template in one language."""

    __tablename__ = "certificate_texts"
    __table_args__ = (
        UniqueConstraint("template_id", "locale", name="uq_certificate_texts_locale"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(
        ForeignKey("certificate_templates.id", ondelete="CASCADE")
    )
    locale: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text, default="")

    template: Mapped[CertificateTemplate] = relationship(back_populates="texts")


class Certificate(db.Model):
    """One person's certificate for one session; revoked, never deleted (the code stays
    answerable on the verification page)."""

    __tablename__ = "certificates"
    __table_args__ = (UniqueConstraint("session_id", "user_id", name="uq_certificates_person"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("event_sessions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    mailed_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    session: Mapped[EventSession] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
