"""Registering and withdrawing (participants), rosters, capacity, overrides and imports
(organisers)."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user, login_required

from meetingapp import clock
from meetingapp.auth.roles import organiser_required
from meetingapp.domain.timezones import local_to_utc, utc_to_local, zone_label
from meetingapp.i18n import content, content_of, format_local, localise, ordinal
from meetingapp.models.event import visible_session
from meetingapp.models.organisation import all_organisations
from meetingapp.registration import bp, imports
from meetingapp.registration import service as svc
from meetingapp.registration.forms import AddPersonForm, CapacityForm, ImportForm, ReconfirmForm
from meetingapp.registration.queries import (
    availability_for,
    reconfirmation_state,
    session_id_of_registration,
    waitlist_position,
)
from meetingapp.registration.roster import (
    RosterFilter,
    names_of,
    registration_with_person,
    roster_page,
    seat_taker_if_removed,
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
    outcome = svc.register_participant(
        user=current_user,
        session_id=session_id,
        now=clock.now(),
        online=request.form.get("attendance") == "online",
    )
    title = content_of(outcome.session_title, outcome.session_translations)
    for warning in outcome.warnings:
        flash(localise(warning), "warning")
    if outcome.status == "confirmed" and outcome.online:
        flash(
            gettext("You are confirmed to attend “%(title)s” online.", title=title),
            "success",
        )
    elif outcome.status == "confirmed":
        flash(gettext("You are confirmed for “%(title)s”.", title=title), "success")
    elif outcome.waitlist_mode == "offer":
        flash(
            gettext(
                "The session is full: you are %(ordinal)s on the waitlist. When a seat opens "
                "for you it is offered to you by mail and on My programme, to accept in time.",
                ordinal=ordinal(outcome.waitlist_position),
            ),
            "info",
        )
    else:
        flash(
            gettext(
                "The session is full: you are %(ordinal)s on the waitlist. You will be "
                "confirmed automatically when a seat opens.",
                ordinal=ordinal(outcome.waitlist_position),
            ),
            "info",
        )
    back = url_for("events.event", event_id=outcome.event_id, _anchor=f"session-{session_id}")
    return redirect(back)


@bp.post("/sessions/<int:session_id>/cancel")
@login_required
@flash_refusal(_back_or_programme)
def cancel(session_id: int):
    svc.cancel_registration(user=current_user, session_id=session_id, now=clock.now())
    session = visible_session(session_id, current_user)
    flash(
        gettext("Your registration for “%(title)s” is withdrawn.", title=content(session)),
        "success",
    )
    return redirect(_back_or_programme(session_id))


@bp.post("/sessions/<int:session_id>/accept")
@login_required
@flash_refusal(_back_or_programme)
def accept_offer(session_id: int):
    svc.accept_offer(user=current_user, session_id=session_id, now=clock.now())
    session = visible_session(session_id, current_user)
    flash(gettext("You are confirmed for “%(title)s”.", title=content(session)), "success")
    return redirect(_back_or_programme(session_id))


@bp.post("/sessions/<int:session_id>/reconfirm")
@login_required
@flash_refusal(_back_or_programme)
def reconfirm(session_id: int):
    svc.reconfirm(user=current_user, session_id=session_id, now=clock.now())
    session = visible_session(session_id, current_user)
    flash(
        gettext("Thank you: your seat for “%(title)s” is reconfirmed.", title=content(session)),
        "success",
    )
    return redirect(_back_or_programme(session_id))


@bp.get("/sessions/<int:session_id>/manage")
@organiser_required
def manage(session_id: int):
    session = visible_session(session_id, current_user)
    chosen = RosterFilter.from_args(request.args)
    add_form = AddPersonForm()
    add_form.organisation.choices = _organisation_choices()
    return render_template(
        "registration/manage.html",
        session=session,
        seats=availability_for(None, [session_id])[session_id],
        roster=roster_page(session_id, chosen),
        form=CapacityForm(capacity=session.capacity),
        reconfirm_form=_reconfirm_form(session),
        now=clock.now(),
        reconfirmation=reconfirmation_state(session),
        import_form=ImportForm(),
        add_form=add_form,
        ordinal=ordinal,
    )


def _organisation_choices() -> list[tuple[int, str]]:
    empty = gettext("— choose, for a new account —")
    return [(0, empty)] + [(o.id, o.label) for o in all_organisations()]


def _flash_form_errors(form) -> None:
    for errors in form.errors.values():
        for error in errors:
            flash(str(error), "error")


def _reconfirm_form(session) -> ReconfirmForm:
    """Filled with the deadline given before, or a day before the session."""
    tz = session.event.timezone
    deadline = session.reconfirm_deadline or (session.starts_at - timedelta(days=1))
    return ReconfirmForm(
        deadline=utc_to_local(deadline, tz).replace(tzinfo=None),
        releases=session.reconfirm_releases,
    )


def _local_with_zone(instant, event) -> str:
    """'02 Dec 2026 10:00 CET (UTC+1)', as the pages write an instant."""
    local = format_local(utc_to_local(instant, event.timezone), "%d %b %Y %H:%M")
    return f"{local} {zone_label(instant, event.timezone, event.city)}"


@bp.post("/sessions/<int:session_id>/reconfirmation")
@organiser_required
@flash_refusal(_to_manage)
def ask_reconfirmation(session_id: int):
    session = visible_session(session_id, current_user)
    form = ReconfirmForm()
    if not form.validate_on_submit():
        _flash_form_errors(form)
        return redirect(_to_manage(session_id))
    asked = svc.ask_reconfirmation(
        session_id=session_id,
        deadline=local_to_utc(form.deadline.data, session.event.timezone),
        releases=form.releases.data,
        now=clock.now(),
        actor=current_user,
    )
    flash(
        ngettext(
            "%(num)d person was asked to reconfirm by %(deadline)s.",
            "%(num)d people were asked to reconfirm by %(deadline)s.",
            asked.asked,
            deadline=_local_with_zone(asked.deadline, session.event),
        ),
        "success",
    )
    return redirect(_to_manage(session_id))


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


def _manage_of(registration_id: int, **_kwargs) -> str:
    session_id = session_id_of_registration(registration_id)
    if session_id is None:
        abort(404, gettext("There is no such registration."))
    return _to_manage(session_id)


def _said_after(action: str, name: str, title: str, promoted: list[int], registration_id: int):
    """What happened, in words: "Removed Ana Silva from “Training day”."."""
    if action == "remove":
        said = gettext("Removed %(name)s from “%(title)s”.", name=name, title=title)
        if promoted:
            said += " " + gettext(
                "%(names)s got the seat from the waitlist.", names=", ".join(names_of(promoted))
            )
        return said
    if action == "override":
        return gettext("Confirmed %(name)s for “%(title)s” past capacity.", name=name, title=title)
    position = ordinal(waitlist_position(registration_with_person(registration_id)) or 0)
    if action == "up":
        return gettext(
            "Moved %(name)s up: now %(ordinal)s on the waitlist.", name=name, ordinal=position
        )
    return gettext(
        "Moved %(name)s down: now %(ordinal)s on the waitlist.", name=name, ordinal=position
    )


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


@bp.post("/registrations/<int:registration_id>/<action>")
@organiser_required
@flash_refusal(_manage_of)
def act(registration_id: int, action: str):
    if action not in _ACTIONS:
        abort(404, gettext("Unknown action."))
    back = safe_next(request.form.get("next")) or _manage_of(registration_id)
    if action == "remove" and request.form.get("confirmed") != "yes":
        # Removing asks first, on a page of its own (no script needed).
        return redirect(url_for(".confirm_remove", registration_id=registration_id, next=back))
    reg = registration_with_person(registration_id)
    name, title = reg.user.name, reg.session.title
    promoted = _ACTIONS[action](registration_id, clock.now(), current_user)
    flash(_said_after(action, name, title, promoted or [], registration_id), "success")
    return redirect(back)


@bp.get("/registrations/<int:registration_id>/confirm-remove")
@organiser_required
def confirm_remove(registration_id: int):
    reg = registration_with_person(registration_id)
    if reg is None:
        abort(404, gettext("There is no such registration."))
    session = visible_session(reg.session_id, current_user)
    back = safe_next(request.args.get("next")) or url_for(".manage", session_id=session.id)
    confirmed = reg.status.value == "confirmed"
    return render_template(
        "registration/confirm_remove.html",
        reg=reg,
        session=session,
        back=back,
        next_in_line=seat_taker_if_removed(session.id) if confirmed else None,
    )


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
        session_id=session.id,
        rows=rows,
        now=clock.now(),
        actor=current_user,
        create_entities=form.create_entities.data,
    )
    return render_template("registration/import_report.html", session=session, report=report)


@bp.get("/me")
@login_required
def programme():
    """My programme moved to the participant's own pages."""
    return redirect(url_for("me.programme"), 301)
