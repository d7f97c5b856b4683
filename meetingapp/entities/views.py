"""Organisers keep the list of entities: add, rename, confirm one proposed at sign-up, merge."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user

from meetingapp import clock
from meetingapp.auth.roles import organiser_required
from meetingapp.domain.errors import ValidationFailed
from meetingapp.entities import bp, service
from meetingapp.entities.forms import ConfirmForm, EntityForm, MergeForm, OfficialNamesForm
from meetingapp.entities.queries import entity_history, entity_list, entity_use, people_of
from meetingapp.i18n import localise
from meetingapp.models.organisation import all_organisations
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
    form = OfficialNamesForm(obj=use.entity)
    form.fill(use.entity)
    return _entity_page(use, form)


def _entity_page(use, form: OfficialNamesForm, status: int = 200):
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
