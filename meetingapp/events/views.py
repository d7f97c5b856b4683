from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, render_template
from flask_babel import gettext
from flask_login import current_user

from meetingapp.events import bp
from meetingapp.i18n import ordinal
from meetingapp.models.event import all_events, published_events
from meetingapp.services.programme import timetable_for
from meetingapp.services.registrations import statuses_for_user


@bp.get("/")
def index():
    organiser = current_user.is_authenticated and current_user.is_organiser
    events = all_events() if organiser else published_events()
    return render_template("events/index.html", events=events)


@bp.get("/events/<int:event_id>")
def event(event_id: int):
    timetable = timetable_for(event_id)
    if timetable is None:
        abort(404, gettext("There is no such event."))
    organiser = current_user.is_authenticated and current_user.is_organiser
    if not timetable.event.published and not organiser:
        abort(404, gettext("There is no such event."))
    statuses = {}
    if current_user.is_authenticated:
        statuses = statuses_for_user(current_user.id, [s.id for s in timetable.event.sessions])
    return render_template(
        "events/event.html",
        timetable=timetable,
        event=timetable.event,
        statuses=statuses,
        now=datetime.now(UTC),
        ordinal=ordinal,
    )
