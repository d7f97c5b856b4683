"""Registering, cancelling, the organisers' list of registrations and the caller's itinerary."""

from __future__ import annotations

from collections import defaultdict

from meetingapp.api import bp, http, present
from meetingapp.api import schemas as s
from meetingapp.api.http import operation, paginate
from meetingapp.api.views_events import visible_session
from meetingapp.models import RegistrationStatus, User
from meetingapp.services import registrations
from meetingapp.services.rotation import itinerary_for


@bp.post("/sessions/<int:session_id>/registrations")
@operation(
    summary="Register for a session",
    tag="registrations",
    response=s.RegistrationOutcome,
    status=201,
    errors=(404, 409),
    description="Registers the caller: confirmed while seats remain, otherwise on the "
    "waitlist (with its position). 409 when already registered, when "
    "registration is closed or the session takes no registrations.",
)
def register(caller: User, session_id: int):
    visible_session(session_id, caller)
    outcome = registrations.register_participant(user=caller, session_id=session_id, now=http.now())
    return s.RegistrationOutcome(status=outcome.status, waitlist_position=outcome.waitlist_position)


@bp.delete("/sessions/<int:session_id>/registrations/me")
@operation(
    summary="Cancel your registration",
    tag="registrations",
    status=204,
    errors=(404, 409),
    description="The head of the waitlist takes the freed seat in the same transaction.",
)
def cancel(caller: User, session_id: int):
    visible_session(session_id, caller)
    registrations.cancel_registration(user=caller, session_id=session_id, now=http.now())


@bp.get("/sessions/<int:session_id>/registrations")
@operation(
    summary="List a session's registrations",
    tag="registrations",
    organiser_only=True,
    query=s.RegistrationQuery,
    response=s.RegistrationPage,
    errors=(404,),
    description="Confirmed people in the order they were confirmed, then the waitlist "
    "in order (with positions), then cancellations.",
)
def list_registrations(caller: User, session_id: int, query: s.RegistrationQuery):
    session = visible_session(session_id, caller)
    roster = registrations.session_roster(session_id)
    positions = {r.id: n for n, r in enumerate(roster["waitlisted"], start=1)}
    wanted = {
        "active": ("confirmed", "waitlisted"),
        "all": ("confirmed", "waitlisted", "cancelled"),
    }.get(query.status, (query.status,))
    rows = [r for status in wanted for r in roster[status]]
    page, cursor = paginate(rows, query)
    tz = session.event.timezone
    return s.RegistrationPage(
        items=[present.registration(r, positions.get(r.id), tz) for r in page], next_cursor=cursor
    )


@bp.get("/me/itinerary")
@operation(
    summary="Your itinerary",
    tag="registrations",
    query=s.PageQuery,
    response=s.ItineraryPage,
    description="Every session you are confirmed or waitlisted for, in time order, with "
    "training-day parts and, once published, your table in each round.",
)
def itinerary(caller: User, query: s.PageQuery):
    rows = [
        row
        for row in registrations.my_registrations(caller.id)
        if row.registration.status != RegistrationStatus.CANCELLED
    ]
    stops = defaultdict(list)
    for stop in itinerary_for(caller.id):
        stops[stop.session.id].append(stop)
    page, cursor = paginate(rows, query, key=lambda row: row.session.id)
    return s.ItineraryPage(
        items=[
            present.itinerary_item(
                row.session,
                row.registration.status.value,
                row.position,
                stops.get(row.session.id, []),
            )
            for row in page
        ],
        next_cursor=cursor,
    )
