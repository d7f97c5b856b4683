"""Calendar downloads (.ics) and secret subscription feeds."""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, get_locale, gettext
from flask_login import current_user, login_required

from meetingapp import clock, pagecache
from meetingapp.calendar import bp
from meetingapp.calendar import service as svc
from meetingapp.i18n import LANGUAGES, select_locale
from meetingapp.models.event import visible_event
from meetingapp.web import content_disposition


def _session_url(session) -> str:
    return url_for(
        "events.event", event_id=session.event_id, _anchor=f"session-{session.id}", _external=True
    )


def _ics(file: svc.IcsFile, *, inline: bool = False) -> Response:
    response = Response(file.body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = content_disposition(file.filename, inline=inline)
    response.headers["Cache-Control"] = "private, max-age=300" if inline else "private, no-cache"
    return response


def _viewer():
    return current_user if current_user.is_authenticated else None


@bp.get("/events/<int:event_id>.ics")
def event(event_id: int):
    """The whole event's .ics: built once per event version (and language, and host name in its
    links), revalidated by ETag (304 when unchanged)."""
    head = visible_event(event_id, _viewer(), programme=False)  # 404 unless the viewer may see it
    key = (
        "event.ics",
        head.id,
        head.version,
        head.changed_at,
        str(get_locale()),
        request.host_url,
    )
    etag = pagecache.etag_of(key)
    if pagecache.not_modified(etag):
        return pagecache.answer_not_modified(etag, head.changed_at)
    file = pagecache.cached(
        key, lambda: svc.event_calendar(event_id, _session_url, clock.now(), viewer=_viewer())
    )
    return pagecache.validated(_ics(file), etag, head.changed_at)


@bp.get("/sessions/<int:session_id>.ics")
def session(session_id: int):
    return _ics(svc.session_calendar(session_id, _session_url, clock.now(), viewer=_viewer()))


@bp.get("/me.ics")
@login_required
def itinerary():
    return _ics(svc.itinerary_calendar(current_user, _session_url, clock.now()))


@bp.get("/feed/<token>.ics")
def feed(token: str):
    user = svc.user_for_feed_token(token, current_app.config["SECRET_KEY"])
    if user is None:
        abort(404, gettext("This calendar feed does not exist (it may have been reset)."))
    # A feed has no logged-in reader: its owner's chosen language, else the calendar client's.
    with force_locale(user.locale if user.locale in LANGUAGES else select_locale()):
        return _ics(svc.feed_calendar(user, _session_url, clock.now()), inline=True)


@bp.get("/feed/reset")
@login_required
def confirm_reset_feed():
    return render_template("calendar/confirm_reset.html")


@bp.post("/feed/reset")
@login_required
def reset_feed():
    if request.form.get("confirmed") != "yes":
        return redirect(url_for(".confirm_reset_feed"), 303)
    svc.reset_feed_token(current_user)
    flash(gettext("Your calendar feed has a new address; the old one no longer works."), "success")
    return redirect(url_for("me.programme", _anchor="calendar"))
