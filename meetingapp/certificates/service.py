"""Certificates of attendance: the organiser's template, issuing (once per person and session,
on first download), revoking, mailing "your certificate"; badges and table tents. One unit of
work per use case that writes; the PDFs are drawn after it commits (``certificates.pdf``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext

from meetingapp.certificates import pdf, queries
from meetingapp.domain import certificates as rules
from meetingapp.domain.errors import NotFound, PermissionDenied
from meetingapp.domain.i18n import _
from meetingapp.domain.visibility import can_manage
from meetingapp.extensions import db
from meetingapp.i18n import LANGUAGES, language_of
from meetingapp.mail import service as mail
from meetingapp.models import (
    Certificate,
    CertificateTemplate,
    CertificateText,
    EventSession,
    SessionKind,
    User,
)
from meetingapp.models.audit import record_audit
from meetingapp.uow import unit_of_work


@dataclass(frozen=True)
class TemplateValues:
    """What the organiser's form holds: enabled, signatory, texts per locale, an optional new
    logo (bytes) or ``remove_logo``."""

    enabled: bool
    signatory_name: str
    signatory_title: str
    texts: dict[str, tuple[str, str]]
    logo: bytes | None = None
    remove_logo: bool = False


def _organiser(actor: User) -> None:
    if not can_manage(actor):
        raise PermissionDenied(_("Only organisers prepare and revoke certificates."))


def save_template(
    *, session_id: int, values: TemplateValues, actor: User, now: datetime
) -> CertificateTemplate:
    """Create or change a session's certificate template; checks every text's placeholders."""
    _organiser(actor)
    texts = {
        locale: rules.check_text(title, body, field_prefix=f"{locale}-")
        for locale, (title, body) in values.texts.items()
        if locale in LANGUAGES
    }
    logo_type = rules.logo_type(values.logo) if values.logo else None
    with unit_of_work():
        session = queries.certified_session(session_id, actor)
        template = queries.template_of(session.id, for_update=True)
        if template is None:
            template = CertificateTemplate(session_id=session.id)
            db.session.add(template)
        template.enabled = bool(values.enabled)
        template.signatory_name = values.signatory_name.strip()[:200]
        template.signatory_title = values.signatory_title.strip()[:200]
        if values.remove_logo:
            template.logo, template.logo_type = None, ""
        if logo_type:
            template.logo, template.logo_type = values.logo, logo_type
        kept = {t.locale: t for t in template.texts}
        for locale, (title, body) in texts.items():
            if not title and not body:
                if locale in kept:
                    template.texts.remove(kept[locale])
                continue
            text = kept.get(locale) or CertificateText(locale=locale)
            text.title, text.body = title, body
            if locale not in kept:
                template.texts.append(text)
        template.updated_at = now
        record_audit(
            event_id=session.event_id,
            actor=actor,
            now=now,
            action="certificate template saved",
            target=session.title,
            detail="offered" if template.enabled else "not offered",
        )
    return template


def _offered(session: EventSession) -> CertificateTemplate:
    template = queries.template_of(session.id)
    if template is None or not template.enabled:
        raise rules.CertificatesNotOffered(
            _("The organisers do not offer certificates for this session.")
        )
    return template


def _issue(session: EventSession, user_ids: set[int], now: datetime) -> list[Certificate]:
    """The certificates of these people, made for those who have none yet (inside a unit)."""
    have = queries.certificates_of(session.id)
    for user_id in sorted(user_ids - set(have)):
        have[user_id] = Certificate(
            session_id=session.id, user_id=user_id, code=rules.new_code(), issued_at=now
        )
        db.session.add(have[user_id])
    db.session.flush()
    return [have[u] for u in user_ids]


def my_certificate(*, session_id: int, user: User, now: datetime) -> tuple[str, bytes]:
    """The participant's own certificate as (file name, PDF), issued on first download; only
    for someone checked in, and not once revoked."""
    with unit_of_work():
        session = queries.certified_session(session_id, user)
        template = _offered(session)
        if user.id not in queries.present_user_ids(session):
            raise rules.CertificateUnavailable(
                _(
                    "There is no certificate for you here: certificates go to the people "
                    "checked in to the session."
                )
            )
        (certificate,) = _issue(session, {user.id}, now)
        if certificate.revoked_at is not None:
            raise rules.CertificateUnavailable(_("Your certificate for this session was revoked."))
    return f"certificate-{certificate.code}.pdf", pdf.certificates_pdf(template, [certificate])


def session_certificates(*, session_id: int, actor: User, now: datetime) -> tuple[str, bytes]:
    """Every valid certificate of a session as one PDF (issuing those not yet issued)."""
    _organiser(actor)
    with unit_of_work():
        session = queries.certified_session(session_id, actor)
        template = _offered(session)
        present = queries.present_user_ids(session)
        if not present:
            raise NotFound(_("Nobody has been checked in to this session yet."))
        certificates = [c for c in _issue(session, present, now) if c.revoked_at is None]
    certificates.sort(key=lambda c: (c.user.name, c.user_id))
    return f"certificates-session-{session.id}.pdf", pdf.certificates_pdf(template, certificates)


def revoke_certificate(*, session_id: int, user_id: int, actor: User, now: datetime) -> Certificate:
    """Revoke one person's certificate (issuing it first if need be, so its code answers
    "revoked"); the verification page says so from then on."""
    _organiser(actor)
    with unit_of_work():
        session = queries.certified_session(session_id, actor)
        if user_id not in queries.present_user_ids(session):
            raise NotFound(_("This person was not checked in to the session."))
        (certificate,) = _issue(session, {user_id}, now)
        if certificate.revoked_at is None:
            certificate.revoked_at, certificate.revoked_by_id = now, actor.id
            record_audit(
                event_id=session.event_id,
                actor=actor,
                now=now,
                action="certificate revoked",
                target=session.title,
                detail=f"{certificate.user.name} ({certificate.code})",
            )
    return certificate


def mail_certificates(*, session_id: int, actor: User, now: datetime) -> int:
    """ "Your certificate" mail to everyone checked in who has a valid certificate and was not
    mailed yet. Returns how many."""
    _organiser(actor)
    with unit_of_work():
        session = queries.certified_session(session_id, actor)
        _offered(session)
        certificates = [
            c
            for c in _issue(session, queries.present_user_ids(session), now)
            if c.revoked_at is None and c.mailed_at is None
        ]
        for certificate in certificates:
            with language_of(certificate.user):
                mail.enqueue(
                    user=certificate.user,
                    kind="certificate",
                    subject=gettext("Your certificate: %(title)s", title=session.title),
                    context={
                        "session": session,
                        "event": session.event,
                        "url": mail.public_url("/me/"),
                        "verify_url": mail.public_url(f"/certificates/{certificate.code}"),
                        "certificate": certificate,
                    },
                    now=now,
                    message_id=f"<certificate-{certificate.id}@meetingapp>",
                )
            certificate.mailed_at = now
        if certificates:
            record_audit(
                event_id=session.event_id,
                actor=actor,
                now=now,
                action="certificates mailed",
                target=session.title,
                detail=f"to {len(certificates)} people",
            )
    return len(certificates)


def badges(*, session_id: int, actor: User, secret_key: str) -> tuple[str, bytes]:
    """A4 sheets of name badges for the confirmed people of a session (with their check-in
    QR code)."""
    _organiser(actor)
    session = queries.certified_session(session_id, actor)
    people = queries.confirmed_people(session.id)
    if not people:
        raise NotFound(_("Nobody is confirmed for this session yet."))
    return f"badges-session-{session.id}.pdf", pdf.badges_pdf(session, people, secret_key)


def table_tents(*, session_id: int, actor: User) -> tuple[str, bytes]:
    """A folded tent per topic table of a speed-networking session: letter, topic, host."""
    _organiser(actor)
    session = queries.certified_session(session_id, actor)
    if session.kind != SessionKind.SPEED_NETWORKING or not session.tables:
        raise NotFound(_("Only a speed-networking session with tables has table tents."))
    return f"tents-session-{session.id}.pdf", pdf.tents_pdf(session)
