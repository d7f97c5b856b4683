"""Table picks, planning the rotation, host rosters and printable cards."""

from __future__ import annotations

import re

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from meetingapp import clock
from meetingapp.auth.roles import organiser_required
from meetingapp.domain.errors import DomainError
from meetingapp.i18n import localise
from meetingapp.models.event import visible_networking_session
from meetingapp.registration.queries import active_registration
from meetingapp.rotation import bp
from meetingapp.rotation import service as svc
from meetingapp.rotation.forms import MoveForm, PlanForm
from meetingapp.rotation.queries import demand, grid_for, my_picks, roster_for_table
from meetingapp.web import flash_refusal


def _to_plan(session_id: int, **_kwargs) -> str:
    return url_for(".plan", session_id=visible_networking_session(session_id, current_user).id)


def _picks_page(session, chosen: list[int], status: int = 200):
    return render_template(
        "rotation/picks.html",
        session=session,
        chosen=chosen,
        registration=active_registration(session.id, current_user.id),
        now=clock.now(),
    ), status


@bp.route("/sessions/<int:session_id>/picks", methods=["GET", "POST"])
@login_required
def picks(session_id: int):
    session = visible_networking_session(session_id, current_user)
    max_picks = session.max_picks or 5
    if request.method == "POST":
        ranked = []
        for rank in range(1, max_picks + 1):
            raw = request.form.get(f"rank{rank}", "")
            # Anything but a table id or "no choice" is refused by the service as an unknown table.
            ranked.append(int(raw) if re.fullmatch(r"[0-9]{1,9}", raw) else (0 if not raw else -1))
        try:
            svc.save_picks(
                user=current_user, session_id=session_id, table_ids=ranked, now=clock.now()
            )
        except DomainError as exc:
            flash(localise(exc), "error")
            return _picks_page(session, ranked, exc.status_code)
        flash(gettext("Your table picks are saved."), "success")
        return redirect(url_for(".picks", session_id=session_id))
    chosen = my_picks(session_id, current_user.id)
    return _picks_page(session, chosen + [0] * (max_picks - len(chosen)))


@bp.get("/sessions/<int:session_id>")
@organiser_required
def plan(session_id: int):
    session = visible_networking_session(session_id, current_user)
    grid = grid_for(session)
    round_choices = [
        (r.number, gettext("Round %(number)s", number=r.number + 1)) for r in session.rounds
    ]
    plan_form = PlanForm()
    plan_form.from_round.choices = round_choices
    move_form = MoveForm()
    people = sorted({u for users in grid.cells.values() for u in users}, key=lambda u: u.name)
    move_form.participant.choices = [(u.id, f"{u.name} ({u.organisation_label})") for u in people]
    move_form.round_number.choices = round_choices
    move_form.table.choices = [(t.id, f"{t.code} — {t.topic}") for t in session.tables]
    return render_template(
        "rotation/plan.html",
        session=session,
        grid=grid,
        demand=demand(session),
        plan_form=plan_form,
        move_form=move_form,
    )


def _flash_form_errors(form) -> None:
    for errors in form.errors.values():
        for error in errors:
            flash(str(error), "error")


@bp.post("/sessions/<int:session_id>/plan")
@organiser_required
@flash_refusal(_to_plan)
def run_plan(session_id: int):
    session = visible_networking_session(session_id, current_user)
    form = PlanForm()
    form.from_round.choices = [(r.number, "") for r in session.rounds]
    if not form.validate_on_submit():
        _flash_form_errors(form)
        return redirect(_to_plan(session_id))
    time_limit = float(form.time_limit.data) if form.time_limit.data else None
    planned = svc.plan_rotation(
        session_id=session_id,
        actor=current_user,
        now=clock.now(),
        from_round=form.from_round.data or 0,
        time_limit=time_limit,
    )
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
    return redirect(_to_plan(session_id))


@bp.post("/sessions/<int:session_id>/move")
@organiser_required
@flash_refusal(_to_plan)
def move(session_id: int):
    session = visible_networking_session(session_id, current_user)
    grid = grid_for(session)
    if grid.plan is None:
        flash(gettext("Plan the rotation first."), "error")
        return redirect(_to_plan(session_id))
    form = MoveForm()
    form.participant.choices = [(u.id, "") for users in grid.cells.values() for u in users]
    form.round_number.choices = [(r.number, "") for r in session.rounds]
    form.table.choices = [(t.id, "") for t in session.tables]
    if not form.validate_on_submit():
        flash(gettext("Choose a participant, a round and a table."), "error")
        return redirect(_to_plan(session_id))
    svc.move_participant(
        plan_id=grid.plan.id,
        user_id=form.participant.data,
        round_number=form.round_number.data,
        table_id=form.table.data,
        actor=current_user,
    )
    flash(gettext("Moved and pinned; re-planning keeps this seat."), "success")
    return redirect(_to_plan(session_id))


@bp.post("/sessions/<int:session_id>/publish")
@organiser_required
@flash_refusal(_to_plan)
def publish(session_id: int):
    session = visible_networking_session(session_id, current_user)
    grid = grid_for(session)
    if grid.plan is None:
        flash(gettext("Plan the rotation first."), "error")
    else:
        svc.publish_plan(plan_id=grid.plan.id, actor=current_user, now=clock.now())
        flash(gettext("Rotation published: participants see their itineraries."), "success")
    return redirect(_to_plan(session_id))


@bp.get("/sessions/<int:session_id>/cards")
@organiser_required
def cards(session_id: int):
    session = visible_networking_session(session_id, current_user)
    return render_template("rotation/cards.html", session=session, grid=grid_for(session))


@bp.get("/tables/<int:table_id>/roster")
@login_required
def roster(table_id: int):
    table, by_round = roster_for_table(table_id, current_user)
    return render_template(
        "rotation/roster.html",
        table=table,
        by_round=by_round,
        rounds={r.number: r for r in table.session.rounds},
    )


@bp.get("/me")
@login_required
def itinerary():
    """The table rotation moved to the participant's own pages."""
    return redirect(url_for("me.itinerary"), 301)
