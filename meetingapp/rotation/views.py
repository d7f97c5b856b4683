"""Table picks, planning the rotation, itineraries, host rosters and printable cards."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from meetingapp.auth.roles import organiser_required
from meetingapp.domain.errors import DomainError
from meetingapp.extensions import db
from meetingapp.i18n import localise
from meetingapp.models import EventSession, SessionKind
from meetingapp.rotation import bp
from meetingapp.rotation.forms import MoveForm, PlanForm
from meetingapp.services import rotation as svc
from meetingapp.services.registrations import active_registration


def _now() -> datetime:
    return datetime.now(UTC)


def _networking(session_id: int) -> EventSession:
    session = db.session.get(EventSession, session_id)
    if session is None or session.kind != SessionKind.SPEED_NETWORKING:
        abort(404, gettext("There is no such speed-networking session."))
    return session


@bp.route("/sessions/<int:session_id>/picks", methods=["GET", "POST"])
@login_required
def picks(session_id: int):
    session = _networking(session_id)
    max_picks = session.max_picks or 5
    if request.method == "POST":
        ranked = []
        for rank in range(1, max_picks + 1):
            raw = request.form.get(f"rank{rank}", "")
            # Anything but a table id or "no choice" is refused by the service as an unknown table.
            ranked.append(int(raw) if re.fullmatch(r"[0-9]{1,9}", raw) else (0 if not raw else -1))
        try:
            svc.save_picks(user=current_user, session_id=session_id, table_ids=ranked, now=_now())
        except DomainError as exc:
            flash(localise(exc), "error")
            return render_template(
                "rotation/picks.html",
                session=session,
                chosen=ranked,
                registration=active_registration(session_id, current_user.id),
                now=_now(),
            ), exc.status_code
        flash(gettext("Your table picks are saved."), "success")
        return redirect(url_for(".picks", session_id=session_id))
    chosen = svc.my_picks(session_id, current_user.id)
    chosen += [0] * (max_picks - len(chosen))
    return render_template(
        "rotation/picks.html",
        session=session,
        chosen=chosen,
        registration=active_registration(session_id, current_user.id),
        now=_now(),
    )


@bp.get("/sessions/<int:session_id>")
@organiser_required
def plan(session_id: int):
    session = _networking(session_id)
    grid = svc.grid_for(session_id)
    plan_form = PlanForm()
    plan_form.from_round.choices = [
        (r.number, gettext("Round %(number)s", number=r.number + 1)) for r in session.rounds
    ]
    move_form = MoveForm()
    people = sorted({u for users in grid.cells.values() for u in users}, key=lambda u: u.name)
    move_form.participant.choices = [(u.id, f"{u.name} ({u.organisation_label})") for u in people]
    move_form.round_number.choices = [
        (r.number, gettext("Round %(number)s", number=r.number + 1)) for r in session.rounds
    ]
    move_form.table.choices = [(t.id, f"{t.code} — {t.topic}") for t in session.tables]
    return render_template(
        "rotation/plan.html",
        session=session,
        grid=grid,
        demand=svc.demand(session_id),
        plan_form=plan_form,
        move_form=move_form,
    )


@bp.post("/sessions/<int:session_id>/plan")
@organiser_required
def run_plan(session_id: int):
    session = _networking(session_id)
    form = PlanForm()
    form.from_round.choices = [(r.number, "") for r in session.rounds]
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return redirect(url_for(".plan", session_id=session_id))
    time_limit = float(form.time_limit.data) if form.time_limit.data else None
    try:
        planned = svc.plan_rotation(
            session_id=session_id,
            actor=current_user,
            now=_now(),
            from_round=form.from_round.data or 0,
            time_limit=time_limit,
        )
    except DomainError as exc:
        flash(localise(exc), "error")
    else:
        stats = planned.stats
        flash(
            gettext(
                "Rotation planned: preference score %(score)s of %(optimal)s possible, "
                "%(repeats)s repeated encounters, %(same)s same-entity pairs.",
                score=stats.get("preference_score"),
                optimal=stats.get("optimal_preference_score"),
                repeats=stats.get("repeat_pairs"),
                same=stats.get("same_org_pairs"),
            ),
            "success",
        )
    return redirect(url_for(".plan", session_id=session_id))


@bp.post("/sessions/<int:session_id>/move")
@organiser_required
def move(session_id: int):
    session = _networking(session_id)
    grid = svc.grid_for(session_id)
    if grid.plan is None:
        abort(409, gettext("Plan the rotation first."))
    form = MoveForm()
    form.participant.choices = [(u.id, "") for users in grid.cells.values() for u in users]
    form.round_number.choices = [(r.number, "") for r in session.rounds]
    form.table.choices = [(t.id, "") for t in session.tables]
    if not form.validate_on_submit():
        flash(gettext("Choose a participant, a round and a table."), "error")
        return redirect(url_for(".plan", session_id=session_id))
    try:
        svc.move_participant(
            plan_id=grid.plan.id,
            user_id=form.participant.data,
            round_number=form.round_number.data,
            table_id=form.table.data,
            actor=current_user,
        )
    except DomainError as exc:
        flash(localise(exc), "error")
    else:
        flash(gettext("Moved and pinned; re-planning keeps this seat."), "success")
    return redirect(url_for(".plan", session_id=session_id))


@bp.post("/sessions/<int:session_id>/publish")
@organiser_required
def publish(session_id: int):
    _networking(session_id)
    grid = svc.grid_for(session_id)
    if grid.plan is None:
        flash(gettext("Plan the rotation first."), "error")
    else:
        svc.publish_plan(plan_id=grid.plan.id, actor=current_user, now=_now())
        flash(gettext("Rotation published: participants see their itineraries."), "success")
    return redirect(url_for(".plan", session_id=session_id))


@bp.get("/sessions/<int:session_id>/cards")
@organiser_required
def cards(session_id: int):
    session = _networking(session_id)
    return render_template("rotation/cards.html", session=session, grid=svc.grid_for(session_id))


@bp.get("/tables/<int:table_id>/roster")
@login_required
def roster(table_id: int):
    table, by_round = svc.roster_for_table(table_id, current_user)
    return render_template(
        "rotation/roster.html",
        table=table,
        by_round=by_round,
        rounds={r.number: r for r in table.session.rounds},
    )


@bp.get("/me")
@login_required
def itinerary():
    return render_template(
        "rotation/itinerary.html",
        stops=svc.itinerary_for(current_user.id),
        hosted=svc.tables_hosted_by(current_user.id),
    )
