"""Checking people in at the door or at a topic table."""

from __future__ import annotations

from meetingapp.api import bp, http, present
from meetingapp.api import schemas as s
from meetingapp.api.http import operation
from meetingapp.api.views_events import visible_session
from meetingapp.models import User
from meetingapp.services import checkin


@bp.post("/sessions/<int:session_id>/check-ins")
@operation(
    summary="Check someone in",
    tag="attendance",
    body=s.CheckInRequest,
    response=s.CheckInOut,
    status=201,
    errors=(403, 404, 409),
    description="Organisers check in anyone confirmed; a table host checks in the "
    "people seated at their table in that round. Speed networking needs "
    "the round (numbered from 1). Check-in is open on the session's own "
    "day; 409 when refused (not confirmed, already checked in, wrong day).",
)
def check_in(caller: User, session_id: int, body: s.CheckInRequest):
    session = visible_session(session_id, caller)
    entry = checkin.check_in(
        session_id=session_id,
        user_id=body.participant,
        actor=caller,
        now=http.now(),
        method="api",
        round_number=body.round - 1 if body.round is not None else None,
    )
    return present.check_in(entry, session.event.timezone)
