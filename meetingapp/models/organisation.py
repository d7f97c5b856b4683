"""UN entities (DESA, UNOOSA, …): an abbreviation (short name) and a full name.

Organisers keep the list (``meetingapp/entities``). An entity proposed by someone signing up is
unconfirmed until an organiser confirms it or merges it into one already listed; sign-up and the
account page offer the confirmed ones (and the reader's own).
"""

from __future__ import annotations

from sqlalchemy import String, func, select, true
from sqlalchemy.orm import Mapped, mapped_column

from meetingapp.extensions import db


class Organisation(db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    short_name: Mapped[str] = mapped_column(String(40), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    # False for an entity proposed at sign-up, until an organiser confirms or merges it.
    confirmed: Mapped[bool] = mapped_column(default=True, server_default=true())

    def __repr__(self) -> str:
        return f"<Organisation {self.short_name}>"

    @property
    def label(self) -> str:
        return f"{self.short_name} — {self.full_name}"


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
