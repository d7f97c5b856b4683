"""The public face of the programme: the list of events and an event's timetable."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from meetingapp import clock
from meetingapp.events import bp
from meetingapp.events.queries import events_by_time, timetable_for
from meetingapp.i18n import ordinal
from meetingapp.registration.queries import availability_for


def _viewer():
    return current_user if current_user.is_authenticated else None


@bp.get("/")
def index():
    return render_template("events/index.html", lists=events_by_time(_viewer(), clock.now()))


@bp.get("/events/<int:event_id>")
def event(event_id: int):
    timetable = timetable_for(event_id, _viewer())
    return render_template(
        "events/event.html",
        timetable=timetable,
        event=timetable.event,
        seats=availability_for(_viewer(), timetable.session_ids),
        now=clock.now(),
        ordinal=ordinal,
    )
