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
from meetingapp.i18n import content

SEAT_OPENED = N_("A seat opened and it is yours: you are confirmed for “%(title)s”.")
CONFIRMED = N_("You are confirmed for “%(title)s”.")
OFFERED = N_(
    "A seat opened for “%(title)s” and is held for you: accept it on My programme before the "
    "deadline."
)
ROTATION_READY = N_("Your table rotation for “%(title)s” is ready.")
CANCELLED = N_("“%(title)s” is cancelled.")
CANCELLED_WITH_NOTE = N_("“%(title)s” is cancelled. The organisers write: %(note)s")
RESTORED = N_("“%(title)s” is on again: your registration stands.")
RECONFIRM_ASKED = N_(
    "Please reconfirm your seat for “%(title)s” on My programme: are you still coming?"
)
RECONFIRM_LAPSED = N_(
    "Your seat for “%(title)s” was released: you did not reconfirm by the deadline."
)
NOTICES = (
    RECONFIRM_ASKED,
    RECONFIRM_LAPSED,
    SEAT_OPENED,
    CONFIRMED,
    OFFERED,
    ROTATION_READY,
    CANCELLED_WITH_NOTE,
    CANCELLED,
    RESTORED,
)
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _pattern(msgid: str) -> re.Pattern:
    """The message with each placeholder a named group; the title is matched shortest-first so
    a note after it keeps the rest."""
    parts = _PLACEHOLDER.split(msgid)
    regex = "".join(
        re.escape(part)
        if i % 2 == 0
        else f"(?P<{part}>.+?)"
        if part == "title"
        else f"(?P<{part}>.+)"
        for i, part in enumerate(parts)
    )
    return re.compile(regex, re.DOTALL)


_PATTERNS = [(msgid, _pattern(msgid)) for msgid in NOTICES]


def notice(msgid: str, *, title: str, **values: str) -> str:
    """The stored (English) text of a notification."""
    return msgid % {"title": title, **values}


def cancelled_notice(title: str, note: str = "") -> str:
    """A cancellation, with the organisers' word to the people registered if they wrote one."""
    note = " ".join(note.split())
    if note:
        return notice(CANCELLED_WITH_NOTE, title=title, note=note)
    return notice(CANCELLED, title=title)


def in_reader_language(text: str, session=None) -> str:
    """A stored notification in the current interface language (the organisers' note, their own
    words, stays as written). With the session it names, its title reads in that language too
    (``i18n.content``), when the stored title is still the session's."""
    for msgid, pattern in _PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            values = match.groupdict()
            if session is not None and values.get("title") == session.title:
                values["title"] = content(session)
            return gettext(msgid, **values)
    return text
