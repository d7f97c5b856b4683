"""A page's text as a reader sees it, for tests that look for words on a page.

Scripts, styles and icons are left out; an element boundary counts as a space, except around
``<bdi>``, which isolates a fragment of a sentence (a title inside quotation marks) without
breaking it: ``“<bdi>EO briefing</bdi>”`` reads “EO briefing”.
"""

from __future__ import annotations

import html
import re

_HIDDEN = re.compile(r"<(script|style|svg)\b.*?</\1>", re.S)
_ISOLATE = re.compile(r"</?bdi>")
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def page_text(response) -> str:
    """The visible text of a response (or of an HTML string), whitespace collapsed."""
    body = response if isinstance(response, str) else response.get_data(as_text=True)
    body = _ISOLATE.sub("", _HIDDEN.sub(" ", body))
    return html.unescape(_SPACE.sub(" ", _TAG.sub(" ", body)))
