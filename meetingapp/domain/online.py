"""Hybrid sessions' online link: what an organiser may enter. Pure Python, no I/O."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from meetingapp.domain.errors import ValidationFailed
from meetingapp.domain.i18n import _

MAX_URL_LENGTH = 500
# What a URI cannot hold unencoded (RFC 3986), so a calendar's URL and CONFERENCE stay valid.
_FORBIDDEN = re.compile(r"[\s\x00-\x1f\x7f\"<>\\^`{|}]")


def clean_online_url(url: str | None) -> str | None:
    """The link as stored (None when empty); only an absolute http or https URL with a host."""
    url = (url or "").strip()
    if not url:
        return None
    try:
        parts = urlsplit(url)
        valid = parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:  # e.g. a malformed IPv6 host or port
        valid = False
    if not valid or _FORBIDDEN.search(url) or len(url) > MAX_URL_LENGTH:
        raise ValidationFailed(
            _(
                "The online link must be a web address starting with https:// or http:// "
                "(at most %(max)s characters, no spaces).",
                max=MAX_URL_LENGTH,
            ),
            field="online_url",
        )
    return url
