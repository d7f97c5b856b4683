"""The user's account: the account page (name, entity, address, language) and the "API tokens"
page (list, create: the secret is shown once, revoke).

HTML pages, so they live outside /api/v1: they use the session cookie and CSRF-protected forms.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, session, url_for
from flask_babel import get_locale, gettext, refresh
from flask_login import current_user, login_required

from meetingapp import clock
from meetingapp.accounts import bp
from meetingapp.accounts import service as accounts
from meetingapp.accounts.forms import ProfileForm, RevokeForm, TokenForm, entity_choices
from meetingapp.api import tokens as api_tokens
from meetingapp.domain.errors import DomainError, NotFound, ValidationFailed
from meetingapp.i18n import SESSION_KEY, localise
from meetingapp.models.organisation import confirmed_organisations


def _profile_form(**kwargs) -> ProfileForm:
    form = ProfileForm(**kwargs)
    form.organisation.choices = entity_choices(
        confirmed_organisations(also=current_user.organisation_id),
        gettext("— pick your organisation —"),
        gettext("Another entity (not in the list)"),
    )
    return form


def _profile_page(form: ProfileForm, status: int = 200):
    return render_template(
        "accounts/profile.html",
        form=form,
        waiting=accounts.address_waiting(current_user),
    ), status


@bp.get("/")
@login_required
def profile():
    form = _profile_form(obj=current_user)
    form.organisation.data = current_user.organisation_id or 0
    form.locale.data = str(get_locale())  # the stored choice, else the language of this page
    return _profile_page(form)


@bp.post("/")
@login_required
def save_profile():
    form = _profile_form()
    if form.validate_on_submit():
        try:
            change = accounts.update_profile(
                current_user,
                name=form.name.data,
                email=form.email.data,
                organisation_id=form.picked_organisation(),
                proposed_entity=form.proposed_entity(),
                locale=form.locale.data,
                now=clock.now(),
            )
        except ValidationFailed as exc:
            getattr(form, exc.field or "name", form.name).errors.append(localise(exc))
        else:
            session[SESSION_KEY] = form.locale.data
            refresh()  # the answer is in the language just chosen
            flash(gettext("Your account is saved."), "success")
            if change.pending_email:
                flash(
                    gettext(
                        "We sent a link to %(email)s: your address changes when you open it.",
                        email=change.pending_email,
                    ),
                    "info",
                )
            return redirect(url_for(".profile"))
    return _profile_page(form, 422)


def _page(form: TokenForm, new_token: str | None = None, status: int = 200):
    response = render_template(
        "accounts/tokens.html",
        form=form,
        revoke_form=RevokeForm(),
        tokens=api_tokens.tokens_of(current_user.id),
        new_token=new_token,
    )
    return response, status, {"Cache-Control": "no-store"}


@bp.get("/tokens/")
@login_required
def tokens():
    return _page(TokenForm())


@bp.post("/tokens/")
@login_required
def create_token():
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(form, status=422)
    try:
        issued = api_tokens.issue_token(
            user=current_user, name=form.name.data or "", now=clock.now()
        )
    except DomainError as exc:
        form.name.errors.append(localise(exc))
        return _page(form, status=422)
    # Rendered, not redirected: the secret must not travel through the (signed, readable) session.
    return _page(TokenForm(formdata=None), new_token=issued.secret, status=201)


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    if not RevokeForm().validate_on_submit():
        abort(400, gettext("The form expired; try again."))
    try:
        token = api_tokens.revoke_token(user=current_user, token_id=token_id, now=clock.now())
    except NotFound:
        abort(404, gettext("There is no such token."))
    flash(gettext("The token “%(name)s” is revoked.", name=token.name), "success")
    return redirect(url_for(".tokens"))
