"""Capacity rules for registrations: pure decisions, no I/O.

The one home of seat arithmetic: how many seats are left, who is confirmed and who waits, how
many move up when seats open, what a page says about it. ``registration.queries.availability_for``
feeds it counts; every page, the dashboard, check-in and the API show its answers.
"""

from __future__ import annotations

from dataclasses import dataclass
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


def takes_registrations(kind: str, *, is_part: bool, open_seating: bool) -> bool:
    """People register for top-level sessions other than breaks, unless the organiser made the
    session open seating (anyone may come; nobody registers): training-day parts are attended
    through their day."""
    return not is_part and kind != "break" and not open_seating


def seats_left(capacity: int | None, confirmed: int) -> int | None:
    """Free seats (never negative: an override may confirm past capacity); None: no limit."""
    if capacity is None:
        return None
    return max(capacity - confirmed, 0)


def has_free_seat(capacity: int | None, confirmed: int) -> bool:
    left = seats_left(capacity, confirmed)
    return left is None or left > 0


def status_for_new_registration(capacity: int | None, confirmed: int) -> str:
    """Confirmed while seats remain (or without a limit), otherwise waitlisted."""
    return CONFIRMED if has_free_seat(capacity, confirmed) else WAITLISTED


def seats_to_promote(capacity: int | None, confirmed: int, waitlisted: int) -> int:
    """How many people at the head of the waitlist get a seat now."""
    if waitlisted <= 0:
        return 0
    left = seats_left(capacity, confirmed)
    return waitlisted if left is None else min(left, waitlisted)


@dataclass(frozen=True)
class Availability:
    """A session's seats as one viewer sees them, with the viewer's own registration."""

    capacity: int | None
    confirmed: int
    waitlisted: int
    registrable: bool = True
    cancelled: bool = False
    open_seating: bool = False
    my_status: str | None = None  # "confirmed" or "waitlisted" for the viewer; None otherwise
    my_position: int | None = None  # 1-based place on the waitlist

    @property
    def seats_left(self) -> int | None:
        return seats_left(self.capacity, self.confirmed)

    @property
    def full(self) -> bool:
        return not has_free_seat(self.capacity, self.confirmed)

    @property
    def free_while_waiting(self) -> bool:
        """Seats free while people wait: an organiser should look at the waitlist."""
        return self.waitlisted > 0 and not self.full

    def summary(self) -> str:
        """What a page says about the seats ("3 of 21 seats left"); empty when nothing to say."""
        if self.cancelled:
            return _("Cancelled") if self.registrable or self.open_seating else ""
        if self.open_seating:
            return _("Open seating: come along, no registration needed")
        if not self.registrable:
            return ""
        if self.capacity is None:
            return _("No seat limit")
        if self.full:
            if self.waitlisted:
                return _("Full · waitlist (%(count)s)", count=self.waitlisted)
            return _("Full · waitlist open")
        return _(
            "%(left)s of %(capacity)s seats left", left=self.seats_left, capacity=self.capacity
        )


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
