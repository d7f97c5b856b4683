"""Organisers schedule events, sessions, training days and speed-networking tables."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from meetingapp.auth.roles import organiser_required
from meetingapp.domain.errors import DomainError, ValidationFailed
from meetingapp.domain.i18n import N_
from meetingapp.domain.timezones import common_zones
from meetingapp.extensions import db
from meetingapp.i18n import localise
from meetingapp.models import Event, EventSession, SessionKind, TopicTable
from meetingapp.models.organisation import all_organisations
from meetingapp.organise import bp
from meetingapp.organise.forms import EventForm, SessionForm, TableForm
from meetingapp.services import scheduling as svc
from meetingapp.services.dashboard import dashboard_for, host_choices


def _now() -> datetime:
    return datetime.now(UTC)


def _org_choices(empty: str) -> list[tuple[int, str]]:
    return [(0, empty)] + [(o.id, o.label) for o in all_organisations()]


def _attach(form, exc: ValidationFailed, fallback: str) -> None:
    field = getattr(form, exc.field, None) if exc.field else None
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


@bp.get("/")
@organiser_required
def dashboard():
    return render_template("organise/dashboard.html", dashboard=dashboard_for(current_user, _now()))


def _event_data(form: EventForm) -> svc.EventData:
    return svc.EventData(
        title=form.title.data,
        city=form.city.data,
        venue=form.venue.data or "",
        timezone=form.timezone.data or "",
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        description=form.description.data or "",
        organisation_id=form.organisation.data or None,
        co_organisers=form.co_organisers.data or "",
    )


@bp.route("/events/new", methods=["GET", "POST"])
@organiser_required
def new_event():
    form = EventForm()
    form.organisation.choices = _org_choices(gettext("— none —"))
    if form.validate_on_submit():
        try:
            event = svc.create_event(_event_data(form), actor=current_user)
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
            svc.update_event(event_id, _event_data(form), actor=current_user)
        except ValidationFailed as exc:
            _attach(form, exc, "title")
        else:
            flash(gettext("Event saved."), "success")
            return redirect(url_for(".event", event_id=event_id))
    return _event_form(form, event)


@bp.get("/events/<int:event_id>")
@organiser_required
def event(event_id: int):
    from meetingapp.services.programme import timetable_for

    timetable = timetable_for(event_id)
    if timetable is None:
        abort(404, gettext("There is no such event."))
    return render_template("organise/event.html", event=timetable.event, timetable=timetable)


@bp.post("/events/<int:event_id>/<any(publish, unpublish):action>")
@organiser_required
def publish(event_id: int, action: str):
    _get(Event, event_id, "event")
    svc.set_published(event_id, action == "publish", actor=current_user)
    flash(
        gettext("Event published.") if action == "publish" else gettext("Event unpublished."),
        "success",
    )
    return redirect(url_for(".event", event_id=event_id))


@bp.post("/events/<int:event_id>/delete")
@organiser_required
def delete_event(event_id: int):
    _get(Event, event_id, "event")
    outcome = svc.delete_or_cancel_event(event_id, actor=current_user, now=_now())
    if outcome == "deleted":
        flash(gettext("Event deleted."), "success")
        return redirect(url_for(".dashboard"))
    flash(
        gettext(
            "People are registered, so the event is cancelled instead of deleted; they are "
            "notified."
        ),
        "warning",
    )
    return redirect(url_for(".event", event_id=event_id))


def _session_data(form: SessionForm) -> svc.SessionData:
    return svc.SessionData(
        kind=SessionKind(form.kind.data),
        title=form.title.data,
        day=form.day.data,
        start_time=form.start_time.data,
        end_time=form.end_time.data,
        description=form.description.data or "",
        room=form.room.data or "",
        capacity=form.capacity.data,
        registration_opens=form.registration_opens.data,
        registration_closes=form.registration_closes.data,
        lead_organisation_id=form.lead_organisation.data or None,
        chair=form.chair.data or "",
        agenda=(form.agenda.data or "").splitlines(),
        round_count=form.round_count.data,
        round_minutes=form.round_minutes.data,
        move_minutes=form.move_minutes.data,
        min_tables=form.min_tables.data,
        max_picks=form.max_picks.data,
        picks_deadline=form.picks_deadline.data,
    )


def _session_form(form, event, session=None, parent=None):
    status = 422 if form.errors else 200
    return render_template(
        "organise/session_form.html", form=form, event=event, session=session, parent=parent
    ), status


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
            svc.create_session(
                event_id,
                _session_data(form),
                actor=current_user,
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
    form = SessionForm(data=svc.session_form_values(session) if request.method == "GET" else None)
    form.lead_organisation.choices = _org_choices(gettext("— none —"))
    if session.parent_id:
        form.kind.choices = [(SessionKind.PART.value, gettext(SessionKind.PART.label))]
    if form.validate_on_submit():
        try:
            _, changed = svc.update_session(session_id, _session_data(form), actor=current_user)
        except ValidationFailed as exc:
            _attach(form, exc, "title")
        except DomainError as exc:
            form.capacity.errors.append(localise(exc))
        else:
            flash(gettext("Session saved."), "success")
            if changed and svc.has_rotation(session_id):
                flash(
                    gettext(
                        "The rounds changed after a rotation was planned: re-plan the rotation."
                    ),
                    "warning",
                )
            return redirect(url_for(".event", event_id=session.event_id))
    return _session_form(form, session.event, session=session, parent=session.parent)


@bp.post("/sessions/<int:session_id>/delete")
@organiser_required
def delete_session(session_id: int):
    session = _get(EventSession, session_id, "session")
    event_id = session.event_id
    outcome = svc.delete_session(session_id, actor=current_user, now=_now())
    flash(
        gettext("Session deleted.")
        if outcome == "deleted"
        else gettext(
            "People are registered, so the session is cancelled instead; they are notified."
        ),
        "success" if outcome == "deleted" else "warning",
    )
    return redirect(url_for(".event", event_id=event_id))


def _table_form(form: TableForm, session: EventSession) -> None:
    form.host_organisation.choices = _org_choices(gettext("— none —"))
    form.host_user.choices = [(0, gettext("— none —"))] + host_choices()


def _table_data(form: TableForm) -> svc.TableData:
    return svc.TableData(
        code=form.code.data,
        topic=form.topic.data,
        host_organisation_id=form.host_organisation.data or None,
        host_label=form.host_label.data or "",
        host_user_id=form.host_user.data or None,
        seats=form.seats.data,
        min_seats=form.min_seats.data or 0,
    )


@bp.route("/sessions/<int:session_id>/tables/new", methods=["GET", "POST"])
@organiser_required
def new_table(session_id: int):
    session = _get(EventSession, session_id, "session")
    form = TableForm()
    _table_form(form, session)
    if request.method == "GET":
        used = {t.code for t in session.tables}
        form.code.data = next((c for c in "abcdefghijklmnopqrstuvwxyz" if c not in used), "")
    if form.validate_on_submit():
        try:
            svc.add_table(session_id, _table_data(form), actor=current_user)
        except ValidationFailed as exc:
            _attach(form, exc, "code")
        else:
            flash(gettext("Table added."), "success")
            if svc.has_rotation(session_id):
                flash(
                    gettext("Tables changed after a rotation was planned: re-plan the rotation."),
                    "warning",
                )
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
    _table_form(form, table.session)
    if request.method == "GET":
        form.host_organisation.data = table.host_organisation_id or 0
        form.host_user.data = table.host_user_id or 0
    if form.validate_on_submit():
        try:
            svc.update_table(table_id, _table_data(form), actor=current_user)
        except ValidationFailed as exc:
            _attach(form, exc, "code")
        else:
            flash(gettext("Table saved."), "success")
            if svc.has_rotation(table.session_id):
                flash(
                    gettext("Tables changed after a rotation was planned: re-plan the rotation."),
                    "warning",
                )
            return redirect(url_for(".event", event_id=table.session.event_id))
    return render_template(
        "organise/table_form.html", form=form, session=table.session, table=table
    ), 422 if form.errors else 200


@bp.post("/tables/<int:table_id>/delete")
@organiser_required
def delete_table(table_id: int):
    table = _get(TopicTable, table_id, "table")
    event_id = table.session.event_id
    try:
        svc.delete_table(table_id, actor=current_user)
    except ValidationFailed as exc:
        flash(localise(exc), "error")
    else:
        flash(gettext("Table deleted."), "success")
    return redirect(url_for(".event", event_id=event_id))


@bp.route("/events/<int:event_id>/clone", methods=["GET", "POST"])
@organiser_required
def clone_event(event_id: int):
    from meetingapp.organise.forms import CloneForm
    from meetingapp.services.cloning import clone_event as clone

    event = _get(Event, event_id, "event")
    form = CloneForm()
    if request.method == "GET":
        form.title.data = gettext("%(title)s (copy)", title=event.title)
    if form.validate_on_submit():
        try:
            copy = clone(
                event_id=event_id,
                title=form.title.data,
                starts_on=form.starts_on.data,
                actor=current_user,
                now=_now(),
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
    from meetingapp.services.audit import trail_for_event

    event = _get(Event, event_id, "event")
    return render_template("organise/audit.html", event=event, entries=trail_for_event(event_id))


@bp.get("/outbox")
@organiser_required
def outbox():
    from meetingapp.models.outbox import outbox_page
    from meetingapp.services.mailer import mail_configured

    return render_template(
        "organise/outbox.html", messages=outbox_page(), configured=mail_configured()
    )
