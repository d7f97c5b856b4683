"""Who may see and do what: the one home of visibility, cancellation and permission rules.

Every entry point (pages, the JSON API, calendar files and feeds, registration, picks, check-in)
asks these predicates through the named queries of the features (``visible_event``,
``visible_session``); nothing re-derives them. A viewer is anything with ``id`` and
``is_organiser`` (a ``User``), or None for an anonymous visitor.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Viewer(Protocol):
    id: int
    is_organiser: bool


def can_manage(viewer: Viewer | None) -> bool:
    """Organisers manage events: schedule, register others, plan, check in, report."""
    return viewer is not None and bool(viewer.is_organiser)


def can_see_online_link(viewer: Viewer | None, my_status: str | None) -> bool:
    """A hybrid session's link and dial-in text are for organisers and the people confirmed
    for it: never the public, another participant or someone on the waitlist. ``my_status``
    is the viewer's own registration's (None: none, or a reader who is nobody in particular)."""
    return can_manage(viewer) or my_status == "confirmed"


def can_see_event(published: bool, cancelled: bool, viewer: Viewer | None) -> bool:
    """A published event is public; an unpublished one only exists for organisers.

    Cancelling does not hide an event: it stays visible, marked cancelled, to whoever could see
    it, so that participants learn what happened (``cancelled`` is taken for that reason).
    """
    del cancelled  # visible either way; callers show the state with is_cancelled()
    return published or can_manage(viewer)


def is_cancelled(
    event_cancelled_at: datetime | None,
    session_cancelled_at: datetime | None = None,
    parent_cancelled_at: datetime | None = None,
) -> bool:
    """A session is cancelled when it, its training day or its event is."""
    return any(
        at is not None for at in (event_cancelled_at, session_cancelled_at, parent_cancelled_at)
    )


def can_see_roster(viewer: Viewer | None, host_user_id: int | None) -> bool:
    """A topic table's roster: its host and organisers."""
    return can_manage(viewer) or (viewer is not None and host_user_id == viewer.id)


def can_see_seat(viewer: Viewer | None, seat_user_id: int, hosted_table: bool) -> bool:
    """A seat of a rotation: one's own, the people at a table one hosts, or any for organisers."""
    if can_manage(viewer):
        return True
    return viewer is not None and (seat_user_id == viewer.id or hosted_table)


def can_check_in(viewer: Viewer | None, *, hosts_the_persons_table: bool) -> bool:
    """Organisers check in anyone; a table host the people seated at their table that round."""
    return can_manage(viewer) or hosts_the_persons_table


def check_not_cancelled(cancelled: bool, *, event_cancelled: bool) -> None:
    """Registering, withdrawing, picking tables and checking in stop with a cancellation."""
    from meetingapp.domain.errors import SessionCancelled
    from meetingapp.domain.i18n import _

    if cancelled:
        raise SessionCancelled(
            _("This event is cancelled.") if event_cancelled else _("This session is cancelled.")
        )


def can_follow_live(viewer: Viewer | None, *, registered: bool, hosts_a_table: bool) -> bool:
    """The live clock of a speed-networking session: its registered participants, its table
    hosts and organisers."""
    return can_manage(viewer) or (viewer is not None and (registered or hosts_a_table))


def can_act_for(
    viewer: Viewer | None, *, person_id: int, person_entity_id: int | None, focal_for
) -> bool:
    """Register, and see the registrations of, another person: organisers for anyone, a focal
    point for the people of an entity they are the focal point of (``focal_for``: those
    entities' ids), anyone for themselves. Nobody acts for a person without an entity but
    organisers."""
    if viewer is None:
        return False
    if can_manage(viewer) or person_id == viewer.id:
        return True
    return person_entity_id is not None and person_entity_id in focal_for
