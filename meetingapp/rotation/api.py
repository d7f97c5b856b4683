"""The JSON API of speed networking: table picks and the rotation."""

from __future__ import annotations

from meetingapp import clock
from meetingapp.api import bp
from meetingapp.api.http import operation
from meetingapp.domain.errors import NotFound
from meetingapp.domain.visibility import can_manage
from meetingapp.models import User
from meetingapp.models.event import visible_networking_session, visible_session
from meetingapp.rotation import rules, service
from meetingapp.rotation import schemas as s
from meetingapp.rotation.queries import latest_plan, my_picks, own_seating_need, seating_rule_rows


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


def _seating_rules(session_id: int) -> s.SeatingRulesOut:
    rows = seating_rule_rows(session_id)
    return s.SeatingRulesOut(
        stays_at_one_table=sorted(n.user_id for n in rows.stays),
        apart=sorted([p.first_user_id, p.second_user_id] for p in rows.pairs_of("apart")),
        together=sorted([p.first_user_id, p.second_user_id] for p in rows.pairs_of("together")),
        asked_themselves=sorted(n.user_id for n in rows.stays if n.asked_themselves),
    )


@bp.get("/sessions/<int:session_id>/rotation/constraints")
@operation(
    summary="Get the seating rules",
    tag="rotation",
    organiser_only=True,
    response=s.SeatingRulesOut,
    errors=(404,),
    description="Who stays at one table in every round (and who asked for it themselves), "
    "and the pairs kept apart or together. Rules about people no longer confirmed are kept "
    "but left out of planning.",
)
def get_seating_rules(caller: User, session_id: int):
    visible_networking_session(session_id, caller)
    return _seating_rules(session_id)


@bp.put("/sessions/<int:session_id>/rotation/constraints")
@operation(
    summary="Set the seating rules",
    tag="rotation",
    organiser_only=True,
    body=s.SeatingRulesBody,
    response=s.SeatingRulesOut,
    errors=(404, 409, 422),
    description="Replaces the whole set, as the planning page does. New rules must name "
    "confirmed participants; 422 for a pair of one person, a pair listed twice, a pair both "
    "apart and together, or rules that contradict each other (the planner's reason: more "
    "people joined by together pairs than a table seats, people kept apart but joined by "
    "together pairs). The next plan and re-plan honour them; rules the room cannot meet "
    "(seats, picks, pins) make planning answer 409 rotation_infeasible with the reason.",
)
def put_seating_rules(caller: User, session_id: int, body: s.SeatingRulesBody):
    rules.save_seating_rules(
        session_id=session_id,
        stays_at_one_table=body.stays_at_one_table,
        apart=body.apart,
        together=body.together,
        actor=caller,
        now=clock.now(),
    )
    return _seating_rules(session_id)


def _seating_need(session_id: int, caller: User) -> s.SeatingNeedOut:
    need = own_seating_need(session_id, caller.id)
    return s.SeatingNeedOut(
        stays_at_one_table=need is not None,
        marked_by_organiser=need is not None and not need.asked_themselves,
    )


@bp.get("/sessions/<int:session_id>/seating-needs")
@operation(
    summary="Whether you stay at one table",
    tag="rotation",
    response=s.SeatingNeedOut,
    errors=(404,),
)
def get_seating_need(caller: User, session_id: int):
    visible_networking_session(session_id, caller)
    return _seating_need(session_id, caller)


@bp.put("/sessions/<int:session_id>/seating-needs")
@operation(
    summary="Ask to stay at one table",
    tag="rotation",
    body=s.SeatingNeedBody,
    response=s.SeatingNeedOut,
    errors=(403, 404, 409, 422),
    description="Mobility needs: true keeps you at one table in every round (the best of "
    "your picks with room); false takes back your own request. Confirmed participants, "
    "until the picks deadline; 409 when an organiser marked it (only they can lift it).",
)
def put_seating_need(caller: User, session_id: int, body: s.SeatingNeedBody):
    rules.set_own_seating_need(
        user=caller, session_id=session_id, stays=body.stays_at_one_table, now=clock.now()
    )
    return _seating_need(session_id, caller)
