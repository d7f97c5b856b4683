"""The JSON API of check-in at the door or at a topic table."""

from __future__ import annotations

from meetingapp import clock
from meetingapp.api import bp
from meetingapp.api.http import operation
from meetingapp.checkin import schemas as s
from meetingapp.checkin import service
from meetingapp.models import User
from meetingapp.models.event import visible_session


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
    "day; 409 when refused (not confirmed, already checked in, wrong day, cancelled).",
)
def check_in(caller: User, session_id: int, body: s.CheckInRequest):
    entry = service.check_in(
        session_id=session_id,
        user_id=body.participant,
        actor=caller,
        now=clock.now(),
        method="api",
        round_number=body.round - 1 if body.round is not None else None,
    )
    return s.check_in(entry, visible_session(session_id, caller).event.timezone)
