"""Attendance rules: when a check-in is allowed, and who is present."""

from __future__ import annotations

from datetime import date

from meetingapp.domain.errors import DomainError
from meetingapp.domain.i18n import When, _


class CheckInRefused(DomainError):
    status_code = 409


def check_day(today_local: date, session_day_local: date) -> None:
    """Check-ins happen on the session's own (local) day."""
    if today_local != session_day_local:
        raise CheckInRefused(
            _(
                "Check-in is open on %(day)s only (the session's day); today is %(today)s.",
                day=When(session_day_local, "%d %B %Y"),
                today=When(today_local, "%d %B %Y"),
            )
        )


def check_round(round_number: int | None, round_count: int | None, networking: bool) -> None:
    if not networking:
        if round_number is not None:
            raise CheckInRefused(_("This session has no rounds."))
        return
    if round_number is None or not 0 <= round_number < (round_count or 0):
        raise CheckInRefused(_("Choose a round between 1 and %(count)s.", count=round_count))


def present(actions: list[str]) -> bool:
    """Given the chronological check_in/undo actions of one person, are they present?"""
    return bool(actions) and actions[-1] == "check_in"
