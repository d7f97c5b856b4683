"""Events, their sessions and the topic tables of speed-networking sessions."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import available_timezones

from meetingapp.api import bp, http, present
from meetingapp.api import schemas as s
from meetingapp.api.auth import OPTIONAL
from meetingapp.api.http import ApiError, operation, paginate
from meetingapp.domain.timezones import utc_to_local, zone
from meetingapp.extensions import db
from meetingapp.models import Event, EventSession, Organisation, SessionKind, TopicTable, User
from meetingapp.models.event import all_events, event_with_programme, published_events
from meetingapp.models.registration import active_counts_by_session
from meetingapp.services import registrations, scheduling


def _invalid(field: str, message: str) -> ApiError:
    return ApiError(422, "invalid", "Some fields are not valid.", fields={field: message})


def _must_exist(model, ident: int | None, field: str) -> None:
    if ident is not None and db.session.get(model, ident) is None:
        raise _invalid(field, f"There is no {model.__name__.lower()} with id {ident}.")


def visible_event(event_id: int, caller: User | None) -> Event:
    """The event, unless it is missing or (for anyone but organisers) unpublished: 404."""
    event = event_with_programme(event_id)
    if event is None or not (event.published or (caller is not None and caller.is_organiser)):
        raise ApiError(404, "not_found", "There is no such event.")
    return event


def visible_session(session_id: int, caller: User | None) -> EventSession:
    session = db.session.get(EventSession, session_id)
    if session is None or not (
        session.event.published or (caller is not None and caller.is_organiser)
    ):
        raise ApiError(404, "not_found", "There is no such session.")
    return session


# --- events ----------------------------------------------------------------------------------


@bp.get("/events")
@operation(
    summary="List events",
    tag="events",
    auth=OPTIONAL,
    query=s.PageQuery,
    response=s.EventPage,
    description="Published events, latest first; organisers also see unpublished ones.",
)
def list_events(caller: User | None, query: s.PageQuery):
    events = all_events() if caller is not None and caller.is_organiser else published_events()
    page, cursor = paginate(events, query)
    return s.EventPage(items=[present.event(e) for e in page], next_cursor=cursor)


@bp.get("/events/<int:event_id>")
@operation(summary="Get an event", tag="events", auth=OPTIONAL, response=s.EventOut)
def get_event(caller: User | None, event_id: int):
    return present.event(visible_event(event_id, caller))


def _event_data(values: dict, current_timezone: str = "") -> scheduling.EventData:
    timezone = values["timezone"].strip() or current_timezone
    if timezone and timezone not in available_timezones():
        raise _invalid("timezone", "Use an IANA time zone name such as Europe/Vienna.")
    _must_exist(Organisation, values["organisation"], "organisation")
    return scheduling.EventData(
        title=values["title"],
        city=values["city"],
        venue=values["venue"],
        timezone=timezone,
        starts_on=values["starts_on"],
        ends_on=values["ends_on"],
        description=values["description"],
        organisation_id=values["organisation"],
        co_organisers=values["co_organisers"],
    )


@bp.post("/events")
@operation(
    summary="Create an event",
    tag="events",
    organiser_only=True,
    body=s.EventFields,
    response=s.EventOut,
    status=201,
)
def create_event(caller: User, body: s.EventFields):
    event = scheduling.create_event(_event_data(body.model_dump()), actor=caller)
    if body.published:
        event = scheduling.set_published(event.id, True, actor=caller)
    return present.event(event)


def _event_values(event: Event) -> dict:
    return {
        "title": event.title,
        "city": event.city,
        "venue": event.venue,
        "timezone": event.timezone,
        "starts_on": event.starts_on,
        "ends_on": event.ends_on,
        "description": event.description,
        "organisation": event.organisation_id,
        "co_organisers": event.co_organisers,
        "published": event.published,
    }


def _update_event(caller: User, event_id: int, changes: dict) -> s.EventOut:
    event = visible_event(event_id, caller)
    values = _event_values(event) | changes
    # An empty zone keeps the event's own (the service would take the city's instead).
    event = scheduling.update_event(event_id, _event_data(values, event.timezone), actor=caller)
    if values["published"] != event.published:
        event = scheduling.set_published(event_id, values["published"], actor=caller)
    return present.event(event)


@bp.put("/events/<int:event_id>")
@operation(
    summary="Replace an event",
    tag="events",
    organiser_only=True,
    body=s.EventFields,
    response=s.EventOut,
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
    response=s.EventOut,
    errors=(404,),
    description="Only the fields sent change.",
)
def change_event(caller: User, event_id: int, body: s.EventPatch):
    return _update_event(caller, event_id, body.model_dump(exclude_unset=True))


# --- sessions --------------------------------------------------------------------------------


def _ordered_sessions(event: Event) -> list[EventSession]:
    return sorted(
        event.sessions, key=lambda x: (x.starts_at, x.parent_id is not None, x.position, x.id)
    )


@bp.get("/events/<int:event_id>/sessions")
@operation(
    summary="List an event's sessions",
    tag="sessions",
    auth=OPTIONAL,
    query=s.PageQuery,
    response=s.SessionPage,
    description="Every session in time order, training-day parts included (they name "
    "their parent_id).",
)
def list_sessions(caller: User | None, event_id: int, query: s.PageQuery):
    event = visible_event(event_id, caller)
    page, cursor = paginate(_ordered_sessions(event), query)
    counts = active_counts_by_session([x.id for x in page])
    return s.SessionPage(
        items=[present.session(x, counts.get(x.id)) for x in page], next_cursor=cursor
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
    return present.session(session, active_counts_by_session([session.id]).get(session.id))


def _local_naive(value: datetime | None, tz: str) -> datetime | None:
    if value is None or value.tzinfo is None:
        return value
    return utc_to_local(value, tz).replace(tzinfo=None)


def _session_data(values: dict, tz: str) -> scheduling.SessionData:
    zone(tz)
    start, end = _local_naive(values["starts_at"], tz), _local_naive(values["ends_at"], tz)
    if end.date() != start.date():
        raise _invalid(
            "ends_at", "A session starts and ends on the same day (in the event's time zone)."
        )
    _must_exist(Organisation, values["lead_organisation"], "lead_organisation")
    return scheduling.SessionData(
        kind=SessionKind(values["kind"]),
        title=values["title"],
        day=start.date(),
        start_time=start.time(),
        end_time=end.time(),
        description=values["description"],
        room=values["room"],
        capacity=values["capacity"],
        registration_opens=_local_naive(values["registration_opens"], tz),
        registration_closes=_local_naive(values["registration_closes"], tz),
        lead_organisation_id=values["lead_organisation"],
        chair=values["chair"],
        agenda=list(values["agenda"]),
        round_count=values["round_count"],
        round_minutes=values["round_minutes"],
        move_minutes=values["move_minutes"],
        min_tables=values["min_tables"],
        max_picks=values["max_picks"],
        picks_deadline=_local_naive(values["picks_deadline"], tz),
    )


@bp.post("/events/<int:event_id>/sessions")
@operation(
    summary="Add a session",
    tag="sessions",
    organiser_only=True,
    body=s.SessionCreate,
    response=s.SessionOut,
    status=201,
    errors=(404,),
    description="Times without an offset are the event's local wall-clock time. "
    "Speed networking needs round_count and round_minutes; its rounds are "
    "derived from them. With parent, the session is a part of that "
    "training day.",
)
def create_session(caller: User, event_id: int, body: s.SessionCreate):
    event = visible_event(event_id, caller)
    _must_exist(EventSession, body.parent, "parent")
    data = _session_data(body.model_dump(), event.timezone)
    session = scheduling.create_session(event_id, data, actor=caller, parent_id=body.parent)
    return present.session(session)


def _session_values(session: EventSession) -> dict:
    tz = session.event.timezone
    kind = session.kind.value if session.kind != SessionKind.PART else "meeting"
    return {
        "kind": kind,
        "title": session.title,
        "description": session.description,
        "room": session.room,
        "starts_at": _local_naive(session.starts_at, tz),
        "ends_at": _local_naive(session.ends_at, tz),
        "capacity": session.capacity,
        "registration_opens": _local_naive(session.registration_opens_at, tz),
        "registration_closes": _local_naive(session.registration_closes_at, tz),
        "lead_organisation": session.lead_organisation_id,
        "chair": session.chair,
        "agenda": [a.title for a in session.agenda_items],
        "round_count": session.round_count,
        "round_minutes": session.round_minutes,
        "move_minutes": session.move_minutes,
        "min_tables": session.min_tables,
        "max_picks": session.max_picks,
        "picks_deadline": _local_naive(session.picks_deadline, tz),
    }


def _update_session(caller: User, session_id: int, changes: dict) -> s.SessionOut:
    session = visible_session(session_id, caller)
    old_capacity = session.capacity
    data = _session_data(_session_values(session) | changes, session.event.timezone)
    session, _ = scheduling.update_session(session_id, data, actor=caller)
    raised = old_capacity is not None and (data.capacity is None or data.capacity > old_capacity)
    if raised and session.registrable:
        # More seats: move the head of the waitlist up, as the capacity page does.
        registrations.change_capacity(
            session_id=session_id, new_capacity=data.capacity, now=http.now(), actor=caller
        )
        session = db.session.get(EventSession, session_id)
    return present.session(session, active_counts_by_session([session_id]).get(session_id))


@bp.put("/sessions/<int:session_id>")
@operation(
    summary="Replace a session",
    tag="sessions",
    organiser_only=True,
    body=s.SessionFields,
    response=s.SessionOut,
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
    response=s.SessionOut,
    errors=(404, 409),
    description="Only the fields sent change. Raising the capacity confirms people from "
    "the head of the waitlist.",
)
def change_session(caller: User, session_id: int, body: s.SessionPatch):
    return _update_session(caller, session_id, body.model_dump(exclude_unset=True))


# --- topic tables ----------------------------------------------------------------------------


@bp.get("/sessions/<int:session_id>/tables")
@operation(
    summary="List a session's topic tables",
    tag="sessions",
    auth=OPTIONAL,
    query=s.PageQuery,
    response=s.TablePage,
)
def list_tables(caller: User | None, session_id: int, query: s.PageQuery):
    page, cursor = paginate(list(visible_session(session_id, caller).tables), query)
    return s.TablePage(items=[present.table(t) for t in page], next_cursor=cursor)


def _table_data(values: dict) -> scheduling.TableData:
    _must_exist(Organisation, values["host_organisation"], "host_organisation")
    _must_exist(User, values["host_user"], "host_user")
    return scheduling.TableData(
        code=values["code"],
        topic=values["topic"],
        host_organisation_id=values["host_organisation"],
        host_label=values["host_label"],
        host_user_id=values["host_user"],
        seats=values["seats"],
        min_seats=values["min_seats"],
    )


@bp.post("/sessions/<int:session_id>/tables")
@operation(
    summary="Add a topic table",
    tag="sessions",
    organiser_only=True,
    body=s.TableFields,
    response=s.TableOut,
    status=201,
    errors=(404,),
    description="Speed-networking sessions only.",
)
def create_table(caller: User, session_id: int, body: s.TableFields):
    visible_session(session_id, caller)
    return present.table(
        scheduling.add_table(session_id, _table_data(body.model_dump()), actor=caller)
    )


def _update_table(caller: User, table_id: int, changes: dict) -> s.TableOut:
    table = db.session.get(TopicTable, table_id)
    if table is None:
        raise ApiError(404, "not_found", "There is no such table.")
    values = {
        "code": table.code,
        "topic": table.topic,
        "host_organisation": table.host_organisation_id,
        "host_label": table.host_label,
        "host_user": table.host_user_id,
        "seats": table.seats,
        "min_seats": table.min_seats,
    } | changes
    return present.table(scheduling.update_table(table_id, _table_data(values), actor=caller))


@bp.put("/tables/<int:table_id>")
@operation(
    summary="Replace a topic table",
    tag="sessions",
    organiser_only=True,
    body=s.TableFields,
    response=s.TableOut,
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
    response=s.TableOut,
    errors=(404,),
)
def change_table(caller: User, table_id: int, body: s.TablePatch):
    return _update_table(caller, table_id, body.model_dump(exclude_unset=True))
