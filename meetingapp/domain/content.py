"""Content in several languages: the one home of "the text of X in language L, else the original".

An organiser types an event's, a session's or a topic table's title and description once (the
original, in whatever language they wrote it) and may add them in any of the six interface
languages. Each translatable row keeps those in a ``translations`` mapping,
``{"fr": {"title": …, "description": …}}``, holding only what was given: a reader whose language
has no text for a field reads the original.
"""

from __future__ import annotations

from collections.abc import Mapping

from meetingapp.domain.errors import ValidationFailed
from meetingapp.domain.i18n import _

# The interface's languages (meetingapp.i18n.LANGUAGES, which a test keeps equal to this).
CONTENT_LANGUAGES = ("ar", "zh_Hans", "en", "fr", "ru", "es")
CONTENT_FIELDS = ("title", "description")
MAX_LENGTHS = {"title": 300, "description": 10_000}

Translations = dict[str, dict[str, str]]


def text_in(original: str, translations: Mapping | None, locale: str | None, field: str) -> str:
    """``field`` in ``locale`` when the organiser gave it, else the original text."""
    if translations and locale:
        given = (translations.get(str(locale)) or {}).get(field) or ""
        if given.strip():
            return given
    return original


def clean_translations(
    value: object, *, max_lengths: Mapping[str, int] = MAX_LENGTHS
) -> Translations:
    """Check and tidy translations from a form or the API: known languages and fields only,
    text stripped, empty entries dropped (so they fall back to the original)."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValidationFailed(_("Translations are given per language."), field="translations")
    cleaned: Translations = {}
    for language, fields in value.items():
        if fields is None:  # the API's body names every language; null ones say nothing
            continue
        if language not in CONTENT_LANGUAGES:
            raise ValidationFailed(
                _("“%(code)s” is not one of the languages offered.", code=str(language)),
                field="translations",
            )
        if not isinstance(fields, Mapping):
            raise ValidationFailed(_("Translations are given per language."), field="translations")
        entry: dict[str, str] = {}
        for name, text in fields.items():
            if text is None:
                continue
            if name not in max_lengths:
                raise ValidationFailed(
                    _(
                        "A translation has a title and a description, not “%(name)s”.",
                        name=str(name),
                    ),
                    field="translations",
                )
            if not isinstance(text, str) or "\x00" in text:
                raise ValidationFailed(_("A translation is plain text."), field="translations")
            text = text.strip()
            if len(text) > max_lengths[name]:
                raise ValidationFailed(
                    _(
                        "A translated %(name)s is at most %(n)s characters.",
                        name=name,
                        n=max_lengths[name],
                    ),
                    field="translations",
                )
            if text:
                entry[name] = text
        if entry:
            cleaned[language] = entry
    return cleaned
