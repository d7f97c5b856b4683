from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from meetingapp.auth.roles import organiser_required
from meetingapp.domain.errors import DomainError
from meetingapp.extensions import db
from meetingapp.i18n import localise, ordinal
from meetingapp.models import EventSession
from meetingapp.registration import bp
from meetingapp.registration.forms import CapacityForm, ImportForm
from meetingapp.services import registrations as svc


def _now() -> datetime:
    return datetime.now(UTC)


def _back_to(session: EventSession) -> str:
    return url_for("events.event", event_id=session.event_id, _anchor=f"session-{session.id}")


def _session_or_404(session_id: int) -> EventSession:
    session = db.session.get(EventSession, session_id)
    if session is None:
        abort(404, gettext("There is no such session."))
    return session


@bp.post("/sessions/<int:session_id>")
@login_required
def register(session_id: int):
    session = _session_or_404(session_id)
    back = _back_to(session)
    try:
        outcome = svc.register_participant(user=current_user, session_id=session_id, now=_now())
    except DomainError as exc:
        flash(localise(exc), "error")
        return redirect(back)
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
    return redirect(back)


@bp.post("/sessions/<int:session_id>/cancel")
@login_required
def cancel(session_id: int):
    session = _session_or_404(session_id)
    try:
        svc.cancel_registration(user=current_user, session_id=session_id, now=_now())
    except DomainError as exc:
        flash(localise(exc), "error")
    else:
        flash(
            gettext("Your registration for “%(title)s” is withdrawn.", title=session.title),
            "success",
        )
    return redirect(
        request.form.get("back") == "programme" and url_for(".programme") or _back_to(session)
    )


@bp.get("/me")
@login_required
def programme():
    rows = svc.my_registrations(current_user.id)
    notifications = svc.unread_notifications(current_user.id)
    from meetingapp.calendar.views import feed_urls
    from meetingapp.checkin.qr import qr_svg
    from meetingapp.services.checkin import qr_code_for
    from meetingapp.services.notices import in_reader_language
    from meetingapp.services.rotation import itinerary_for, tables_hosted_by

    feed_https, feed_webcal = feed_urls(current_user)
    qr_code = qr_code_for(current_user, current_app.config["SECRET_KEY"])
    return render_template(
        "registration/programme.html",
        rows=rows,
        notifications=notifications,
        now=_now(),
        ordinal=ordinal,
        stops=itinerary_for(current_user.id),
        hosted=tables_hosted_by(current_user.id),
        feed_https=feed_https,
        feed_webcal=feed_webcal,
        qr_code=qr_code,
        qr_svg=qr_svg(qr_code),
        notice_text=in_reader_language,
    )


@bp.get("/sessions/<int:session_id>/manage")
@organiser_required
def manage(session_id: int):
    session = _session_or_404(session_id)
    form = CapacityForm(capacity=session.capacity)
    return render_template(
        "registration/manage.html",
        session=session,
        roster=svc.session_roster(session_id),
        form=form,
        import_form=ImportForm(),
        ordinal=ordinal,
    )


@bp.post("/sessions/<int:session_id>/capacity")
@organiser_required
def capacity(session_id: int):
    session = _session_or_404(session_id)
    form = CapacityForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return redirect(url_for(".manage", session_id=session_id))
    try:
        promoted = svc.change_capacity(
            session_id=session_id, new_capacity=form.capacity.data, now=_now(), actor=current_user
        )
    except DomainError as exc:
        flash(localise(exc), "error")
    else:
        flash(
            gettext("Capacity saved; %(count)s promoted from the waitlist.", count=len(promoted)),
            "success",
        )
    return redirect(url_for(".manage", session_id=session.id))


@bp.post("/registrations/<int:registration_id>/<action>")
@organiser_required
def act(registration_id: int, action: str):
    actions = {
        "override": lambda: svc.confirm_with_override(
            registration_id=registration_id, now=_now(), actor=current_user
        ),
        "remove": lambda: svc.remove_registration(
            registration_id=registration_id, now=_now(), actor=current_user
        ),
        "up": lambda: svc.move_on_waitlist(
            registration_id=registration_id, direction=-1, now=_now(), actor=current_user
        ),
        "down": lambda: svc.move_on_waitlist(
            registration_id=registration_id, direction=1, now=_now(), actor=current_user
        ),
    }
    if action not in actions:
        abort(404, gettext("Unknown action."))
    session_id = svc.session_id_of_registration(registration_id)
    if session_id is None:
        abort(404, gettext("There is no such registration."))
    try:
        actions[action]()
    except DomainError as exc:
        flash(localise(exc), "error")
    else:
        flash(gettext("Done."), "success")
    return redirect(url_for(".manage", session_id=session_id))


@bp.post("/sessions/<int:session_id>/import")
@organiser_required
def import_participants(session_id: int):
    from meetingapp.services import imports

    session = _session_or_404(session_id)
    form = ImportForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return redirect(url_for(".manage", session_id=session_id))
    upload = form.file.data
    try:
        rows = imports.read_rows(upload.filename or "", upload.read())
        report = imports.import_participants(
            session_id=session.id, rows=rows, now=_now(), actor=current_user
        )
    except DomainError as exc:
        flash(localise(exc), "error")
        return redirect(url_for(".manage", session_id=session_id))
    return render_template("registration/import_report.html", session=session, report=report)


@bp.post("/me/mail")
@login_required
def mail_preferences():
    from meetingapp.services.accounts import set_optional_mail

    set_optional_mail(current_user, request.form.get("optional") == "on")
    flash(gettext("Your e-mail preferences are saved."), "success")
    return redirect(url_for(".programme", _anchor="mail"))
