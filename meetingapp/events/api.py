"""The JSON API's reads of the programme: events, their sessions and topic tables."""

from __future__ import annotations

from meetingapp.api import bp
from meetingapp.api.auth import OPTIONAL
from meetingapp.api.http import operation, paginate
from meetingapp.api.schemas import PageQuery
from meetingapp.events import schemas as s
from meetingapp.models import User
from meetingapp.models.event import listed_events, ordered_sessions, visible_event, visible_session
from meetingapp.registration.queries import availability_for


@bp.get("/events")
@operation(
    summary="List events",
    tag="events",
    auth=OPTIONAL,
    query=PageQuery,
    response=s.EventPage,
    description="Published events, latest first; organisers also see unpublished ones.",
)
def list_events(caller: User | None, query: PageQuery):
    page, cursor = paginate(listed_events(caller), query)
    return s.EventPage(items=[s.event(e) for e in page], next_cursor=cursor)


@bp.get("/events/<int:event_id>")
@operation(summary="Get an event", tag="events", auth=OPTIONAL, response=s.EventOut)
def get_event(caller: User | None, event_id: int):
    return s.event(visible_event(event_id, caller, programme=False))


@bp.get("/events/<int:event_id>/sessions")
@operation(
    summary="List an event's sessions",
    tag="sessions",
    auth=OPTIONAL,
    query=PageQuery,
    response=s.SessionPage,
    description="Every session in time order, training-day parts included (they name "
    "their parent_id).",
)
def list_sessions(caller: User | None, event_id: int, query: PageQuery):
    event = visible_event(event_id, caller)
    page, cursor = paginate(ordered_sessions(event), query)
    seats = availability_for(caller, [x.id for x in page])
    return s.SessionPage(
        items=[s.session(x, seats[x.id], caller) for x in page], next_cursor=cursor
    )


@bp.get("/sessions/<int:session_id>")
@operation(
    summary="Get a session",
    tag="sessions",
    auth=OPTIONAL,
    response=s.SessionOut,
    description="With its parts, rounds, tables and how many are confirmed and waiting.",
)
def get_session(caller: User | None, session_id: int):
    session = visible_session(session_id, caller)
    return s.session(session, availability_for(caller, [session.id])[session.id], caller)


@bp.get("/sessions/<int:session_id>/tables")
@operation(
    summary="List a session's topic tables",
    tag="sessions",
    auth=OPTIONAL,
    query=PageQuery,
    response=s.TablePage,
)
def list_tables(caller: User | None, session_id: int, query: PageQuery):
    page, cursor = paginate(list(visible_session(session_id, caller).tables), query)
    return s.TablePage(items=[s.table(t) for t in page], next_cursor=cursor)
