"""The JSON API's writes for organisers: events, sessions and topic tables.

Each operation reads the stored values, lays the body over them (PUT: all of them; PATCH: only
the fields sent), maps them with the same mapper as the pages and calls the same use case.
"""

from __future__ import annotations

from meetingapp import clock
from meetingapp.api import bp
from meetingapp.api.http import operation
from meetingapp.events import schemas as out
from meetingapp.models import User
from meetingapp.models.event import visible_event, visible_session
from meetingapp.organise import schemas as s
from meetingapp.organise import service, sessions
from meetingapp.organise.mappers import (
    EventData,
    SessionData,
    TableData,
    event_values,
    session_values,
    table_values,
)
from meetingapp.registration.queries import availability_for

# --- events ----------------------------------------------------------------------------------


@bp.post("/events")
@operation(
    summary="Create an event",
    tag="events",
    organiser_only=True,
    body=s.EventFields,
    response=out.EventOut,
    status=201,
)
def create_event(caller: User, body: s.EventFields):
    data = EventData.from_values(body.model_dump())
    return out.event(service.create_event(data, actor=caller, now=clock.now()))


def _update_event(caller: User, event_id: int, changes: dict) -> out.EventOut:
    event = visible_event(event_id, caller, programme=False)
    values = event_values(event) | changes
    data = EventData.from_values(values, current_timezone=event.timezone)
    return out.event(service.update_event(event_id, data, actor=caller, now=clock.now()))


@bp.put("/events/<int:event_id>")
@operation(
    summary="Replace an event",
    tag="events",
    organiser_only=True,
    body=s.EventFields,
    response=out.EventOut,
    errors=(404,),
)
def replace_event(caller: User, event_id: int, body: s.EventFields):
    return _update_event(caller, event_id, body.model_dump())


@bp.patch("/events/<int:event_id>")
@operation(
    summary="Change an event",
    tag="events",
    organiser_only=True,
    body=s.EventPatch,
    response=out.EventOut,
    errors=(404,),
    description="Only the fields sent change.",
)
def change_event(caller: User, event_id: int, body: s.EventPatch):
    return _update_event(caller, event_id, body.model_dump(exclude_unset=True))


# --- sessions --------------------------------------------------------------------------------


def _session_out(session_id: int, caller: User) -> out.SessionOut:
    session = visible_session(session_id, caller)
    return out.session(session, availability_for(caller, [session_id])[session_id], caller)


@bp.post("/events/<int:event_id>/sessions")
@operation(
    summary="Add a session",
    tag="sessions",
    organiser_only=True,
    body=s.SessionCreate,
    response=out.SessionOut,
    status=201,
    errors=(404,),
    description="Times without an offset are the event's local wall-clock time. "
    "Speed networking needs round_count and round_minutes; its rounds are "
    "derived from them. With parent, the session is a part of that "
    "training day.",
)
def create_session(caller: User, event_id: int, body: s.SessionCreate):
    event = visible_event(event_id, caller, programme=False)
    data = SessionData.from_values(body.model_dump(), event.timezone)
    session = sessions.create_session(
        event_id, data, actor=caller, now=clock.now(), parent_id=body.parent
    )
    return _session_out(session.id, caller)


def _update_session(caller: User, session_id: int, changes: dict) -> out.SessionOut:
    session = visible_session(session_id, caller)
    tz = session.event.timezone
    data = SessionData.from_values(session_values(session) | changes, tz)
    sessions.update_session(session_id, data, actor=caller, now=clock.now())
    return _session_out(session_id, caller)


@bp.put("/sessions/<int:session_id>")
@operation(
    summary="Replace a session",
    tag="sessions",
    organiser_only=True,
    body=s.SessionFields,
    response=out.SessionOut,
    errors=(404, 409),
)
def replace_session(caller: User, session_id: int, body: s.SessionFields):
    return _update_session(caller, session_id, body.model_dump())


@bp.patch("/sessions/<int:session_id>")
@operation(
    summary="Change a session",
    tag="sessions",
    organiser_only=True,
    body=s.SessionPatch,
    response=out.SessionOut,
    errors=(404, 409),
    description="Only the fields sent change. Raising the capacity confirms people from "
    "the head of the waitlist.",
)
def change_session(caller: User, session_id: int, body: s.SessionPatch):
    return _update_session(caller, session_id, body.model_dump(exclude_unset=True))


# --- topic tables ----------------------------------------------------------------------------


@bp.post("/sessions/<int:session_id>/tables")
@operation(
    summary="Add a topic table",
    tag="sessions",
    organiser_only=True,
    body=s.TableFields,
    response=out.TableOut,
    status=201,
    errors=(404,),
    description="Speed-networking sessions only.",
)
def create_table(caller: User, session_id: int, body: s.TableFields):
    visible_session(session_id, caller)
    data = TableData.from_values(body.model_dump())
    return out.table(sessions.add_table(session_id, data, actor=caller, now=clock.now()))


def _update_table(caller: User, table_id: int, changes: dict) -> out.TableOut:
    table = sessions.table_for_organiser(table_id)
    data = TableData.from_values(table_values(table) | changes)
    return out.table(sessions.update_table(table_id, data, actor=caller, now=clock.now()))


@bp.put("/tables/<int:table_id>")
@operation(
    summary="Replace a topic table",
    tag="sessions",
    organiser_only=True,
    body=s.TableFields,
    response=out.TableOut,
    errors=(404,),
)
def replace_table(caller: User, table_id: int, body: s.TableFields):
    return _update_table(caller, table_id, body.model_dump())


@bp.patch("/tables/<int:table_id>")
@operation(
    summary="Change a topic table",
    tag="sessions",
    organiser_only=True,
    body=s.TablePatch,
    response=out.TableOut,
    errors=(404,),
)
def change_table(caller: User, table_id: int, body: s.TablePatch):
    return _update_table(caller, table_id, body.model_dump(exclude_unset=True))
