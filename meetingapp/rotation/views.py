"""Table picks, planning the rotation, host rosters and printable cards."""

from __future__ import annotations

import re

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user, login_required

from meetingapp import clock
from meetingapp.auth.roles import organiser_required
from meetingapp.domain.errors import DomainError
from meetingapp.i18n import localise, ordinal
from meetingapp.models.event import visible_networking_session
from meetingapp.registration.queries import active_registration, confirmed_people
from meetingapp.rotation import bp
from meetingapp.rotation import service as svc
from meetingapp.rotation.forms import MoveForm, PairForm, PlanForm, StayForm
from meetingapp.rotation.queries import (
    demand,
    grid_for,
    my_picks,
    own_seating_need,
    roster_for_table,
    seating_rule_rows,
)
from meetingapp.web import flash_refusal


def _to_plan(session_id: int, anchor: str | None = None, **_kwargs) -> str:
    session = visible_networking_session(session_id, current_user)
    return url_for(".plan", session_id=session.id, _anchor=anchor)


def _to_move(session_id: int, **_kwargs) -> str:
    """Back to the "Move a person" card, where its flash is read (far down on a phone)."""
    return _to_plan(session_id, anchor="move")


def _picks_state(session, registration, now) -> str:
    """What the picks page offers: open, closed, not registered or cancelled."""
    if session.is_cancelled:
        return "cancelled"
    if registration is None or registration.status.value != "confirmed":
        return "not registered"
    if now >= (session.picks_deadline or session.starts_at):
        return "closed"
    return "open"


def _picks_page(session, picked: list[int], status: int = 200):
    registration = active_registration(session.id, current_user.id)
    tables = {t.id: t for t in session.tables}
    mine = [tables[t] for t in picked if t in tables]
    return render_template(
        "rotation/picks.html",
        session=session,
        mine=mine,
        others=[t for t in session.tables if t not in mine],
        max_picks=session.max_picks or 5,
        registration=registration,
        state=_picks_state(session, registration, clock.now()),
        seating_need=own_seating_need(session.id, current_user.id),
    ), status


def _apply(picked: list[int], op: str) -> tuple[list[int], str, int]:
    """The picks after one button (add, up, down, remove) and the table it concerns."""
    verb, _, raw = op.partition(":")
    if verb not in ("add", "up", "down", "remove") or not re.fullmatch(r"[0-9]{1,9}", raw):
        abort(400, gettext("Choose a table."))
    table_id = int(raw)
    picked = list(picked)
    if verb == "add" and table_id not in picked:
        picked.append(table_id)
    elif table_id in picked:
        i = picked.index(table_id)
        if verb == "remove":
            picked.pop(i)
        elif verb == "up" and i > 0:
            picked[i - 1], picked[i] = picked[i], picked[i - 1]
        elif verb == "down" and i < len(picked) - 1:
            picked[i + 1], picked[i] = picked[i], picked[i + 1]
    return picked, verb, table_id


def _ranked_from_form(max_picks: int) -> list[int]:
    """The picks as ranked fields (rank1 … rankN), as scripts and older pages send them."""
    ranked = []
    for rank in range(1, max_picks + 1):
        raw = request.form.get(f"rank{rank}", "")
        # Anything but a table id or "no choice" is refused by the service as an unknown table.
        ranked.append(int(raw) if re.fullmatch(r"[0-9]{1,9}", raw) else (0 if not raw else -1))
    return ranked


@bp.route("/sessions/<int:session_id>/picks", methods=["GET", "POST"])
@login_required
def picks(session_id: int):
    session = visible_networking_session(session_id, current_user)
    before = my_picks(session_id, current_user.id)
    if request.method == "GET":
        return _picks_page(session, before)
    if request.form.get("op"):
        wanted, verb, table_id = _apply(before, request.form["op"])
    else:
        wanted, verb, table_id = _ranked_from_form(session.max_picks or 5), "ranks", 0
    if [t for t in wanted if t] == before:
        flash(gettext("Nothing to save: your picks are as they were."), "info")
        return redirect(url_for(".picks", session_id=session_id, _anchor="picks"), 303)
    try:
        saved = svc.save_picks(
            user=current_user, session_id=session_id, table_ids=wanted, now=clock.now()
        )
    except DomainError as exc:
        flash(localise(exc), "error")
        return _picks_page(session, before, exc.status_code)
    flash(_said(session, saved, verb, table_id), "success")
    return redirect(url_for(".picks", session_id=session_id, _anchor="picks"), 303)


def _said(session, saved: list[int], verb: str, table_id: int) -> str:
    codes = {t.id: t.code for t in session.tables}
    if verb == "remove":
        return gettext("Table %(code)s is off your picks.", code=codes.get(table_id, "?"))
    if verb in ("add", "up", "down") and table_id in saved:
        return gettext(
            "Table %(code)s is now your %(ordinal)s choice.",
            code=codes.get(table_id, "?"),
            ordinal=ordinal(saved.index(table_id) + 1),
        )
    return gettext("Your table picks are saved.")


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
        past=session.ends_at <= clock.now(),
        grid=grid,
        demand=demand(session),
        plan_form=plan_form,
        move_form=move_form,
        seating_said=seating_summary(grid.stats),
        **seating_forms(session),
    )


def seating_forms(session) -> dict:
    """What the planning page shows and offers of the seating rules."""
    people = sorted(confirmed_people(session.id), key=lambda u: u.name)
    choices = [(u.id, f"{u.name} ({u.organisation_label})") for u in people]
    rows = seating_rule_rows(session.id)
    stay_form, pair_form = StayForm(prefix="stay"), PairForm(prefix="pair")
    staying = {need.user_id for need in rows.stays}
    stay_form.participant.choices = [c for c in choices if c[0] not in staying]
    pair_form.first.choices = choices
    pair_form.second.choices = choices[1:] + choices[:1]  # two different people at first
    return {"rules": rows, "stay_form": stay_form, "pair_form": pair_form}


def seating_summary(stats: dict) -> str | None:
    """The plan's seating rules in one line ("3 people stay at one table; 2 pairs kept apart;
    1 pair together: all honoured"), or None when it had none."""
    rules = stats.get("seating_rules")
    if not rules or not (rules["stays_at_one_table"] or rules["apart"] or rules["together"]):
        return None
    said = {
        "stays_at_one_table": lambda n: ngettext(
            "%(num)d person stays at one table", "%(num)d people stay at one table", n
        ),
        "apart": lambda n: ngettext("%(num)d pair kept apart", "%(num)d pairs kept apart", n),
        "together": lambda n: ngettext("%(num)d pair together", "%(num)d pairs together", n),
    }
    parts = [say(rules[key]) for key, say in said.items() if rules[key]]
    return gettext(
        "%(rules)s: %(outcome)s",
        rules="; ".join(parts),
        outcome=gettext("all honoured") if rules["honoured"] else gettext("not all honoured"),
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
        )
        + (f" {seating_summary(stats)}." if seating_summary(stats) else ""),
        "success",
    )
    return redirect(_to_plan(session_id))


@bp.post("/sessions/<int:session_id>/move")
@organiser_required
@flash_refusal(_to_move)
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
        return redirect(_to_move(session_id))
    svc.move_participant(
        plan_id=grid.plan.id,
        user_id=form.participant.data,
        round_number=form.round_number.data,
        table_id=form.table.data,
        actor=current_user,
    )
    flash(gettext("Moved and pinned; re-planning keeps this seat."), "success")
    return redirect(_to_move(session_id))


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
