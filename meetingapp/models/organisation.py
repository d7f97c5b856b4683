"""UN entities (DESA, UNOOSA, …): an abbreviation (short name) and an official name per language.

``full_name`` is the English official name; ``names`` holds the others by locale (``fr``,
``zh_Hans``, …), as the UN writes them. Reports name entities by ``official_name(language)``, in
the order ``domain.official_report.english_order`` gives (``report_group`` first).

Organisers keep the list (``meetingapp/entities``). An entity proposed by someone signing up is
unconfirmed until an organiser confirms it or merges it into one already listed; sign-up and the
account page offer the confirmed ones (and the reader's own).

An entity's focal points (``FocalPoint``, a role an organiser gives to people of the entity)
register colleagues of that entity and see their registrations (``meetingapp/entities``, the
"My entity" page; the rule is ``domain.visibility.can_act_for``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, SmallInteger, String, func, select, text, true
from sqlalchemy.orm import Mapped, mapped_column

from meetingapp.domain.official_report import english_order, official_name
from meetingapp.extensions import db


class Organisation(db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    short_name: Mapped[str] = mapped_column(String(40), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    # False for an entity proposed at sign-up, until an organiser confirms or merges it.
    confirmed: Mapped[bool] = mapped_column(default=True, server_default=true())
    # Official names in the other five languages, {"fr": "…", "zh_Hans": "…"}; always replaced
    # whole (never mutated in place), so the ORM sees every change.
    names: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, server_default=text("'{}'"))
    # Reports list entities group by group (0 first), then by English official name.
    report_group: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")

    def __repr__(self) -> str:
        return f"<Organisation {self.short_name}>"

    @property
    def label(self) -> str:
        return f"{self.short_name} — {self.full_name}"

    def official_name(self, language: str) -> str:
        """The official name in ``language``; the English one when none is given for it."""
        return official_name(self.full_name, self.names, language)

    @property
    def report_order(self) -> tuple:
        return english_order(self.report_group or 0, self.full_name)


class FocalPoint(db.Model):
    """A person who acts for an entity's people: one row per (entity, person)."""

    __tablename__ = "focal_points"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


def focal_entities(user_id: int) -> frozenset[int]:
    """The entities ``user_id`` is a focal point of (usually none, at most a few)."""
    return frozenset(
        db.session.scalars(select(FocalPoint.organisation_id).where(FocalPoint.user_id == user_id))
    )


def all_organisations() -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).order_by(Organisation.short_name)))


def confirmed_organisations(also: int | None = None) -> list[Organisation]:
    """The entities people pick from: the confirmed ones, and ``also`` (their own) if given."""
    shown = Organisation.confirmed.is_(True)
    if also is not None:
        shown = shown | (Organisation.id == also)
    return list(
        db.session.scalars(select(Organisation).where(shown).order_by(Organisation.short_name))
    )


def organisation_by_short_name(short_name: str) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.short_name == short_name))


def organisation_named(short_name: str) -> Organisation | None:
    """The entity with this abbreviation, whatever its case ("unoosa" is UNOOSA)."""
    return db.session.scalar(
        select(Organisation).where(
            func.lower(Organisation.short_name) == short_name.strip().lower()
        )
    )
