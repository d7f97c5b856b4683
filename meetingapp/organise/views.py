"""Organisers schedule events, sessions, training days and speed-networking tables."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from meetingapp import clock
from meetingapp.auth.roles import organiser_required
from meetingapp.domain.errors import DomainError, ValidationFailed
from meetingapp.domain.i18n import N_
from meetingapp.domain.timezones import common_zones
from meetingapp.events.queries import timetable_for
from meetingapp.extensions import db
from meetingapp.i18n import localise
from meetingapp.models import Event, EventSession, SessionKind, TopicTable
from meetingapp.models.organisation import all_organisations
from meetingapp.organise import bp, service, sessions
from meetingapp.organise.forms import (
    CloneForm,
    EventForm,
    SessionForm,
    TableForm,
    event_form_values,
    session_form_data,
    session_form_values,
    table_form_values,
)
from meetingapp.organise.mappers import EventData, SessionData, TableData, session_values
from meetingapp.organise.queries import dashboard_for, host_choices, trail_for_event
from meetingapp.registration.queries import availability_for
from meetingapp.rotation.queries import has_rotation
from meetingapp.web import flash_refusal


def _org_choices(empty: str) -> list[tuple[int, str]]:
    return [(0, empty)] + [(o.id, o.label) for o in all_organisations()]


def _attach(form, exc: ValidationFailed, fallback: str) -> None:
    names = {"starts_at": "day", "ends_at": "end_time", "organisation": "organisation"}
    name = names.get(exc.field, exc.field) if exc.field else None
    field = getattr(form, name, None) if name else None
    (field if field is not None else getattr(form, fallback)).errors.append(localise(exc))


_MISSING = {
    "event": N_("There is no such event."),
    "session": N_("There is no such session."),
    "training day": N_("There is no such training day."),
    "table": N_("There is no such table."),
}


def _get(model, ident: int, what: str):
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404, gettext(_MISSING[what]))
    return obj


def _to_event(event_id: int, **_kwargs) -> str:
    return url_for(".event", event_id=_get(Event, event_id, "event").id)


@bp.get("/")
@organiser_required
def dashboard():
    dashboard = dashboard_for(current_user, clock.now())
    return render_template("organise/dashboard.html", dashboard=dashboard)


@bp.route("/events/new", methods=["GET", "POST"])
@organiser_required
def new_event():
    form = EventForm()
    form.organisation.choices = _org_choices(gettext("— none —"))
    if form.validate_on_submit():
        try:
            data = EventData.from_values(event_form_values(form))
            event = service.create_event(data, actor=current_user, now=clock.now())
        except ValidationFailed as exc:
            _attach(form, exc, "title")
        else:
            flash(
                gettext("Event created (unpublished). Add its sessions, then publish it."),
                "success",
            )
            return redirect(url_for(".event", event_id=event.id))
    return _event_form(form, None)


def _event_form(form, event):
    status = 422 if form.errors else 200
    return render_template(
        "organise/event_form.html", form=form, event=event, zones=common_zones()
    ), status


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@organiser_required
def edit_event(event_id: int):
    event = _get(Event, event_id, "event")
    form = EventForm(obj=event if request.method == "GET" else None)
    form.organisation.choices = _org_choices(gettext("— none —"))
    if request.method == "GET":
        form.organisation.data = event.organisation_id or 0
    if form.validate_on_submit():
        try:
            data = EventData.from_values(event_form_values(form), current_timezone=event.timezone)
            service.update_event(event_id, data, actor=current_user, now=clock.now())
        except ValidationFailed as exc:
            _attach(form, exc, "title")
        else:
            flash(gettext("Event saved."), "success")
            return redirect(url_for(".event", event_id=event_id))
    return _event_form(form, event)


@bp.get("/events/<int:event_id>")
@organiser_required
def event(event_id: int):
    timetable = timetable_for(event_id, current_user)
    return render_template(
        "organise/event.html",
        event=timetable.event,
        timetable=timetable,
        seats=availability_for(None, timetable.session_ids),
    )


@bp.post("/events/<int:event_id>/<any(publish, unpublish):action>")
@organiser_required
@flash_refusal(_to_event)
def publish(event_id: int, action: str):
    service.set_published(event_id, action == "publish", actor=current_user, now=clock.now())
    flash(
        gettext("Event published.") if action == "publish" else gettext("Event unpublished."),
        "success",
    )
    return redirect(url_for(".event", event_id=event_id))


def _session_form(form, event, session=None, parent=None):
    status = 422 if form.errors else 200
    return render_template(
        "organise/session_form.html", form=form, event=event, session=session, parent=parent
    ), status


def _session_data(form: SessionForm, tz: str) -> SessionData:
    return SessionData.from_values(session_form_values(form), tz)


@bp.route("/events/<int:event_id>/sessions/new", methods=["GET", "POST"])
@organiser_required
def new_session(event_id: int):
    event = _get(Event, event_id, "event")
    parent_id = request.args.get("parent", type=int)
    if parent_id is not None and not 0 < parent_id < 2**31:
        abort(404, gettext(_MISSING["training day"]))
    parent = _get(EventSession, parent_id, "training day") if parent_id else None
    form = SessionForm()
    form.lead_organisation.choices = _org_choices(gettext("— none —"))
    if parent is not None:
        form.kind.choices = [(SessionKind.PART.value, gettext(SessionKind.PART.label))]
    if request.method == "GET":
        form.kind.data = request.args.get("kind", SessionKind.MEETING.value)
        form.day.data = event.starts_on
    if form.validate_on_submit():
        try:
            sessions.create_session(
                event_id,
                _session_data(form, event.timezone),
                actor=current_user,
                now=clock.now(),
                parent_id=parent.id if parent else None,
            )
        except ValidationFailed as exc:
            _attach(form, exc, "title")
        else:
            flash(gettext("Session added."), "success")
            return redirect(url_for(".event", event_id=event_id))
    return _session_form(form, event, parent=parent)


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@organiser_required
def edit_session(session_id: int):
    session = _get(EventSession, session_id, "session")
    data = session_form_data(session_values(session), session.kind.value)
    form = SessionForm(data=data if request.method == "GET" else None)
    form.lead_organisation.choices = _org_choices(gettext("— none —"))
    if session.parent_id:
        form.kind.choices = [(SessionKind.PART.value, gettext(SessionKind.PART.label))]
    if form.validate_on_submit():
        try:
            saved = sessions.update_session(
                session_id,
                _session_data(form, session.event.timezone),
                actor=current_user,
                now=clock.now(),
            )
        except ValidationFailed as exc:
            _attach(form, exc, "title")
        except DomainError as exc:
            form.capacity.errors.append(localise(exc))
        else:
            flash(gettext("Session saved."), "success")
            if saved.timing_changed and has_rotation(session_id):
                flash(
                    gettext(
                        "The rounds changed after a rotation was planned: re-plan the rotation."
                    ),
                    "warning",
                )
            return redirect(url_for(".event", event_id=session.event_id))
    return _session_form(form, session.event, session=session, parent=session.parent)


def _to_event_of_session(session_id: int, **_kwargs) -> str:
    return url_for(".event", event_id=_get(EventSession, session_id, "session").event_id)


def _table_form(form: TableForm) -> None:
    form.host_organisation.choices = _org_choices(gettext("— none —"))
    form.host_user.choices = [(0, gettext("— none —"))] + host_choices()


def _replan_warning(session_id: int) -> None:
    if has_rotation(session_id):
        flash(
            gettext("Tables changed after a rotation was planned: re-plan the rotation."),
            "warning",
        )


@bp.route("/sessions/<int:session_id>/tables/new", methods=["GET", "POST"])
@organiser_required
def new_table(session_id: int):
    session = _get(EventSession, session_id, "session")
    form = TableForm()
    _table_form(form)
    if request.method == "GET":
        used = {t.code for t in session.tables}
        form.code.data = next((c for c in "abcdefghijklmnopqrstuvwxyz" if c not in used), "")
    if form.validate_on_submit():
        try:
            data = TableData.from_values(table_form_values(form))
            sessions.add_table(session_id, data, actor=current_user, now=clock.now())
        except ValidationFailed as exc:
            _attach(form, exc, "code")
        else:
            flash(gettext("Table added."), "success")
            _replan_warning(session_id)
            if request.form.get("another"):
                return redirect(url_for(".new_table", session_id=session_id))
            return redirect(url_for(".event", event_id=session.event_id, _anchor=f"s{session_id}"))
    return render_template("organise/table_form.html", form=form, session=session, table=None), (
        422 if form.errors else 200
    )


@bp.route("/tables/<int:table_id>/edit", methods=["GET", "POST"])
@organiser_required
def edit_table(table_id: int):
    table = _get(TopicTable, table_id, "table")
    form = TableForm(obj=table if request.method == "GET" else None)
    _table_form(form)
    if request.method == "GET":
        form.host_organisation.data = table.host_organisation_id or 0
        form.host_user.data = table.host_user_id or 0
    if form.validate_on_submit():
        try:
            data = TableData.from_values(table_form_values(form))
            sessions.update_table(table_id, data, actor=current_user, now=clock.now())
        except ValidationFailed as exc:
            _attach(form, exc, "code")
        else:
            flash(gettext("Table saved."), "success")
            _replan_warning(table.session_id)
            return redirect(url_for(".event", event_id=table.session.event_id))
    return render_template(
        "organise/table_form.html", form=form, session=table.session, table=table
    ), 422 if form.errors else 200


def _to_event_of_table(table_id: int, **_kwargs) -> str:
    return url_for(".event", event_id=_get(TopicTable, table_id, "table").session.event_id)


@bp.post("/tables/<int:table_id>/delete")
@organiser_required
@flash_refusal(_to_event_of_table)
def delete_table(table_id: int):
    table = _get(TopicTable, table_id, "table")
    event_id = table.session.event_id
    sessions.delete_table(table_id, actor=current_user, now=clock.now())
    flash(gettext("Table deleted."), "success")
    return redirect(url_for(".event", event_id=event_id))


@bp.route("/events/<int:event_id>/clone", methods=["GET", "POST"])
@organiser_required
def clone_event(event_id: int):
    from meetingapp.organise.cloning import clone_event as clone

    event = _get(Event, event_id, "event")
    form = CloneForm()
    if request.method == "GET":
        form.title.data = gettext("%(title)s (copy)", title=event.title)
        form.description.data = event.description
    if form.validate_on_submit():
        try:
            copy = clone(
                event_id=event_id,
                title=form.title.data,
                starts_on=form.starts_on.data,
                actor=current_user,
                now=clock.now(),
                description=form.description.data,
            )
        except ValidationFailed as exc:
            _attach(form, exc, "starts_on")
        else:
            flash(
                gettext("Event cloned: check the programme, then publish the new edition."),
                "success",
            )
            return redirect(url_for(".event", event_id=copy.id))
    return render_template("organise/clone.html", form=form, event=event), (
        422 if form.errors else 200
    )


@bp.get("/events/<int:event_id>/audit")
@organiser_required
def audit_trail(event_id: int):
    event = _get(Event, event_id, "event")
    return render_template("organise/audit.html", event=event, entries=trail_for_event(event_id))


@bp.get("/outbox")
@organiser_required
def outbox():
    from meetingapp.mail import queries as outbox_reads
    from meetingapp.mail.delivery import mail_configured

    return render_template(
        "organise/outbox.html",
        outbox=outbox_reads.outbox_page(outbox_reads.OutboxFilter.from_args(request.args)),
        configured=mail_configured(),
        statuses=outbox_reads.STATUS_LABELS,
        kinds=outbox_reads.KIND_LABELS,
    )


@bp.post("/outbox/test")
@organiser_required
def outbox_test():
    from meetingapp.mail.delivery import mail_configured
    from meetingapp.mail.service import queue_test_message

    queue_test_message(user=current_user, now=clock.now())
    if mail_configured():
        flash(
            gettext(
                "A test message to %(email)s is queued: it is sent in a moment.",
                email=current_user.email,
            ),
            "success",
        )
    else:
        flash(
            gettext(
                "A test message to %(email)s is queued, but no mail server is configured "
                "(MAIL_SERVER): it stays here, unsent, until one is.",
                email=current_user.email,
            ),
            "warning",
        )
    return redirect(url_for(".outbox"))
