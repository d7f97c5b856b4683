"""Named reads of certificates: the session certified, its template, who came, one person's
certificate, the organiser's list and the verification page; the confirmed people for badges.

Who came is asked of ``checkin.queries.presence_for_sessions``, as the reports and the feedback
surveys count it: a training day's parts are attended (and certified) through the day.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from meetingapp.checkin.queries import presence_for_sessions
from meetingapp.domain.errors import NotFound
from meetingapp.domain.i18n import _
from meetingapp.extensions import db
from meetingapp.models import (
    Certificate,
    CertificateTemplate,
    EventSession,
    Registration,
    RegistrationStatus,
    User,
)
from meetingapp.models.event import visible_session


def certified_session(session_id: int, viewer) -> EventSession:
    """The session a certificate is for: one that takes registrations (a training day's part
    is certified through its day)."""
    session = visible_session(session_id, viewer)
    if session.parent_id is not None:
        session = session.parent
    if not session.registrable:
        raise NotFound(_("There are no certificates for this part of the programme."))
    return session


def template_of(session_id: int, *, for_update: bool = False) -> CertificateTemplate | None:
    stmt = select(CertificateTemplate).where(CertificateTemplate.session_id == session_id)
    if for_update:
        stmt = stmt.with_for_update()  # SQLite: the unit's BEGIN IMMEDIATE serialises instead
    return db.session.scalar(stmt.options(selectinload(CertificateTemplate.texts)))


def present_user_ids(session: EventSession) -> set[int]:
    return {p.user_id for p in presence_for_sessions([session.id])[session.id]}


def people(user_ids: set[int]) -> list[User]:
    if not user_ids:
        return []
    stmt = select(User).where(User.id.in_(user_ids)).order_by(User.name, User.id)
    return list(db.session.scalars(stmt))


def certificates_of(session_id: int) -> dict[int, Certificate]:
    """{user_id: certificate} of a session, with their people."""
    stmt = (
        select(Certificate)
        .where(Certificate.session_id == session_id)
        .options(joinedload(Certificate.user))
    )
    return {c.user_id: c for c in db.session.scalars(stmt)}


def certificate_by_code(code: str) -> Certificate | None:
    stmt = (
        select(Certificate)
        .where(Certificate.code == code)
        .options(joinedload(Certificate.user), joinedload(Certificate.session))
    )
    return db.session.scalar(stmt)


def my_certificate_sessions(user_id: int) -> list[EventSession]:
    """The sessions whose certificate ``user_id`` may download (offered, checked in, not
    revoked), for My programme; three statements."""
    offered = list(
        db.session.scalars(
            select(EventSession)
            .join(CertificateTemplate, CertificateTemplate.session_id == EventSession.id)
            .where(CertificateTemplate.enabled.is_(True), EventSession.cancelled_at.is_(None))
            .order_by(EventSession.starts_at)
        )
    )
    if not offered:
        return []
    presence = presence_for_sessions([s.id for s in offered])
    revoked = set(
        db.session.scalars(
            select(Certificate.session_id).where(
                Certificate.user_id == user_id, Certificate.revoked_at.is_not(None)
            )
        )
    )
    return [
        s
        for s in offered
        if s.id not in revoked and any(p.user_id == user_id for p in presence[s.id])
    ]


def confirmed_people(session_id: int) -> list[User]:
    """The confirmed registrants of a session, by name (for badges)."""
    stmt = (
        select(User)
        .join(Registration, Registration.user_id == User.id)
        .where(
            Registration.session_id == session_id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
        .order_by(User.name, User.id)
    )
    return list(db.session.scalars(stmt))


def organiser_rows(session: EventSession) -> list[tuple[User, Certificate | None]]:
    """Everyone checked in, by name, with their certificate if issued; three statements."""
    certificates = certificates_of(session.id)
    return [(person, certificates.get(person.id)) for person in people(present_user_ids(session))]
