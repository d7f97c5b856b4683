"""The organiser's notes on each agenda item of a session, for the meeting's report draft."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from meetingapp import clock
from meetingapp.auth.roles import organiser_required
from meetingapp.domain.errors import ValidationFailed
from meetingapp.extensions import db
from meetingapp.i18n import localise
from meetingapp.models import EventSession
from meetingapp.organise import agenda, bp
from meetingapp.organise.forms import agenda_notes_form, agenda_notes_values


@bp.route("/sessions/<int:session_id>/agenda", methods=["GET", "POST"])
@organiser_required
def agenda_notes(session_id: int):
    session = db.session.get(EventSession, session_id)
    if session is None:
        abort(404, gettext("There is no such session."))
    items = list(session.agenda_items)
    data = {f"item_{i.id}": i.notes for i in items} if request.method == "GET" else None
    form = agenda_notes_form(items, data=data)
    if items and form.validate_on_submit():
        try:
            agenda.save_agenda_notes(
                session_id, agenda_notes_values(form, items), actor=current_user, now=clock.now()
            )
        except ValidationFailed as exc:
            target = form[exc.field] if exc.field in form else form.submit
            target.errors = [*target.errors, localise(exc)]
        else:
            flash(gettext("Notes saved."), "success")
            return redirect(url_for(".event", event_id=session.event_id, _anchor=f"s{session.id}"))
    status = 422 if form.errors else 200
    return render_template(
        "organise/agenda_notes.html", form=form, session=session, items=items
    ), status
