"""The ``translations`` column of events, sessions and topic tables (domain/content.py)."""

from __future__ import annotations

from sqlalchemy import JSON, text
from sqlalchemy.orm import Mapped, mapped_column

from meetingapp.domain.content import Translations, text_in


def translations_column() -> Mapped[Translations]:
    # Always replaced whole (never mutated in place), so the ORM sees every change.
    return mapped_column(JSON, default=dict, server_default=text("'{}'"))


class Translatable:
    """A row whose title and description an organiser may give in other languages."""

    # The attribute holding each field's original text (a topic table's title is its topic).
    ORIGINALS = {"title": "title", "description": "description"}

    def text_in(self, field: str, locale: str | None) -> str:
        """``field`` in ``locale``, else the original (``domain.content.text_in``)."""
        return text_in(getattr(self, self.ORIGINALS[field], ""), self.translations, locale, field)
