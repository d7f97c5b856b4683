"""Registering and withdrawing (participants), rosters, capacity, overrides and imports
(organisers)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from meetingapp import clock
from meetingapp.auth.roles import organiser_required
from meetingapp.i18n import ordinal
from meetingapp.models.event import visible_session
from meetingapp.registration import bp, imports
from meetingapp.registration import service as svc
from meetingapp.registration.forms import CapacityForm, ImportForm
from meetingapp.registration.queries import (
    availability_for,
    session_id_of_registration,
    session_roster,
)
from meetingapp.web import flash_refusal, safe_next


def _back_to(session_id: int, **_kwargs) -> str:
    """The session on its event's page (a hidden one is a 404 there, as here)."""
    session = visible_session(session_id, current_user)
    return url_for("events.event", event_id=session.event_id, _anchor=f"session-{session.id}")


def _back_or_programme(session_id: int, **kwargs) -> str:
    if request.form.get("back") == "programme":
        return url_for("me.programme")
    return safe_next(request.form.get("next")) or _back_to(session_id, **kwargs)


def _to_manage(session_id: int, **_kwargs) -> str:
    return url_for(".manage", session_id=visible_session(session_id, current_user).id)


@bp.post("/sessions/<int:session_id>")
@login_required
@flash_refusal(_back_to)
def register(session_id: int):
    outcome = svc.register_participant(user=current_user, session_id=session_id, now=clock.now())
    session = visible_session(session_id, current_user)
    if outcome.status == "confirmed":
        flash(gettext("You are confirmed for “%(title)s”.", title=session.title), "success")
    else:
        flash(
            gettext(
                "The session is full: you are %(ordinal)s on the waitlist. You will be "
                "confirmed automatically when a seat opens.",
                ordinal=ordinal(outcome.waitlist_position),
            ),
            "info",
        )
    return redirect(_back_to(session_id))


@bp.post("/sessions/<int:session_id>/cancel")
@login_required
@flash_refusal(_back_or_programme)
def cancel(session_id: int):
    svc.cancel_registration(user=current_user, session_id=session_id, now=clock.now())
    session = visible_session(session_id, current_user)
    flash(
        gettext("Your registration for “%(title)s” is withdrawn.", title=session.title),
        "success",
    )
    return redirect(_back_or_programme(session_id))


@bp.get("/sessions/<int:session_id>/manage")
@organiser_required
def manage(session_id: int):
    session = visible_session(session_id, current_user)
    return render_template(
        "registration/manage.html",
        session=session,
        seats=availability_for(None, [session_id])[session_id],
        roster=session_roster(session_id),
        form=CapacityForm(capacity=session.capacity),
        import_form=ImportForm(),
        ordinal=ordinal,
    )


def _flash_form_errors(form) -> None:
    for errors in form.errors.values():
        for error in errors:
            flash(str(error), "error")


@bp.post("/sessions/<int:session_id>/capacity")
@organiser_required
@flash_refusal(_to_manage)
def capacity(session_id: int):
    visible_session(session_id, current_user)
    form = CapacityForm()
    if not form.validate_on_submit():
        _flash_form_errors(form)
        return redirect(_to_manage(session_id))
    promoted = svc.change_capacity(
        session_id=session_id, new_capacity=form.capacity.data, now=clock.now(), actor=current_user
    )
    flash(
        gettext("Capacity saved; %(count)s promoted from the waitlist.", count=len(promoted)),
        "success",
    )
    return redirect(_to_manage(session_id))


_ACTIONS = {
    "override": lambda rid, now, actor: svc.confirm_with_override(
        registration_id=rid, now=now, actor=actor
    ),
    "remove": lambda rid, now, actor: svc.remove_registration(
        registration_id=rid, now=now, actor=actor
    ),
    "up": lambda rid, now, actor: svc.move_on_waitlist(
        registration_id=rid, direction=-1, now=now, actor=actor
    ),
    "down": lambda rid, now, actor: svc.move_on_waitlist(
        registration_id=rid, direction=1, now=now, actor=actor
    ),
}


def _manage_of(registration_id: int, **_kwargs) -> str:
    session_id = session_id_of_registration(registration_id)
    if session_id is None:
        abort(404, gettext("There is no such registration."))
    return _to_manage(session_id)


@bp.post("/registrations/<int:registration_id>/<action>")
@organiser_required
@flash_refusal(_manage_of)
def act(registration_id: int, action: str):
    if action not in _ACTIONS:
        abort(404, gettext("Unknown action."))
    back = _manage_of(registration_id)
    _ACTIONS[action](registration_id, clock.now(), current_user)
    flash(gettext("Done."), "success")
    return redirect(back)


@bp.post("/sessions/<int:session_id>/import")
@organiser_required
@flash_refusal(_to_manage)
def import_participants(session_id: int):
    session = visible_session(session_id, current_user)
    form = ImportForm()
    if not form.validate_on_submit():
        _flash_form_errors(form)
        return redirect(_to_manage(session_id))
    upload = form.file.data
    rows = imports.read_rows(upload.filename or "", upload.read())
    report = imports.import_participants(
        session_id=session.id, rows=rows, now=clock.now(), actor=current_user
    )
    return render_template("registration/import_report.html", session=session, report=report)


@bp.get("/me")
@login_required
def programme():
    """My programme moved to the participant's own pages."""
    return redirect(url_for("me.programme"), 301)
