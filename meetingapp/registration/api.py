"""The JSON API of registration: register, withdraw, and the organisers' list."""

from __future__ import annotations

from datetime import UTC

from meetingapp import clock
from meetingapp.api import bp
from meetingapp.api.http import operation, paginate
from meetingapp.api.schemas import local
from meetingapp.domain.timezones import local_to_utc
from meetingapp.models import User
from meetingapp.models.event import visible_session
from meetingapp.registration import schemas as s
from meetingapp.registration import service
from meetingapp.registration.queries import session_roster


@bp.post("/sessions/<int:session_id>/registrations")
@operation(
    summary="Register for a session",
    tag="registrations",
    body=s.RegistrationRequest,
    body_required=False,
    response=s.RegistrationOutcome,
    status=201,
    errors=(404, 409),
    description="Registers the caller: confirmed while seats remain, otherwise on the "
    "waitlist (with its position); with attendance online, on an online seat of a hybrid "
    "session. 409 when already registered, when registration is closed, the session is "
    "cancelled or takes no registrations, the online seats are taken, or the session "
    "overlaps one the caller is confirmed for and the event refuses overlaps (when it only "
    "warns, the registration succeeds and warnings says which session).",
)
def register(caller: User, session_id: int, body: s.RegistrationRequest):
    outcome = service.register_participant(
        user=caller,
        session_id=session_id,
        now=clock.now(),
        online=body.attendance == "online",
    )
    return s.RegistrationOutcome(
        status=outcome.status,
        waitlist_position=outcome.waitlist_position,
        attendance="online" if outcome.online else "in_person",
        warnings=list(outcome.warnings),
    )


@bp.delete("/sessions/<int:session_id>/registrations/me")
@operation(
    summary="Cancel your registration",
    tag="registrations",
    status=204,
    errors=(404, 409),
    description="The head of the waitlist takes the freed seat in the same transaction.",
)
def cancel(caller: User, session_id: int):
    service.cancel_registration(user=caller, session_id=session_id, now=clock.now())


@bp.post("/sessions/<int:session_id>/registrations/me/accept")
@operation(
    summary="Accept the seat offered to you",
    tag="registrations",
    response=s.RegistrationOutcome,
    errors=(404, 409),
    description="In a session whose waitlist_mode is offer, a freed seat is held for the "
    "first person waiting until the offer's deadline: accepting confirms them. 409 when the "
    "caller holds no pending offer (none was made, or it lapsed and went to the next person). "
    "To decline, cancel the registration (DELETE …/registrations/me).",
)
def accept_offer(caller: User, session_id: int):
    outcome = service.accept_offer(user=caller, session_id=session_id, now=clock.now())
    return s.RegistrationOutcome(status=outcome.status, waitlist_position=None)


@bp.post("/sessions/<int:session_id>/registrations/me/reconfirm")
@operation(
    summary="Reconfirm your seat",
    tag="registrations",
    response=s.RegistrationOutcome,
    errors=(404, 409),
    description="When the organisers asked the people confirmed to reconfirm, the caller says "
    "they are still coming. 409 when there is nothing to reconfirm (not asked, reconfirmed "
    "already, or the deadline passed where silence releases the seat). To say no, cancel the "
    "registration (DELETE …/registrations/me): the seat goes to the waitlist.",
)
def reconfirm(caller: User, session_id: int):
    outcome = service.reconfirm(user=caller, session_id=session_id, now=clock.now())
    return s.RegistrationOutcome(
        status=outcome.status,
        waitlist_position=None,
        attendance="online" if outcome.online else "in_person",
    )


@bp.post("/sessions/<int:session_id>/reconfirmation")
@operation(
    summary="Ask the confirmed to reconfirm",
    tag="registrations",
    organiser_only=True,
    body=s.ReconfirmationRequest,
    response=s.ReconfirmationOut,
    errors=(404, 409, 422),
    description="Everyone confirmed for the session (and not yet reconfirmed) gets a mail and "
    "a notification asking whether they are still coming, by the deadline. Asking again changes "
    "the deadline and the choice and asks those who have not answered. 422 for a deadline "
    "past or after the session's start; 409 for a cancelled session or one without seats.",
)
def ask_reconfirmation(caller: User, session_id: int, body: s.ReconfirmationRequest):
    session = visible_session(session_id, caller)
    tz = session.event.timezone
    deadline = body.deadline
    deadline = local_to_utc(deadline, tz) if deadline.tzinfo is None else deadline.astimezone(UTC)
    asked = service.ask_reconfirmation(
        session_id=session_id,
        deadline=deadline,
        releases=body.release_unanswered,
        now=clock.now(),
        actor=caller,
    )
    return s.ReconfirmationOut(
        asked=asked.asked,
        deadline=local(asked.deadline, tz),
        release_unanswered=asked.releases,
    )


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
    roster = session_roster(session_id)
    positions = {r.id: n for n, r in enumerate(roster["waitlisted"], start=1)}
    wanted = {
        "active": ("confirmed", "waitlisted"),
        "all": ("confirmed", "waitlisted", "cancelled"),
    }.get(query.status, (query.status,))
    rows = [r for status in wanted for r in roster[status]]
    page, cursor = paginate(rows, query)
    tz = session.event.timezone
    return s.RegistrationPage(
        items=[s.registration(r, positions.get(r.id), tz) for r in page], next_cursor=cursor
    )
