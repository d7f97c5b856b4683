"""Named reads of a participant's own data: registrations with their state, notifications."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from meetingapp import clock
from meetingapp.domain import reconfirmation
from meetingapp.domain.capacity import offer_is_live
from meetingapp.domain.visibility import can_see_online_link
from meetingapp.extensions import db
from meetingapp.models import EventSession, Notification, Registration, RegistrationStatus
from meetingapp.registration.queries import positions_for


@dataclass(frozen=True)
class MyRegistration:
    registration: Registration
    session: EventSession
    position: int | None
    offer_expires_at: datetime | None = None  # a seat held for them until then (live offers)
    reconfirm_by: datetime | None = None  # asked to reconfirm, and may still answer, until then

    @property
    def session_cancelled(self) -> bool:
        return self.session.is_cancelled

    @property
    def online_url(self) -> str | None:
        """A hybrid session's link, for the person confirmed for it (their own row)."""
        if self.session.online_url and can_see_online_link(None, self.state):
            return self.session.online_url
        return None

    @property
    def state(self) -> str:
        """confirmed, waitlisted or cancelled, as the participant sees it: a registration for
        a cancelled session (or event) is cancelled, whatever it said before."""
        if self.session_cancelled:
            return "cancelled"
        return self.registration.status.value


def my_registrations(user_id: int, now: datetime | None = None) -> list[MyRegistration]:
    """The user's registrations with waitlist positions and live offers (as of ``now``, default
    the clock's): active first, in time order."""
    now = now or clock.now()
    regs = list(
        db.session.scalars(
            select(Registration)
            .where(Registration.user_id == user_id)
            .options(
                selectinload(Registration.session).options(
                    selectinload(EventSession.event),
                    selectinload(EventSession.parts),
                    selectinload(EventSession.parent),
                )
            )
            .order_by(Registration.created_at.desc(), Registration.id.desc())
        )
    )
    waiting = [r for r in regs if r.status == RegistrationStatus.WAITLISTED]
    positions = positions_for(waiting)
    rows = [
        MyRegistration(
            r,
            r.session,
            positions.get(r.id),
            r.offer_expires_at if offer_is_live(r.offer_expires_at, now) else None,
            _reconfirm_by(r, now),
        )
        for r in regs
    ]
    rows.sort(key=lambda row: (row.state == "cancelled", row.session.starts_at))
    return rows


def _reconfirm_by(r: Registration, now: datetime) -> datetime | None:
    """The deadline to reconfirm, while the person was asked and may still answer."""
    s = r.session
    asked = reconfirmation.awaits_answer(
        confirmed=r.status == RegistrationStatus.CONFIRMED and not s.is_cancelled,
        confirmed_at=r.confirmed_at,
        reconfirmed_at=r.reconfirmed_at,
        asked_at=s.reconfirm_asked_at,
    )
    if not asked or s.starts_at <= now:
        return None
    open_ = reconfirmation.may_answer(
        deadline=s.reconfirm_deadline, releases=s.reconfirm_releases, now=now
    )
    return s.reconfirm_deadline if open_ else None


def recent_notifications(user_id: int) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user_id)
            .options(selectinload(Notification.session))
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(50)
        )
    )
