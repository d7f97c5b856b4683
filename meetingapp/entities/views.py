"""Organisers keep the list of entities: add, rename, confirm one proposed at sign-up, merge, name
focal points. A focal point's own page ("My entity") registers colleagues and lists their
registrations."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext, ngettext
from flask_login import current_user, login_required

from meetingapp import clock
from meetingapp.auth.roles import organiser_required
from meetingapp.domain.capacity import AlreadyRegistered
from meetingapp.domain.errors import DomainError, ValidationFailed
from meetingapp.domain.timezones import utc_to_local, zone_label
from meetingapp.entities import bp, service
from meetingapp.entities.forms import (
    ColleagueRegistrationForm,
    ConfirmForm,
    EntityForm,
    FocalPointForm,
    MergeForm,
    OfficialNamesForm,
)
from meetingapp.entities.queries import (
    colleague_registrations,
    colleagues,
    entity_history,
    entity_list,
    entity_use,
    focal_points_of,
    people_of,
    represented_entities,
    sessions_open_to,
)
from meetingapp.extensions import db
from meetingapp.i18n import content, format_local, localise
from meetingapp.models import EventSession, User
from meetingapp.models.organisation import all_organisations
from meetingapp.registration.service import register_participant
from meetingapp.web import flash_refusal


def _attach(form, exc: ValidationFailed) -> None:
    field = getattr(form, exc.field or "", None) or form.short_name
    field.errors.append(localise(exc))


def _use_or_404(organisation_id: int):
    use = entity_use(organisation_id)
    if use is None:
        abort(404, gettext("There is no such entity."))
    return use


def _to_entity(organisation_id: int, **_kwargs) -> str:
    return url_for(".entity", organisation_id=_use_or_404(organisation_id).entity.id)


@bp.get("/")
@organiser_required
def index():
    return _index(EntityForm(formdata=None))


def _index(form: EntityForm, status: int = 200):
    entities = entity_list()
    return render_template(
        "entities/index.html",
        form=form,
        entities=entities,
        proposed=[u for u in entities if not u.entity.confirmed],
        history=entity_history(),
    ), status


@bp.post("/")
@organiser_required
def add():
    form = EntityForm()
    if form.validate_on_submit():
        try:
            org = service.add_entity(
                short_name=form.short_name.data,
                full_name=form.full_name.data,
                actor=current_user,
                now=clock.now(),
            )
        except ValidationFailed as exc:
            _attach(form, exc)
        else:
            flash(gettext("%(name)s is added to the list.", name=org.short_name), "success")
            return redirect(url_for(".index"))
    return _index(form, 422)


@bp.get("/<int:organisation_id>")
@organiser_required
def entity(organisation_id: int):
    use = _use_or_404(organisation_id)
    return _entity_page(use, _saved_names(use.entity))


def _saved_names(entity) -> OfficialNamesForm:
    """The rename form holding the entity's saved names (never the request's fields)."""
    form = OfficialNamesForm(formdata=None, obj=entity)
    form.fill(entity)
    return form


def _entity_page(
    use, form: OfficialNamesForm, status: int = 200, focal_form: FocalPointForm | None = None
):
    merge_form = MergeForm(formdata=None)
    merge_form.into.choices = [("", gettext("— choose the entity to keep —"))] + [
        (o.id, o.label) for o in all_organisations() if o.id != use.entity.id
    ]
    return render_template(
        "entities/entity.html",
        use=use,
        form=form,
        confirm_form=ConfirmForm(),
        merge_form=merge_form,
        people=people_of(use.entity.id),
        history=entity_history(short_name=use.entity.short_name),
        focal_points=focal_points_of(use.entity.id),
        focal_form=focal_form or FocalPointForm(formdata=None),
    ), status


@bp.post("/<int:organisation_id>")
@organiser_required
def rename(organisation_id: int):
    use = _use_or_404(organisation_id)
    form = OfficialNamesForm()
    if form.validate_on_submit():
        try:
            org = service.rename_entity(
                organisation_id=organisation_id,
                short_name=form.short_name.data,
                full_name=form.full_name.data,
                official_names=form.names(),
                report_group=form.report_group.data or 0,
                actor=current_user,
                now=clock.now(),
            )
        except ValidationFailed as exc:
            _attach(form, exc)
        else:
            flash(gettext("Saved: %(label)s.", label=org.label), "success")
            return redirect(url_for(".index"))
    return _entity_page(use, form, 422)


@bp.post("/<int:organisation_id>/confirm")
@organiser_required
@flash_refusal(_to_entity)
def confirm(organisation_id: int):
    _use_or_404(organisation_id)
    if not ConfirmForm().validate_on_submit():
        abort(400, gettext("The form expired; try again."))
    org = service.confirm_entity(
        organisation_id=organisation_id, actor=current_user, now=clock.now()
    )
    flash(
        gettext("%(name)s is confirmed: everyone can now pick it.", name=org.short_name), "success"
    )
    return redirect(url_for(".index"))


@bp.post("/<int:organisation_id>/merge")
@organiser_required
@flash_refusal(_to_entity)
def merge(organisation_id: int):
    _use_or_404(organisation_id)
    form = MergeForm()
    form.into.choices = [(o.id, o.label) for o in all_organisations()]
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return redirect(_to_entity(organisation_id))
    outcome = service.merge_entities(
        merged_id=organisation_id, kept_id=form.into.data, actor=current_user, now=clock.now()
    )
    flash(
        ngettext(
            "%(merged)s is merged into %(kept)s: %(num)d person moved.",
            "%(merged)s is merged into %(kept)s: %(num)d people moved.",
            outcome.people,
            merged=outcome.merged_name,
            kept=outcome.kept.short_name,
        ),
        "success",
    )
    return redirect(url_for(".index"))


@bp.post("/<int:organisation_id>/focal-points")
@organiser_required
def name_focal_point(organisation_id: int):
    use = _use_or_404(organisation_id)
    form = FocalPointForm()
    if form.validate_on_submit():
        try:
            person = service.name_focal_point(
                organisation_id=organisation_id,
                email=form.email.data,
                actor=current_user,
                now=clock.now(),
            )
        except ValidationFailed as exc:
            form.email.errors.append(localise(exc))
        else:
            flash(
                gettext(
                    "%(name)s is now a focal point of %(entity)s: they can register its people.",
                    name=person.name,
                    entity=use.entity.short_name,
                ),
                "success",
            )
            return redirect(url_for(".entity", organisation_id=organisation_id) + "#focal")
    return _entity_page(use, _saved_names(use.entity), 422, focal_form=form)


@bp.post("/<int:organisation_id>/focal-points/<int:user_id>/remove")
@organiser_required
@flash_refusal(_to_entity)
def remove_focal_point(organisation_id: int, user_id: int):
    use = _use_or_404(organisation_id)
    if not ConfirmForm().validate_on_submit():
        abort(400, gettext("The form expired; try again."))
    person = service.remove_focal_point(
        organisation_id=organisation_id, user_id=user_id, actor=current_user, now=clock.now()
    )
    flash(
        gettext(
            "%(name)s is no longer a focal point of %(entity)s.",
            name=person.name,
            entity=use.entity.short_name,
        ),
        "success",
    )
    return redirect(url_for(".entity", organisation_id=organisation_id) + "#focal")


# --- a focal point's page ------------------------------------------------------------------------


def _represented_or_403():
    entities = represented_entities(current_user.id)
    if not entities:
        abort(403, gettext("This page is for the focal points of an entity."))
    return entities


def _colleague_form(entities, now, formdata=None) -> ColleagueRegistrationForm:
    form = ColleagueRegistrationForm(formdata=formdata)
    people = [p for e in entities for p in colleagues(e.id)]
    form.person.choices = [("", gettext("— choose a colleague —"))] + [
        (p.id, f"{p.name} ({p.email})") for p in people
    ]
    form.session.choices = [("", gettext("— choose a session —"))] + [
        (s.id, session_choice(s)) for s in sessions_open_to(current_user, now)
    ]
    return form


def session_choice(session) -> str:
    """How a session reads in the choice list: its local start (with the zone), the event and
    the session, in the reader's language."""
    event = session.event
    starts = session.starts_at
    when = format_local(utc_to_local(starts, event.timezone), "%d %b %Y %H:%M")
    zone = zone_label(starts, event.timezone, event.city)
    return f"{when} {zone} — {content(event)}: {content(session)}"


@bp.get("/mine")
@login_required
def mine():
    entities = _represented_or_403()
    now = clock.now()
    return _mine_page(entities, _colleague_form(entities, now), now)


def _mine_page(entities, form, now, status: int = 200):
    return render_template(
        "entities/mine.html",
        entities=entities,
        form=form,
        registrations={e.id: colleague_registrations(e.id, now) for e in entities},
        people={e.id: len(colleagues(e.id)) for e in entities},
        names={e.id: e.official_name(str(get_locale())) for e in entities},
    ), status


@bp.post("/mine/register")
@login_required
def register_colleague():
    entities = _represented_or_403()
    now = clock.now()
    form = _colleague_form(entities, now, formdata=request.form)
    if not form.validate_on_submit():
        return _mine_page(entities, form, now, 422)
    person = db.session.get(User, form.person.data)
    if person is None:
        abort(404, gettext("There is no such person."))
    try:
        outcome = register_participant(
            user=person,
            session_id=form.session.data,
            now=now,
            actor=current_user,
            online=bool(form.online.data),
        )
    except DomainError as exc:
        db.session.rollback()
        if exc.status_code == 403:
            raise
        form.session.errors = [
            gettext("%(name)s is already registered for this session.", name=person.name)
            if isinstance(exc, AlreadyRegistered)
            else localise(exc)
        ]
        return _mine_page(entities, form, now, exc.status_code)
    title = content(db.session.get(EventSession, form.session.data))
    if outcome.status == "confirmed":
        message = gettext("%(name)s is registered for “%(title)s”.", name=person.name, title=title)
    else:
        message = gettext(
            "%(name)s is on the waitlist for “%(title)s” (position %(position)s).",
            name=person.name,
            title=title,
            position=outcome.waitlist_position,
        )
    flash(message, "success")
    for warning in outcome.warnings:
        flash(localise(warning), "warning")
    return redirect(url_for(".mine"))
