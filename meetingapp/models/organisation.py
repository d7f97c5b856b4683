"""UN entities (DESA, UNOOSA, …): short and full names."""

from __future__ import annotations

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, mapped_column

from meetingapp.extensions import db


class Organisation(db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    short_name: Mapped[str] = mapped_column(String(40), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))

    def __repr__(self) -> str:
        return f"<Organisation {self.short_name}>"

    @property
    def label(self) -> str:
        return f"{self.short_name} — {self.full_name}"


def all_organisations() -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).order_by(Organisation.short_name)))


def organisation_by_short_name(short_name: str) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.short_name == short_name))
