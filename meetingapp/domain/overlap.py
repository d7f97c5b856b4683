"""Overlapping registrations: a person confirmed for a session registers for another at the
same time. Pure decisions, no I/O: ``registration.service.register_participant`` asks them for
pages and the API alike."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from meetingapp.domain.errors import DomainError, ValidationFailed
from meetingapp.domain.i18n import _
from meetingapp.domain.timezones import utc_to_local, zone_label

WARN = "warn"
REFUSE = "refuse"
OVERLAP_POLICIES = (WARN, REFUSE)


class SessionOverlap(DomainError):
    status_code = 409


@dataclass(frozen=True)
class Booked:
    """A session the person is confirmed for."""

    title: str
    starts_at: datetime  # aware UTC
    ends_at: datetime
    timezone: str  # the event's IANA zone


def overlaps(starts_at: datetime, ends_at: datetime, other: Booked) -> bool:
    """Two sessions overlap when each starts before the other ends (back to back is fine)."""
    return starts_at < other.ends_at and other.starts_at < ends_at


def describe(booked: Booked) -> str:
    """'“Opening plenary” (12 Mar 2027 09:00–10:30 CET (UTC+1))': title and local time with zone."""
    start = utc_to_local(booked.starts_at, booked.timezone)
    end = utc_to_local(booked.ends_at, booked.timezone)
    span = f"{start:%d %b %Y %H:%M}–{end:%H:%M}"
    return f"“{booked.title}” ({span} {zone_label(booked.starts_at, booked.timezone)})"


def overlap_warnings(
    starts_at: datetime, ends_at: datetime, booked: list[Booked], policy: str
) -> list[str]:
    """The warnings for registering at [starts_at, ends_at) while confirmed for ``booked``;
    under the ``refuse`` policy an overlap raises SessionOverlap (409) instead."""
    clashes = [b for b in booked if overlaps(starts_at, ends_at, b)]
    if not clashes:
        return []
    names = "; ".join(describe(b) for b in clashes)
    if policy == REFUSE:
        raise SessionOverlap(
            _("This session overlaps one you are confirmed for: %(sessions)s.", sessions=names)
        )
    return [_("This session overlaps one you are confirmed for: %(sessions)s.", sessions=names)]


def check_overlap_policy(policy: str) -> None:
    if policy not in OVERLAP_POLICIES:
        raise ValidationFailed(
            _("Choose whether overlapping registrations are warned about or refused."),
            field="overlap_policy",
        )
