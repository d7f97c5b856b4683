"""Expected interface text in a given language, for tests that run once per language.

    t("zh_Hans", "Round %(number)s", number=1)  # '第 1 轮'
    t("en", "Round %(number)s", number=1)  # 'Round 1'

Reads the compiled catalogue the app serves (``meetingapp/translations``), without an app.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.support import NullTranslations, Translations

TRANSLATIONS = Path(__file__).resolve().parent.parent / "meetingapp" / "translations"
LOCALES = ("en", "zh_Hans")
# What a browser sends to be served each language (Playwright: new_context(locale=...)).
BROWSER_LOCALE = {"en": "en-GB", "zh_Hans": "zh-CN"}


@cache
def _catalogue(locale: str) -> NullTranslations:
    if locale == "en":
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS), [locale])


def t(locale: str, msgid: str, **params: object) -> str:
    """``msgid`` in ``locale``, with its ``%(name)s`` placeholders filled."""
    text = _catalogue(locale).gettext(msgid)
    return text % params if params else text
