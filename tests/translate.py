"""Expected interface text in a given language, for tests that run once per language.

    t("zh_Hans", "Round %(number)s", number=1)  # '第 1 轮'
    t("en", "Round %(number)s", number=1)  # 'Round 1'

Reads the compiled catalogue the app serves (``meetingapp/translations``), without an app.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from babel.dates import format_date
from babel.support import NullTranslations, Translations

from meetingapp.domain.capacity import ordinal as english_ordinal

TRANSLATIONS = Path(__file__).resolve().parent.parent / "meetingapp" / "translations"
LOCALES = ("en", "fr", "es", "ru", "ar", "zh_Hans")  # the six UN languages the interface speaks
# What a browser sends to be served each language (Playwright: new_context(locale=...)).
BROWSER_LOCALE = {
    "en": "en-GB",
    "fr": "fr-FR",
    "es": "es-ES",
    "ru": "ru-RU",
    "ar": "ar-EG",
    "zh_Hans": "zh-CN",
}


@cache
def _catalogue(locale: str) -> NullTranslations:
    if locale == "en":
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS), [locale])


def t(locale: str, msgid: str, **params: object) -> str:
    """``msgid`` in ``locale``, with its ``%(name)s`` placeholders filled."""
    text = _catalogue(locale).gettext(msgid)
    return text % params if params else text


def ordinal(locale: str, n: int) -> str:
    """How the interface writes a position: '3rd' in English; the bare number elsewhere."""
    return english_ordinal(n) if locale == "en" else str(n)


class Tr:
    """Interface text in one language, for a test parametrised over languages.

    tr = Tr("zh_Hans"); tr("Save my picks"); tr("Round %(number)s", number=1); tr.ordinal(1)
    """

    def __init__(self, locale: str) -> None:
        self.locale = locale

    def __call__(self, msgid: str, **params: object) -> str:
        return t(self.locale, msgid, **params)

    def plural(self, singular: str, plural: str, num: int) -> str:
        """An ngettext message with its ``%(num)d``."""
        return _catalogue(self.locale).ngettext(singular, plural, num) % {"num": num}

    def text(self, msgid: str, **params: object) -> str:
        """The message as a reader sees it on the page: its HTML tags removed."""
        return re.sub(r"<[^>]+>", "", self(msgid, **params))

    def pattern(self, msgid: str) -> re.Pattern[str]:
        """A regular expression for the message with any value in each ``%(name)s``."""
        parts = re.split(r"%\(\w+\)s", self(msgid))
        return re.compile(".+?".join(re.escape(part) for part in parts))

    def ordinal(self, n: int) -> str:
        return ordinal(self.locale, n)

    def demo_title(self, original: str) -> str:
        """A demo session's title or table's topic as the page shows it in this language: the
        demo's translation where it has one (French, ``demo/translations.py``), else the
        original."""
        from meetingapp.demo.translations import SESSION_FR, TABLE_TOPICS_FR

        if self.locale != "fr":
            return original
        return SESSION_FR.get(original, {}).get("title") or TABLE_TOPICS_FR.get(original, original)

    def date(self, day, width: str = "medium") -> str:
        """A date as the pages write it (Babel, CLDR width); English keeps '28 Oct 2024'."""
        if self.locale == "en":
            return day.strftime({"medium": "%d %b %Y", "long": "%d %B %Y"}[width])
        return format_date(day, width, locale=self.locale)

    @property
    def browser_locale(self) -> str:
        return BROWSER_LOCALE[self.locale]
