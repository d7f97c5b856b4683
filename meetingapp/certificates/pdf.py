"""The PDFs of this feature, drawn by WeasyPrint from the app's own Jinja templates (so each
certificate is written in its recipient's language with the catalogues the pages use) and
Pango's fonts: Debian's Noto CJK is found by fontconfig and embedded as a subset.

Nothing is fetched while drawing: the URL fetcher answers ``data:`` URIs only (the logo and the
QR codes are inlined), so an organiser's text can never make the server load a URL.
"""

from __future__ import annotations

import base64

import segno
from flask import render_template

from meetingapp.checkin.qr import qr_code_for
from meetingapp.domain import certificates as rules
from meetingapp.domain.timezones import utc_to_local
from meetingapp.i18n import content, html_lang, language_of, long_date, user_locale
from meetingapp.mail.service import public_url
from meetingapp.models import Certificate, CertificateTemplate, EventSession, User


def _write(html: str) -> bytes:
    # Imported here: WeasyPrint (with Pango) takes a second or two to import, which every web
    # process and command would pay at start-up for the few requests that draw a PDF.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    inline_only = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    return HTML(string=html, url_fetcher=inline_only).write_pdf()


def qr_data_uri(text: str) -> str:
    return segno.make_qr(text, error="m").svg_data_uri(scale=4, dark="#000", light="#fff")


def _logo_uri(template: CertificateTemplate) -> str | None:
    if not template.logo:
        return None
    return f"data:{template.logo_type};base64,{base64.b64encode(template.logo).decode()}"


def _values(certificate: Certificate) -> dict[str, str]:
    session, user = certificate.session, certificate.user
    day = utc_to_local(session.starts_at, session.event.timezone).date()
    return {
        "name": user.name,
        "entity": user.organisation.short_name if user.organisation else "",
        "event": content(session.event),
        "session": content(session),
        "date": long_date(day, weekday=False),
    }


def _certificate_html(template: CertificateTemplate, certificate: Certificate, logo) -> str:
    locale = user_locale(certificate.user)
    with language_of(certificate.user):
        text = template.text_for(locale)
        default_title, default_body = rules.DEFAULT_TEXTS.get(locale, rules.DEFAULT_TEXTS["en"])
        title = text.title if text and text.title else default_title
        body = text.body if text and text.body else default_body
        verify = public_url(f"/certificates/{certificate.code}")
        return render_template(
            "certificates/_certificate.html",
            lang=html_lang(),
            title=title,
            body=rules.fill(body, _values(certificate)),
            template=template,
            certificate=certificate,
            logo=logo,
            verify_url=verify,
            qr=qr_data_uri(verify),
        )


def certificates_pdf(template: CertificateTemplate, certificates: list[Certificate]) -> bytes:
    """One A4 landscape page per certificate, each in its recipient's language."""
    logo = _logo_uri(template)
    pages = [_certificate_html(template, c, logo) for c in certificates]
    return _write(render_template("certificates/certificates.pdf.html", pages=pages))


def badges_pdf(session: EventSession, people: list[User], secret_key: str) -> bytes:
    """A4 sheets of eight badges (two columns of four), each with the check-in QR code."""
    badges = [
        {
            "name": person.name,
            "entity": person.organisation.short_name if person.organisation else "",
            "qr": qr_data_uri(qr_code_for(person, secret_key)),
        }
        for person in people
    ]
    return _write(
        render_template(
            "certificates/badges.pdf.html", session=session, event=session.event, badges=badges
        )
    )


def tents_pdf(session: EventSession) -> bytes:
    """One A4 page per table, folded in two: the letter, topic and host on both halves."""
    return _write(
        render_template(
            "certificates/tents.pdf.html",
            session=session,
            event=session.event,
            tables=sorted(session.tables, key=lambda t: t.code),
        )
    )
