"""The JSON API of speed networking: table picks and the rotation."""

from __future__ import annotations

from meetingapp import clock
from meetingapp.api import bp
from meetingapp.api.http import operation
from meetingapp.domain.errors import NotFound
from meetingapp.domain.visibility import can_manage
from meetingapp.models import User
from meetingapp.models.event import visible_networking_session, visible_session
from meetingapp.rotation import schemas as s
from meetingapp.rotation import service
from meetingapp.rotation.queries import latest_plan, my_picks


@bp.get("/sessions/<int:session_id>/picks")
@operation(summary="Your table picks", tag="rotation", response=s.PicksOut, errors=(404,))
def get_picks(caller: User, session_id: int):
    visible_session(session_id, caller)
    return s.PicksOut(tables=my_picks(session_id, caller.id))


@bp.put("/sessions/<int:session_id>/picks")
@operation(
    summary="Rank the tables you want",
    tag="rotation",
    body=s.Picks,
    response=s.PicksOut,
    errors=(403, 404),
    description="Table ids of this session, best first, until the picks deadline. "
    "Replaces your earlier picks. You must be confirmed for the session.",
)
def save_picks(caller: User, session_id: int, body: s.Picks):
    saved = service.save_picks(
        user=caller, session_id=session_id, table_ids=body.tables, now=clock.now()
    )
    return s.PicksOut(tables=saved)


@bp.post("/sessions/<int:session_id>/rotation")
@operation(
    summary="Plan the table rotation",
    tag="rotation",
    organiser_only=True,
    body=s.RotationRequest,
    body_required=False,
    response=s.RotationOut,
    status=201,
    errors=(404, 409),
    description="Plans a new draft from everyone confirmed and their picks (from_round "
    "keeps the rounds before it and pinned seats of the previous plan) and "
    "returns every assignment and the planner's statistics. 409 when no "
    "rotation is possible.",
)
def plan(caller: User, session_id: int, body: s.RotationRequest):
    planned = service.plan_rotation(
        session_id=session_id, actor=caller, now=clock.now(), from_round=body.from_round - 1
    )
    return s.rotation(planned)


@bp.get("/sessions/<int:session_id>/rotation")
@operation(
    summary="Get the table rotation",
    tag="rotation",
    response=s.RotationOut,
    errors=(404,),
    description="Organisers get the latest plan (draft or published) with every seat; "
    "everyone else the published one with their own seats and, for a table "
    "host, the people at their table.",
)
def get_rotation(caller: User, session_id: int):
    visible_networking_session(session_id, caller)
    found = latest_plan(session_id, published_only=not can_manage(caller))
    if found is None:
        raise NotFound("No rotation has been planned (or published) yet.")
    return s.rotation(found, viewer=caller)


@bp.post("/sessions/<int:session_id>/rotation/publish")
@operation(
    summary="Publish the table rotation",
    tag="rotation",
    organiser_only=True,
    response=s.RotationOut,
    errors=(404,),
    description="Publishes the latest plan: participants see their rounds in their "
    "itinerary and are notified.",
)
def publish(caller: User, session_id: int):
    visible_networking_session(session_id, caller)
    found = latest_plan(session_id)
    if found is None:
        raise NotFound("Plan the rotation first.")
    return s.rotation(service.publish_plan(plan_id=found.id, actor=caller, now=clock.now()))
