"""A participant's own pages: My programme, the table rotation, e-mail preferences."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from meetingapp import clock
from meetingapp.accounts.service import set_optional_mail
from meetingapp.calendar.service import feed_urls
from meetingapp.certificates.queries import my_certificate_sessions
from meetingapp.checkin.qr import qr_code_for, qr_svg
from meetingapp.entities.queries import represented_entities
from meetingapp.i18n import content, ordinal
from meetingapp.mail.notices import in_reader_language
from meetingapp.me import bp
from meetingapp.me.queries import my_registrations, recent_notifications
from meetingapp.models.event import visible_session
from meetingapp.registration.queries import availability_for
from meetingapp.rotation.queries import itinerary_for, itinerary_with_duties, tables_hosted_by


@bp.get("/")
@login_required
def programme():
    feed_https, feed_webcal = feed_urls(current_user)
    qr_code = qr_code_for(current_user, current_app.config["SECRET_KEY"])
    return render_template(
        "me/programme.html",
        rows=my_registrations(current_user.id),
        notifications=recent_notifications(current_user.id),
        now=clock.now(),
        ordinal=ordinal,
        stops=itinerary_for(current_user.id),
        hosted=tables_hosted_by(current_user.id),
        feed_https=feed_https,
        feed_webcal=feed_webcal,
        qr_code=qr_code,
        qr_svg=qr_svg(qr_code),
        notice_text=in_reader_language,
        certificates=my_certificate_sessions(current_user.id),
        represented=represented_entities(current_user.id),
    )


@bp.get("/itinerary")
@login_required
def itinerary():
    return render_template(
        "me/itinerary.html",
        stops=itinerary_with_duties(current_user.id),
        hosted=tables_hosted_by(current_user.id),
    )


@bp.post("/mail")
@login_required
def mail_preferences():
    set_optional_mail(current_user, request.form.get("optional") == "on")
    flash(gettext("Your e-mail preferences are saved."), "success")
    return redirect(url_for(".programme", _anchor="mail"))


@bp.get("/sessions/<int:session_id>/withdraw")
@login_required
def confirm_withdraw(session_id: int):
    """Ask before giving up a seat or a place on the waitlist, saying who is waiting."""
    session = visible_session(session_id, current_user)
    seat = availability_for(current_user, [session_id])[session_id]
    if seat.my_status is None:
        flash(gettext("You are not registered for “%(title)s”.", title=content(session)), "info")
        return redirect(url_for(".programme"))
    return render_template(
        "me/confirm_withdraw.html",
        session=session,
        seat=seat,
        back=request.args.get("back", ""),
    )
