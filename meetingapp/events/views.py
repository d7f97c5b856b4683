"""The public face of the programme: the list of events and an event's timetable.

The timetable is the same for every viewer of one kind (anonymous, participant, organiser) but
for the registration controls of the sessions a viewer is registered for: it is built once per
event version, language and time state (``pagecache``), and only those controls are drawn for
each request. Anonymous visitors also get an ETag: an unchanged programme answers 304.
"""

from __future__ import annotations

from flask import get_template_attribute, make_response, render_template, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import select

from meetingapp import clock, pagecache
from meetingapp.domain.visibility import can_see_online_link
from meetingapp.events import bp
from meetingapp.events.queries import (
    events_by_time,
    seats_fingerprint,
    time_state,
    timetable_for,
)
from meetingapp.extensions import db
from meetingapp.i18n import ordinal
from meetingapp.models import EventSession
from meetingapp.models.event import visible_event
from meetingapp.registration.queries import availability_for, sessions_registered_in_event

# Stands for the viewer's CSRF token in a cached programme (a token is per browser session).
CSRF_PLACEHOLDER = "\x00csrf\x00"


def _viewer():
    return current_user if current_user.is_authenticated else None


@bp.app_template_global()
def may_see_online_link(seat) -> bool:
    """The hybrid link and details in a session's controls: organisers and the confirmed
    (a cached programme is per kind of reader, and holds nobody's registration)."""
    return can_see_online_link(_viewer(), seat.my_status)


def _role(viewer) -> str:
    if viewer is None:
        return "anonymous"
    return "organiser" if viewer.is_organiser else "participant"


@bp.get("/")
def index():
    return render_template("events/index.html", lists=events_by_time(_viewer(), clock.now()))


@bp.get("/events/<int:event_id>")
def event(event_id: int):
    viewer, now = _viewer(), clock.now()
    event = visible_event(event_id, viewer, programme=False)  # 404 unless the viewer may see it
    role = _role(viewer)
    key = (
        "programme",
        event.id,
        event.version,
        event.changed_at,
        time_state(event.id, now),
        seats_fingerprint(event.id, now),
        str(get_locale()),
        role,
    )
    etag = pagecache.etag_of(key)
    quiet = "_flashes" not in session  # a pending message must be shown, not revalidated away
    if role == "anonymous" and quiet and pagecache.not_modified(etag):
        return pagecache.answer_not_modified(etag, event.changed_at)
    programme = pagecache.cached(key, lambda: _programme(event_id, viewer, role, now))
    if viewer is not None:
        programme = _with_own_controls(programme, event, viewer, role, now)
    # Our own autoescaped templates drew every byte of it (the token is generate_csrf's).
    page = Markup(programme)  # noqa: S704  # nosec B704
    response = make_response(render_template("events/event.html", event=event, programme=page))
    if role == "anonymous" and quiet:
        pagecache.validated(response, etag, event.changed_at)
    return response


def _programme(event_id: int, viewer, role: str, now) -> str:
    """The whole programme with everyone's controls (nobody registered), for the cache."""
    timetable = timetable_for(event_id, viewer)
    return render_template(
        "events/_programme.html",
        timetable=timetable,
        event=timetable.event,
        seats=availability_for(None, timetable.session_ids),
        now=now,
        ordinal=ordinal,
        role=role,
        csrf=CSRF_PLACEHOLDER,
    )


def _with_own_controls(programme: str, event, viewer, role: str, now) -> str:
    """The viewer's token in the forms, and their own state on the sessions they hold a
    registration for (a constant number of queries for any number of them)."""
    mine = sessions_registered_in_event(viewer.id, event.id)
    register_box = get_template_attribute("events/_register.html", "register_box")
    if mine:
        seats = availability_for(viewer, mine)
        for s in db.session.scalars(select(EventSession).where(EventSession.id.in_(mine))):
            fresh = str(register_box(s, seats[s.id], event, now, role, CSRF_PLACEHOLDER))
            programme = _replace_region(programme, s.id, fresh)
    return programme.replace(CSRF_PLACEHOLDER, generate_csrf())


def _replace_region(programme: str, session_id: int, fresh: str) -> str:
    """Swap a session's registration controls (between its markers) for ``fresh``."""
    start_mark, end_mark = f"<!--reg:{session_id}-->", f"<!--/reg:{session_id}-->"
    start = programme.find(start_mark)
    end = programme.find(end_mark, start)
    if start < 0 or end < 0:
        return programme
    return programme[: start + len(start_mark)] + fresh + programme[end:]
