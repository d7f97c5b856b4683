"""Capacity rules for registrations: pure decisions, no I/O.

The one home of seat arithmetic: how many seats are left, who is confirmed and who waits, how
many move up when seats open, what a page says about it. ``registration.queries.availability_for``
feeds it counts; every page, the dashboard, check-in and the API show its answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from meetingapp.domain.errors import DomainError, ValidationFailed
from meetingapp.domain.i18n import When, _, _n

CONFIRMED = "confirmed"
WAITLISTED = "waitlisted"

# What happens when a seat opens: the head of the waitlist is confirmed at once, or is offered
# the seat, which they hold until they accept, decline or the offer's deadline passes.
AUTOMATIC = "automatic"
OFFER = "offer"
WAITLIST_MODES = (AUTOMATIC, OFFER)
DEFAULT_OFFER_HOURS = 24
MAX_OFFER_HOURS = 24 * 14


class RegistrationClosed(DomainError):
    status_code = 409


class AlreadyRegistered(DomainError):
    status_code = 409


class NotRegistrable(DomainError):
    status_code = 409


class CapacityBelowConfirmed(ValidationFailed):
    status_code = 409


class WaitlistFull(DomainError):
    status_code = 409


class NoOffer(DomainError):
    status_code = 409


class OnlineFull(DomainError):
    status_code = 409


class NotOnline(DomainError):
    status_code = 409


IN_PERSON = "in_person"
ONLINE = "online"
ATTENDANCE_MODES = (IN_PERSON, ONLINE)


def takes_registrations(kind: str, *, is_part: bool, open_seating: bool) -> bool:
    """People register for top-level sessions other than breaks, unless the organiser made the
    session open seating (anyone may come; nobody registers): training-day parts are attended
    through their day."""
    return not is_part and kind != "break" and not open_seating


def seats_left(capacity: int | None, confirmed: int, offered: int = 0) -> int | None:
    """Free seats (never negative: an override may confirm past capacity); None: no limit.

    ``offered``: live offers (deadline not passed), each holding a seat for its person; an
    expired offer holds nothing, whether or not it has been swept away yet."""
    if capacity is None:
        return None
    return max(capacity - confirmed - offered, 0)


def has_free_seat(capacity: int | None, confirmed: int, offered: int = 0) -> bool:
    left = seats_left(capacity, confirmed, offered)
    return left is None or left > 0


def status_for_new_registration(capacity: int | None, confirmed: int, offered: int = 0) -> str:
    """Confirmed while seats remain (or without a limit), otherwise waitlisted."""
    return CONFIRMED if has_free_seat(capacity, confirmed, offered) else WAITLISTED


def seats_to_promote(
    capacity: int | None, confirmed: int, waitlisted: int, offered: int = 0
) -> int:
    """How many people at the head of the waitlist get a seat (or, in offer mode, an offer)
    now. ``waitlisted``: those waiting without a live offer; ``offered``: live offers."""
    if waitlisted <= 0:
        return 0
    left = seats_left(capacity, confirmed, offered)
    return waitlisted if left is None else min(left, waitlisted)


def check_online_seat(*, hybrid: bool, online_capacity: int | None, online_confirmed: int) -> None:
    """Online attendance needs a hybrid session (one with a link) and a free online seat.

    Online seats are counted apart from the room's: an online registration never takes, frees
    or waits for a seat in the room, and there is no online waitlist (None: no online limit)."""
    if not hybrid:
        raise NotOnline(_("This session takes place in the room only; register in person."))
    if not has_free_seat(online_capacity, online_confirmed):
        raise OnlineFull(
            _n(
                "The %(num)d online place is taken; you may still register in person.",
                "All %(num)d online places are taken; you may still register in person.",
                online_capacity or 0,
            )
        )


def check_online_capacity(online_capacity: int | None) -> None:
    """At least one online seat when limited (None: no limit)."""
    if online_capacity is not None and not 1 <= online_capacity <= 1_000_000:
        raise ValidationFailed(
            _("Online seats are at least 1 (leave it empty for no limit)."),
            field="online_capacity",
        )


def offer_is_live(expires_at: datetime | None, now: datetime) -> bool:
    """An offer holds its seat until its deadline, not a moment longer."""
    return expires_at is not None and now < expires_at


def offer_deadline(now: datetime, hours: int | None, *, starts_at: datetime) -> datetime:
    """When an offer made now lapses: ``hours`` from now, but never after the session starts."""
    return min(now + timedelta(hours=hours or DEFAULT_OFFER_HOURS), starts_at)


def check_waitlist_room(cap: int | None, waitlisted: int) -> None:
    """Refuse a place on a waitlist that already holds ``cap`` people (None: no limit)."""
    if cap is not None and waitlisted >= cap:
        raise WaitlistFull(
            _(
                "The session is full and its waitlist too (%(count)s people are waiting). "
                "No more places can be taken.",
                count=waitlisted,
            )
        )


def check_waitlist_settings(mode: str, offer_hours: int | None, cap: int | None) -> None:
    """A waitlist mode we know, an offer time of 1 hour to 14 days, a cap of at least 1."""
    if mode not in WAITLIST_MODES:
        raise ValidationFailed(
            _("Choose automatic promotion or offers with a deadline."), field="waitlist_mode"
        )
    if offer_hours is not None and not 1 <= offer_hours <= MAX_OFFER_HOURS:
        raise ValidationFailed(
            _("An offer lasts from 1 hour to %(max)s hours.", max=MAX_OFFER_HOURS),
            field="offer_hours",
        )
    if cap is not None and cap < 1:
        raise ValidationFailed(
            _("The waitlist cap is at least 1 (leave it empty for no limit)."),
            field="waitlist_cap",
        )


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
    offered: int = 0  # live offers: seats held for people on the waitlist
    my_offer_expires_at: datetime | None = None  # the viewer's live offer, if any
    # Hybrid sessions: online seats apart from the room's (``confirmed`` counts the room only).
    hybrid: bool = False
    online_capacity: int | None = None
    online_confirmed: int = 0
    my_online: bool = False  # the viewer's registration is an online one

    @property
    def online_seats_left(self) -> int | None:
        return seats_left(self.online_capacity, self.online_confirmed)

    @property
    def online_full(self) -> bool:
        return self.hybrid and not has_free_seat(self.online_capacity, self.online_confirmed)

    @property
    def seats_left(self) -> int | None:
        return seats_left(self.capacity, self.confirmed, self.offered)

    @property
    def full(self) -> bool:
        return not has_free_seat(self.capacity, self.confirmed, self.offered)

    @property
    def free_while_waiting(self) -> bool:
        """Seats free while people wait: an organiser should look at the waitlist."""
        return self.waitlisted > 0 and not self.full

    def online_summary(self) -> str:
        """What a page says about a hybrid session's online places; empty otherwise."""
        if not self.hybrid or self.cancelled or not self.registrable:
            return ""
        if self.online_capacity is None:
            return _("Online: no limit")
        if self.online_full:
            return _("Online: full")
        return _n(
            "Online: %(left)s of %(num)d place left",
            "Online: %(left)s of %(num)d places left",
            self.online_capacity,
            left=self.online_seats_left,
        )

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
