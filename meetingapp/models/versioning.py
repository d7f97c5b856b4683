"""An event's version: one number that changes whenever anything shown of the event changes.

Pages and calendar files that are the same for every viewer of a kind (the timetable, the
full-event .ics) are cached under the event's version and answered with an ETag made from it,
so a browser or a calendar app revalidates for free (304) and a cache can never serve a stale
programme: any flush that adds, changes or deletes a row of the event's programme bumps
``events.version`` in the same transaction.

Registrations do not: the seat counts a page shows are keyed apart, by the seats' own
fingerprint (``events.queries.seats_fingerprint``, one grouped count per request). Bumping the
event's row from every registration would take a row lock on the event that queues the
registrations of all its sessions behind one another until each commits, a lock held far longer
than the session's seat lock needs.

This is the one home of "which rows belong to an event". A change made with a bulk
``update()``/``delete()`` statement bypasses the ORM and this hook: none of the programme's
writers does that (the test ``test_event_version`` guards the writers that matter).
"""

from __future__ import annotations

from sqlalchemy import event as sa_event
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from meetingapp.models.event import AgendaItem, Event, EventSession, NetworkingRound, TopicTable
from meetingapp.models.organisation import Organisation
from meetingapp.orm import utcnow

# Rows that hang off a session: their session id names the event. Not registrations (above).
_BY_SESSION = (TopicTable, AgendaItem, NetworkingRound)
_BUMPED = "meetingapp.bumped_events"


def _touched(session: Session) -> tuple[set[int], set[int], bool]:
    """(event ids, session ids, every event) of the rows this flush wrote. Called after the
    flush, when the session still lists what it wrote and new rows have their ids."""
    events: set[int] = set()
    sessions: set[int] = set()
    everything = False
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Event):
            if obj in session.new or obj in session.deleted or session.is_modified(obj):
                events.add(obj.id)
        elif isinstance(obj, EventSession):
            events.add(obj.event_id)
        elif isinstance(obj, _BY_SESSION):
            sessions.add(obj.session_id)
        elif isinstance(obj, Organisation) and obj not in session.new:
            everything = everything or obj in session.deleted or session.is_modified(obj)
    events.discard(None)
    sessions.discard(None)
    return events, sessions, everything


def _after_flush(session: Session, _context) -> None:
    """Bump the versions in the flush's own transaction."""
    events, sessions, everything = _touched(session)
    if not (events or sessions or everything):
        return
    connection = session.connection()
    if sessions:
        events |= set(
            connection.scalars(
                select(EventSession.event_id).where(EventSession.id.in_(sorted(sessions)))
            )
        )
    bump = update(Event).values(version=Event.version + 1, changed_at=utcnow())
    connection.execute(bump if everything else bump.where(Event.id.in_(sorted(events))))
    session.info[_BUMPED] = None if everything else events


def _after_flush_postexec(session: Session, _context) -> None:
    """The in-memory events now hold an old version: read it afresh when asked."""
    if _BUMPED not in session.info:
        return
    bumped = session.info.pop(_BUMPED)
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Event) and (bumped is None or obj.id in bumped):
            session.expire(obj, ["version", "changed_at"])


def install() -> None:
    """Listen on every ORM session (once; the app factory calls it)."""
    if not sa_event.contains(Session, "after_flush", _after_flush):
        sa_event.listen(Session, "after_flush", _after_flush)
        sa_event.listen(Session, "after_flush_postexec", _after_flush_postexec)
