"""The interface language: choosing it, translating domain messages, spelling dates per locale.

Content (titles, topics, descriptions, names) stays in the language organisers typed; only the
interface is translated. The locale is the user's stored choice, else the choice a visitor made in
this browser (kept in the session), else the best match for Accept-Language, else English.
Times are always shown in the event's zone (``domain.timezones``); Babel only spells the date the
way the locale writes it. English output is exactly what it was before translation existed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime

from babel import Locale
from babel.dates import format_date, format_skeleton
from flask import Flask, g, has_request_context, request, session
from flask_babel import Babel, force_locale, get_locale, get_translations, gettext, refresh
from flask_login import current_user
from markupsafe import Markup

from meetingapp.domain.capacity import ordinal as english_ordinal
from meetingapp.domain.content import text_in
from meetingapp.domain.i18n import Message, When

DEFAULT_LOCALE = "en"
# The offered languages, each under its own name: the switcher shows them untranslated.
# The six official languages of the United Nations, in the UN's order (English alphabetical).
LANGUAGES = {
    "ar": "العربية",
    "zh_Hans": "中文",
    "en": "English",
    "fr": "Français",
    "ru": "Русский",
    "es": "Español",
}
# Accept-Language primary tags → our locales (zh-TW readers get Simplified rather than English).
_PRIMARY = {"ar": "ar", "zh": "zh_Hans", "en": "en", "fr": "fr", "ru": "ru", "es": "es"}
SESSION_KEY = "locale"

babel = Babel()


def _from_accept_language() -> str:
    for tag, _quality in request.accept_languages:
        primary = tag.replace("_", "-").split("-")[0].lower()
        if primary in _PRIMARY:
            return _PRIMARY[primary]
    return DEFAULT_LOCALE


def select_locale() -> str:
    """The user's stored choice → the visitor's choice → Accept-Language → English."""
    if not has_request_context():
        return DEFAULT_LOCALE
    if current_user.is_authenticated and getattr(current_user, "locale", None) in LANGUAGES:
        return current_user.locale
    chosen = session.get(SESSION_KEY)
    if chosen in LANGUAGES:
        return chosen
    return _from_accept_language()


def user_locale(user) -> str:
    """The language to write to ``user`` in (mail, notifications, calendar feeds)."""
    chosen = getattr(user, "locale", None)
    return chosen if chosen in LANGUAGES else DEFAULT_LOCALE


@contextmanager
def language_of(user) -> Iterator[None]:
    """Compose text for ``user`` in their language, whoever's request this is."""
    with force_locale(user_locale(user)):
        yield


def content(obj, field: str = "title") -> str:
    """An event's, session's or topic table's ``field`` in the reader's language, else the
    original (``domain.content.text_in``); templates write ``session|content``."""
    locale = get_locale()
    return obj.text_in(field, str(locale) if locale else None)


def content_of(original: str, translations, field: str = "title") -> str:
    """``content`` for text already read from a row: its original and its translations."""
    locale = get_locale()
    return text_in(original, translations, str(locale) if locale else None, field)


def bdi(text: object) -> Markup:
    """Text typed in any language, isolated (``<bdi>``, its direction its own) so that an
    English title keeps its punctuation in place on an Arabic page and an Arabic one on an
    English page; for element content only (not attributes or ``<title>``)."""
    return Markup("<bdi>%s</bdi>") % text


def is_english() -> bool:
    locale = get_locale()
    return locale is None or locale.language == "en"


def localise(message: object) -> str:
    """A domain ``Message`` (or an exception carrying one) in the current language."""
    if isinstance(message, BaseException):
        message = message.args[0] if message.args else ""
    if not isinstance(message, Message):
        return str(message)
    if message.plural is not None:
        num = message.params.get("num", 0)
        text = get_translations().ngettext(message.msgid, message.plural, num)
    else:
        text = gettext(message.msgid)
    if not message.params:
        return text
    return text % {k: _localise_param(v) for k, v in message.params.items()}


def _localise_param(value: object) -> object:
    if isinstance(value, Message):
        return localise(value)
    if isinstance(value, When):
        return format_local(value.value, value.fmt)
    return value


def ordinal(n: int) -> str:
    """'3rd' in English; other languages put the number into the sentence ('第3位')."""
    return english_ordinal(n) if is_english() else str(n)


# strftime patterns used by the templates → the date part as the locale writes it
# (a CLDR width or skeleton); the time stays 24-hour HH:MM everywhere.
_DATE_STYLES = {
    "%A %d %B %Y, %H:%M": "full",
    "%d %B %Y, %H:%M": "long",
    "%d %B %Y %H:%M": "long",
    "%d %b %Y %H:%M": "medium",
    "%d %b %H:%M": "MMMd",
    "%d %B %Y": "long",
    "%d %b %Y": "medium",
}


def _spell_date(day: date, style: str, locale: Locale) -> str:
    if style in ("full", "long", "medium", "short"):
        return format_date(day, style, locale=locale)
    return format_skeleton(style, datetime.combine(day, datetime.min.time()), locale=locale)


def format_local(local: date | datetime, fmt: str) -> str:
    """A date, or a wall-clock time already in the event's zone, for the current locale."""
    style = _DATE_STYLES.get(fmt)
    if style is None or is_english():
        return local.strftime(fmt)
    day = local.date() if isinstance(local, datetime) else local
    text = _spell_date(day, style, get_locale())
    return f"{text} {local:%H:%M}" if "%H" in fmt and isinstance(local, datetime) else text


def long_date(day: date, *, weekday: bool = True) -> str:
    """'Wednesday 20 November 2024' · '2024年11月20日星期三'; without the weekday, as reports
    write dates: '20 November 2024' · '2024年11月20日'."""
    if is_english():
        return f"{day:%A} {day.day} {day:%B %Y}" if weekday else f"{day.day} {day:%B %Y}"
    return format_date(day, "full" if weekday else "long", locale=get_locale())


def html_lang() -> str:
    """The BCP 47 tag for <html lang>: 'en', 'zh-Hans'."""
    locale = get_locale()
    return str(locale).replace("_", "-") if locale else DEFAULT_LOCALE


def text_direction() -> str:
    """'rtl' for Arabic and the other right-to-left languages, else 'ltr'."""
    locale = get_locale()
    return "rtl" if locale and locale.character_order == "right-to-left" else "ltr"


def _request_translations():
    """The translations of the current locale, looked up once per request and locale.

    Flask-Babel finds them anew on every call (context, domain, ``str(locale)``, cache key):
    a programme of 500 sessions calls gettext thousands of times. Here they are kept beside the
    locale object they belong to; ``force_locale`` (mail in the recipient's language) and each
    new request set another locale object, so the pair is looked up again.
    """
    ctx = g.get("_flask_babel")
    if ctx is None:
        return get_translations()
    locale = getattr(ctx, "babel_locale", None) or get_locale()
    kept = getattr(ctx, "meetingapp_translations", None)
    if kept is not None and kept[0] is locale:
        return kept[1]
    translations = get_translations()
    ctx.meetingapp_translations = (getattr(ctx, "babel_locale", None), translations)
    return translations


def init_i18n(app: Flask) -> None:
    from meetingapp.extensions import login_manager

    babel.init_app(app, locale_selector=select_locale)
    # Templates translate through the per-request lookup above (same strings, same catalogue).
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _request_translations().ugettext(s),
        ngettext=lambda s, p, n: _request_translations().ungettext(s, p, n),
        pgettext=lambda c, s: _request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _request_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    # Tests keep one app context across requests: never reuse the previous request's locale.
    app.before_request(refresh)
    login_manager.localize_callback = gettext
    app.jinja_env.globals.update(ordinal=ordinal, localise=localise, languages=LANGUAGES)
    app.jinja_env.filters["content"] = content
    app.jinja_env.filters["bdi"] = bdi

    @app.after_request
    def vary_on_language(response):
        if response.mimetype == "text/html":  # pages follow Accept-Language: tell caches
            response.vary.add("Accept-Language")
        return response

    @app.context_processor
    def language_context() -> dict:
        return {
            "html_lang": html_lang(),
            "text_direction": text_direction(),
            "current_locale": str(get_locale() or DEFAULT_LOCALE),
        }
