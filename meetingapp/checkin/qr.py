"""A participant's check-in code as an inline SVG QR code (segno; no external service)."""

from __future__ import annotations

import segno
from markupsafe import escape


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
