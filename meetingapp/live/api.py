"""The JSON API of the live clock: read it, act on it, follow it as Server-Sent Events."""

from __future__ import annotations

from flask import Response, current_app, request

from meetingapp import clock
from meetingapp.api import bp
from meetingapp.api.http import operation
from meetingapp.live import schemas as s
from meetingapp.live import service
from meetingapp.live.streams import DetachedStream, detachable, event_stream
from meetingapp.models import User

FOLLOWERS = "Any registered participant, table host or organiser of the session (Bearer token)."


@bp.get("/sessions/<int:session_id>/live")
@operation(
    summary="The live clock of a speed-networking session",
    tag="live",
    response=s.LiveOut,
    errors=(403, 404),
    description=FOLLOWERS + " Phases that ran out are already applied: the answer is the "
    "state at server_time.",
)
def get_live(caller: User, session_id: int):
    service.followed_session(session_id, caller)
    return s.LiveOut(**service.snapshot(session_id, clock.now()).as_json())


@bp.post("/sessions/<int:session_id>/live")
@operation(
    summary="Run the session: start, next, pause, resume, extend, end",
    tag="live",
    organiser_only=True,
    body=s.LiveAction,
    response=s.LiveOut,
    errors=(403, 404, 409, 422),
    description="Organisers only. `next` ends the running phase now (talking gives way to "
    "moving, moving to the round). 409 when the action does not fit the state (`start` twice, "
    "`next` in the last round, `resume` when not paused, anything once finished).",
)
def act_live(caller: User, session_id: int, body: s.LiveAction):
    snap = service.perform(
        session_id=session_id,
        action=body.action,
        minutes=body.minutes,
        actor=caller,
        now=clock.now(),
    )
    return s.LiveOut(**snap.as_json())


@bp.get("/sessions/<int:session_id>/live/stream")
@operation(
    summary="Follow the live clock (Server-Sent Events)",
    tag="live",
    errors=(403, 404),
    media_type="text/event-stream",
    description=FOLLOWERS + " `text/event-stream`: one `event: live` with the JSON of "
    "GET …/live on connect and on every change, `id:` the version (Last-Event-ID is "
    "honoured: the first event says whether anything was missed), a comment at least every "
    "15 s.",
)
def stream_live(caller: User, session_id: int):
    service.followed_session(session_id, caller)
    return sse_response(session_id)


def sse_response(session_id: int) -> Response:
    """The stream: its socket handed to the fan-out thread under gunicorn, a generator in a
    thread of its own elsewhere."""
    app = current_app._get_current_object()
    last_event_id = request.headers.get("Last-Event-ID")
    raw = detachable(request.environ)
    if raw is not None:
        response = DetachedStream(app, session_id, last_event_id, raw)
    else:
        stream = event_stream(app, session_id, last_event_id)
        response = Response(stream, mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-cache, no-store"
    response.headers["X-Accel-Buffering"] = "no"  # nginx and friends: do not buffer the stream
    return response
