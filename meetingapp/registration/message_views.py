"""Writing to a segment of a session or an event: compose (each segment with its count), preview
(how many, who, the text as the first of them receives it), then send through the outbox. No
script needed: "Preview" and "Send to N people" are plain submit buttons."""

from __future__ import annotations

import uuid
from dataclasses import replace

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user

from meetingapp import clock
from meetingapp.auth.roles import organiser_required
from meetingapp.domain.errors import DomainError
from meetingapp.i18n import localise
from meetingapp.mail import messages
from meetingapp.models import Event, EventSession
from meetingapp.models.event import visible_event, visible_session
from meetingapp.registration import bp
from meetingapp.registration.forms import MessageForm
from meetingapp.registration.roster import RosterFilter

SAMPLE = 20  # names listed on the preview


def _audience(event: Event, session: EventSession | None, values) -> messages.Audience:
    ids = tuple(
        int(v) for v in values.getlist("ids") if v.isascii() and v.isdigit() and len(v) < 10
    )[:5000]
    return messages.Audience(
        event_id=event.id,
        session_id=session.id if session else None,
        segment=values.get("segment") or "registered",
        registration_ids=ids,
        roster_filter=RosterFilter.from_args(values),
    )


def _choices(audience: messages.Audience, session: EventSession | None) -> list[tuple[str, str]]:
    counts = messages.segment_counts(audience)
    extra = []
    if session is not None and audience.registration_ids:
        extra.append("chosen")
    if session is not None and audience.segment == "filtered":
        extra.append("filtered")
    for segment in extra:
        counts[segment] = len(messages.recipients(_with(audience, segment)))
    return [
        (
            segment,
            ngettext(
                "%(segment)s (%(num)d person)",
                "%(segment)s (%(num)d people)",
                counts[segment],
                segment=gettext(messages.SEGMENT_LABELS[segment]),
            ),
        )
        for segment in (*messages.SEGMENTS, *extra)
    ]


def _with(audience: messages.Audience, segment: str) -> messages.Audience:
    return replace(audience, segment=segment)


def _message_page(event: Event, session: EventSession | None, back: str):
    values = request.form if request.method == "POST" else request.args
    audience = _audience(event, session, values)
    form = MessageForm(segment=audience.segment)
    form.segment.choices = _choices(audience, session)
    page = {"event": event, "session": session, "back": back, "form": form, "audience": audience}
    if request.method == "POST" and "edit" not in request.form and form.validate_on_submit():
        if audience.segment not in dict(form.segment.choices):
            form.segment.errors.append(gettext("Choose who receives the message."))
        elif "send" in request.form:
            return _send(form, audience, page)
        else:
            return _preview(form, audience, page)
    return render_template("registration/message.html", **page), 422 if form.errors else 200


def _preview(form: MessageForm, audience: messages.Audience, page: dict):
    people = messages.recipients(audience)
    if not people:
        form.segment.errors.append(gettext("Nobody is in this segment."))
        return render_template("registration/message.html", **page), 422
    try:
        subject, body = messages.clean_text(form.subject.data, form.body.data)
    except DomainError as exc:
        form.body.errors.append(localise(exc))
        return render_template("registration/message.html", **page), 422
    form.key.data, form.expected.data = uuid.uuid4().hex, str(len(people))
    return render_template(
        "registration/message_preview.html",
        people=people[:SAMPLE],
        count=len(people),
        subject=subject,
        text=messages.preview_text(audience, subject, body, people[0]),
        segment_label=dict(form.segment.choices)[audience.segment],
        **page,
    )


def _send(form: MessageForm, audience: messages.Audience, page: dict):
    expected = form.expected.data or ""
    try:
        sent = messages.send_message(
            audience=audience,
            subject=form.subject.data,
            body=form.body.data,
            key=form.key.data or "",
            expected=int(expected) if expected.isascii() and expected.isdigit() else -1,
            now=clock.now(),
            actor=current_user,
        )
    except messages.AlreadySent as exc:
        flash(localise(exc), "error")
        return redirect(url_for("organise.outbox", kind="organiser_message"))
    except DomainError as exc:
        flash(localise(exc), "error")
        return render_template("registration/message.html", **page), exc.status_code
    flash(
        ngettext(
            "Queued “%(subject)s” for %(num)d person: it is sent from the outbox below.",
            "Queued “%(subject)s” for %(num)d people: each is sent from the outbox below.",
            sent.count,
            subject=sent.subject,
        ),
        "success",
    )
    return redirect(url_for("organise.outbox", kind="organiser_message"))


@bp.route("/sessions/<int:session_id>/message", methods=["GET", "POST"])
@organiser_required
def session_message(session_id: int):
    session = visible_session(session_id, current_user)
    if not session.registrable:
        abort(404, gettext("There is no such session."))
    return _message_page(session.event, session, url_for(".manage", session_id=session.id))


@bp.route("/events/<int:event_id>/message", methods=["GET", "POST"])
@organiser_required
def event_message(event_id: int):
    event = visible_event(event_id, current_user, programme=False)
    return _message_page(event, None, url_for("organise.event", event_id=event.id))
