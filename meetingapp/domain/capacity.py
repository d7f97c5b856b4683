"""Capacity rules for registrations: pure decisions, no I/O."""

from __future__ import annotations

from datetime import datetime

from meetingapp.domain.errors import DomainError, ValidationFailed
from meetingapp.domain.i18n import When, _

CONFIRMED = "confirmed"
WAITLISTED = "waitlisted"


class RegistrationClosed(DomainError):
    status_code = 409


class AlreadyRegistered(DomainError):
    status_code = 409


class NotRegistrable(DomainError):
    status_code = 409


class CapacityBelowConfirmed(ValidationFailed):
    status_code = 409


def status_for_new_registration(capacity: int | None, confirmed: int) -> str:
    """Confirmed while seats remain (or without a limit), otherwise waitlisted."""
    if capacity is None or confirmed < capacity:
        return CONFIRMED
    return WAITLISTED


def seats_to_promote(capacity: int | None, confirmed: int, waitlisted: int) -> int:
    """How many people at the head of the waitlist get a seat now."""
    if waitlisted <= 0:
        return 0
    if capacity is None:
        return waitlisted
    return max(0, min(capacity - confirmed, waitlisted))


def check_registration_window(
    now: datetime, *, starts_at: datetime, opens_at: datetime | None, closes_at: datetime | None
) -> None:
    """Registration is open from ``opens_at`` until ``closes_at`` (default: the session's start)."""
    if opens_at is not None and now < opens_at:
        raise RegistrationClosed(
            _("Registration opens on %(when)s UTC.", when=When(opens_at, "%d %b %Y %H:%M"))
        )
    deadline = closes_at or starts_at
    if now >= deadline:
        raise RegistrationClosed(_("Registration for this session is closed."))


def check_cancellation_window(now: datetime, *, starts_at: datetime) -> None:
    if now >= starts_at:
        raise RegistrationClosed(
            _("This session has started; registrations can no longer be withdrawn.")
        )


def check_new_capacity(new_capacity: int | None, confirmed: int) -> None:
    """Refuse a capacity below the people already confirmed: nobody is silently un-confirmed."""
    if new_capacity is None:
        return
    if new_capacity < 1:
        raise ValidationFailed(
            _("Capacity must be at least 1 (leave it empty for no limit)."), field="capacity"
        )
    if new_capacity < confirmed:
        raise CapacityBelowConfirmed(
            _(
                "%(count)s people are already confirmed; the capacity cannot go below %(count)s. "
                "Remove registrations first if the room really shrank.",
                count=confirmed,
            ),
            field="capacity",
        )


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st …"""
    if 10 <= n % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
