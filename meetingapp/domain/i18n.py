"""Translatable text without Flask: the domain marks its messages, the web layer translates them.

``_("Registration opens on %(when)s UTC.", when=...)`` returns a ``Message``: a ``str`` holding the
English text, so ``str(exc)``, logs, the JSON API and tests stay English, that also remembers its
msgid and parameters, so ``meetingapp.i18n.localise`` can show it in the reader's language.
``pybabel extract`` finds these calls like any other ``_()`` (see ``babel.cfg``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class When:
    """A date or wall-clock time inside a message: ``strftime`` in English, the reader's own
    spelling elsewhere (``meetingapp.i18n.localise``)."""

    value: date | datetime
    fmt: str

    def __str__(self) -> str:
        return self.value.strftime(self.fmt)


class Message(str):
    """English text that knows its msgid and parameters (``%(name)s`` placeholders); a plural
    message also its plural msgid (``plural``), chosen by ``params["num"]``."""

    msgid: str
    params: dict[str, object]
    plural: str | None

    def __new__(cls, msgid: str, params: dict[str, object], plural: str | None = None) -> Message:
        english = plural if plural is not None and params.get("num") != 1 else msgid
        message = super().__new__(cls, english % params if params else english)
        message.msgid = msgid
        message.params = params
        message.plural = plural
        return message

    def __reduce__(self):
        return (Message, (self.msgid, self.params, self.plural))


def _(msgid: str, **params: object) -> Message:
    """Mark ``msgid`` for translation; parameters fill its ``%(name)s`` placeholders."""
    return Message(msgid, params)


def _n(singular: str, plural: str, num: int, **params: object) -> Message:
    """A message whose wording depends on a count, ``%(num)d`` in both forms: each language
    picks its own plural form (Russian three, Arabic six)."""
    return Message(singular, {"num": num, **params}, plural)


def N_(msgid: str) -> str:
    """Mark a constant for extraction only; it is translated where it is shown."""
    return msgid
