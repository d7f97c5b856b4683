"""Reconfirmation: some days before a session the organisers ask the people confirmed for it to
say they are still coming; those who say no free their seat at once, and, when the organisers
chose so, those who have not answered by the deadline free theirs then.

Who is asked: everyone confirmed when the organisers asked. A person confirmed afterwards (a
new registration, a promotion from the waitlist, an accepted offer) has just said they are
coming and is not asked again.
"""

from __future__ import annotations

from datetime import datetime

from meetingapp.domain.errors import DomainError, ValidationFailed
from meetingapp.domain.i18n import _


class NothingToReconfirm(DomainError):
    status_code = 409


def check_deadline(deadline: datetime, *, now: datetime, starts_at: datetime) -> None:
    """A deadline still to come, and before the session starts."""
    if deadline <= now:
        raise ValidationFailed(
            _("The deadline to reconfirm must be in the future."), field="deadline"
        )
    if deadline > starts_at:
        raise ValidationFailed(
            _("The deadline to reconfirm must be before the session starts."), field="deadline"
        )


def awaits_answer(
    *,
    confirmed: bool,
    confirmed_at: datetime | None,
    reconfirmed_at: datetime | None,
    asked_at: datetime | None,
) -> bool:
    """This confirmed person was asked to reconfirm and has not yet."""
    if not confirmed or asked_at is None or reconfirmed_at is not None:
        return False
    return confirmed_at is None or confirmed_at <= asked_at


def may_answer(*, deadline: datetime | None, releases: bool, now: datetime) -> bool:
    """Reconfirming stays open until the deadline when silence frees the seat; otherwise a late
    answer is still welcome (until the session, which the caller checks)."""
    return deadline is not None and (not releases or now < deadline)


def releases_now(
    *,
    deadline: datetime | None,
    releases: bool,
    released_at: datetime | None,
    now: datetime,
) -> bool:
    """The deadline has passed, silence frees seats, and they have not been freed yet."""
    return releases and deadline is not None and released_at is None and now >= deadline
