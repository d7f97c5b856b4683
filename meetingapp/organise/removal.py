"""Deleting or cancelling an event or a session, and restoring a cancelled event: each asks
first, on a page that works without JavaScript and says what will happen."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user

from meetingapp import clock
from meetingapp.auth.roles import organiser_required
from meetingapp.extensions import db
from meetingapp.models import EventSession
from meetingapp.organise import bp, service, sessions
from meetingapp.registration.queries import session_roster
from meetingapp.web import flash_refusal

NOTE_LIMIT = 2000


def _confirmed() -> bool:
    return request.form.get("confirmed") == "yes"


def _note() -> str:
    return request.form.get("note", "")[:NOTE_LIMIT]


def _event_page(event_id: int, **_kwargs) -> str:
    return url_for(".event", event_id=service.event_for_organiser(event_id).id)


@bp.get("/events/<int:event_id>/delete")
@organiser_required
def confirm_delete_event(event_id: int):
    event = service.event_for_organiser(event_id)
    return render_template(
        "organise/confirm_event.html", event=event, removal=service.removal_of_event(event_id)
    )


@bp.post("/events/<int:event_id>/delete")
@organiser_required
@flash_refusal(_event_page)
def delete_event(event_id: int):
    service.event_for_organiser(event_id)  # an unknown event is a 404, asked or not
    if not _confirmed():
        return redirect(url_for(".confirm_delete_event", event_id=event_id), 303)
    removal = service.removal_of_event(event_id)
    title = service.event_for_organiser(event_id).title
    outcome = service.delete_or_cancel_event(
        event_id, actor=current_user, now=clock.now(), note=_note()
    )
    if outcome == "deleted":
        flash(gettext("“%(title)s” is deleted.", title=title), "success")
        return redirect(url_for(".dashboard"))
    flash(
        ngettext(
            "“%(title)s” is cancelled; %(num)d person is told by e-mail.",
            "“%(title)s” is cancelled; %(num)d people are told by e-mail.",
            removal.people,
            title=title,
        ),
        "warning",
    )
    return redirect(url_for(".event", event_id=event_id))


@bp.get("/events/<int:event_id>/restore")
@organiser_required
def confirm_restore_event(event_id: int):
    event = service.event_for_organiser(event_id)
    return render_template(
        "organise/confirm_restore.html", event=event, removal=service.removal_of_event(event_id)
    )


@bp.post("/events/<int:event_id>/restore")
@organiser_required
@flash_refusal(_event_page)
def restore_event(event_id: int):
    service.event_for_organiser(event_id)  # an unknown event is a 404, asked or not
    if not _confirmed():
        return redirect(url_for(".confirm_restore_event", event_id=event_id), 303)
    told = service.restore_event(event_id, actor=current_user, now=clock.now())
    flash(
        ngettext(
            "The event is on again; %(num)d person is told.",
            "The event is on again; %(num)d people are told.",
            told,
        ),
        "success",
    )
    return redirect(url_for(".event", event_id=event_id))


def _session(session_id: int) -> EventSession:
    return sessions.session_for_organiser(session_id)


def _session_event_page(session_id: int, **_kwargs) -> str:
    return url_for(".event", event_id=_session(session_id).event_id)


@bp.get("/sessions/<int:session_id>/delete")
@organiser_required
def confirm_delete_session(session_id: int):
    session = _session(session_id)
    roster = session_roster(session.id)
    return render_template(
        "organise/confirm_session.html",
        session=session,
        confirmed=len(roster["confirmed"]),
        waiting=len(roster["waitlisted"]),
        ever=sum(len(rows) for rows in roster.values()),
    )


@bp.post("/sessions/<int:session_id>/delete")
@organiser_required
@flash_refusal(_session_event_page)
def delete_session(session_id: int):
    session = _session(session_id)  # an unknown session is a 404, asked or not
    if not _confirmed():
        return redirect(url_for(".confirm_delete_session", session_id=session_id), 303)
    event_id, title = session.event_id, session.title
    db.session.rollback()
    outcome = sessions.delete_session(session_id, actor=current_user, now=clock.now(), note=_note())
    flash(
        gettext("“%(title)s” is deleted.", title=title)
        if outcome == "deleted"
        else gettext("“%(title)s” is cancelled; the people registered are told.", title=title),
        "success" if outcome == "deleted" else "warning",
    )
    return redirect(url_for(".event", event_id=event_id))
