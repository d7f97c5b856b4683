"""A participant's check-in code: its text (an HMAC, unforgeable) and an inline SVG QR code
(segno; no external service)."""

from __future__ import annotations

import hashlib
import hmac
import re

import segno
from markupsafe import escape

from meetingapp.domain.attendance import CheckInRefused
from meetingapp.domain.i18n import _


def qr_svg(code: str, *, scale: int = 5) -> str:
    """Inline <svg> of ``code``: a regular QR code (not Micro QR, which phone cameras miss),
    medium error correction, black on white with the standard quiet zone."""
    qr = segno.make_qr(code, error="m")
    # omitsize: a viewBox instead of a fixed size, so the stylesheet can size it for phones.
    svg = qr.svg_inline(
        scale=scale,
        dark="#000",
        light="#fff",
        svgclass="qr-code",
        omitsize=True,
        title=f"QR code for check-in code {code}",
    )
    label = escape(f"QR code for check-in code {code}")
    return svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)


QR_PREFIX = "MTG1"


def qr_code_for(user, secret_key: str) -> str:
    """The text in a participant's QR code: ``MTG1-<user id>-<HMAC>``, unforgeable."""
    mac = hmac.new(secret_key.encode(), f"checkin:{user.id}".encode(), hashlib.sha256)
    return f"{QR_PREFIX}-{user.id}-{mac.hexdigest()[:24].upper()}"


def user_for_qr_code(code: str, secret_key: str):
    """The participant behind a scanned or pasted code; CheckInRefused for anything else."""
    from meetingapp.extensions import db
    from meetingapp.models import User

    parts = code.strip().split("-")
    if (
        len(parts) != 3
        or parts[0].upper() != QR_PREFIX
        or not re.fullmatch(r"[0-9]{1,9}", parts[1])
    ):
        raise CheckInRefused(_("This is not a meetingapp check-in code."))
    user = db.session.get(User, int(parts[1]))
    if user is None or not hmac.compare_digest(
        qr_code_for(user, secret_key).encode(), code.strip().upper().encode()
    ):
        raise CheckInRefused(_("This check-in code is not valid (unknown or altered)."))
    return user
