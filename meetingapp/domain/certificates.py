"""Rules of certificates of attendance: the placeholders of a template's text and the
verification code. Pure Python."""

from __future__ import annotations

import re
import secrets
from string import Formatter

from meetingapp.domain.errors import NotFound, PermissionDenied, ValidationFailed
from meetingapp.domain.i18n import _

PLACEHOLDERS = ("name", "entity", "event", "session", "date")
MAX_TITLE = 200
MAX_BODY = 2000
MAX_LOGO_BYTES = 512 * 1024
LOGO_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}

# Crockford's base32 without I, L, O, U: nothing to misread when typed from paper.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_PATTERN = re.compile(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}")

DEFAULT_TEXTS = {
    "en": (
        "Certificate of attendance",
        "This is to certify that {name} ({entity}) attended {session} of {event} on {date}.",
    ),
    "zh_Hans": ("出席证书", "兹证明{entity}的{name}于{date}出席了{event}的{session}。"),
}


class CertificateUnavailable(PermissionDenied):
    """The person has no certificate here (not checked in)."""

    code = "no_certificate"


class CertificatesNotOffered(NotFound):
    """The organisers have not offered certificates for this session."""

    code = "not_found"


def new_code() -> str:
    """A random verification code, ``XXXX-XXXX-XXXX`` (60 bits)."""
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def normalise_code(text: str) -> str | None:
    """A code as typed or scanned (any case, spaces), or None if it cannot be one."""
    code = (text or "").strip().upper()
    return code if CODE_PATTERN.fullmatch(code) else None


def check_text(title: str, body: str, *, field_prefix: str = "") -> tuple[str, str]:
    """The title and text cleaned; ValidationFailed for an unknown placeholder or a text too
    long."""
    title = (title or "").strip()
    body = (body or "").replace("\r\n", "\n").strip()
    if len(title) > MAX_TITLE:
        raise ValidationFailed(
            _("At most %(count)s characters.", count=MAX_TITLE), field=f"{field_prefix}title"
        )
    if len(body) > MAX_BODY:
        raise ValidationFailed(
            _("At most %(count)s characters.", count=MAX_BODY), field=f"{field_prefix}body"
        )
    try:
        fields = [f for _text, f, spec, conv in Formatter().parse(body) if f is not None]
        specs = [(spec, conv) for _text, f, spec, conv in Formatter().parse(body) if f is not None]
    except ValueError:
        fields, specs = ["{"], []
    unknown = [f for f in fields if f not in PLACEHOLDERS]
    if unknown or any(spec or conv for spec, conv in specs):
        raise ValidationFailed(
            _(
                "Unknown placeholder %(name)s: use %(known)s (and {{ or }} for a brace).",
                name="{" + (unknown[0] if unknown else "") + "}",
                known=", ".join("{" + p + "}" for p in PLACEHOLDERS),
            ),
            field=f"{field_prefix}body",
        )
    return title, body


def fill(body: str, values: dict[str, str]) -> str:
    """The text with its placeholders filled (checked by ``check_text`` when saved)."""
    return body.format_map({p: values.get(p, "") for p in PLACEHOLDERS})


def logo_type(data: bytes) -> str:
    """The MIME type of an uploaded logo; ValidationFailed unless a PNG or JPEG small enough."""
    if len(data) > MAX_LOGO_BYTES:
        raise ValidationFailed(_("The logo may be at most 512 KiB."), field="logo")
    for magic, mime in LOGO_TYPES.items():
        if data.startswith(magic):
            return mime
    raise ValidationFailed(_("The logo must be a PNG or JPEG image."), field="logo")
