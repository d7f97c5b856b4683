"""In-app notifications: stored in English, shown in the language of whoever reads them.

A notification is one of the messages below with its title filled in. ``in_reader_language``
recognises the message again and translates it, so a notification follows the interface language
the participant uses when reading it, including notifications written before they chose it.
Any other stored text is shown as it is.
"""

from __future__ import annotations

import re

from flask_babel import gettext

from meetingapp.domain.i18n import N_

SEAT_OPENED = N_("A seat opened and it is yours: you are confirmed for “%(title)s”.")
CONFIRMED = N_("You are confirmed for “%(title)s”.")
ROTATION_READY = N_("Your table rotation for “%(title)s” is ready.")
CANCELLED = N_("“%(title)s” is cancelled.")
NOTICES = (SEAT_OPENED, CONFIRMED, ROTATION_READY, CANCELLED)

_PATTERNS = [
    (msgid, re.compile(re.escape(msgid).replace(re.escape("%(title)s"), "(?P<title>.+)")))
    for msgid in NOTICES
]


def notice(msgid: str, *, title: str) -> str:
    """The stored (English) text of a notification."""
    return msgid % {"title": title}


def in_reader_language(text: str) -> str:
    """A stored notification in the current interface language."""
    for msgid, pattern in _PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            return gettext(msgid, title=match["title"])
    return text
