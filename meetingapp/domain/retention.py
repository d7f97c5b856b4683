"""How long personal data of an event is kept: a number of months after the event ends."""

from __future__ import annotations

import calendar
from datetime import date

from meetingapp.domain.errors import ValidationFailed
from meetingapp.domain.i18n import _

DEFAULT_RETENTION_MONTHS = 24
MAX_RETENTION_MONTHS = 240


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it is shorter: 31 → 30)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def retention_ends_on(ends_on: date, months: int) -> date:
    """The first day on which an event that ended on ``ends_on`` is past its retention."""
    return add_months(ends_on, months)


def is_expired(ends_on: date, months: int, today: date) -> bool:
    """True once the retention period after the event's last day is over."""
    return today > retention_ends_on(ends_on, months)


def check_retention_months(months: int) -> None:
    """Refuse a retention period outside 1 … 240 months."""
    if not (1 <= months <= MAX_RETENTION_MONTHS):
        raise ValidationFailed(
            _("Keep personal data between 1 and %(max)s months.", max=MAX_RETENTION_MONTHS),
            field="retention_months",
        )
