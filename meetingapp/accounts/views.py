"""The "API tokens" page of the user's account: list, create (the secret is shown once), revoke.

HTML pages, so they live outside /api/v1: they use the session cookie and CSRF-protected forms.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from meetingapp import clock
from meetingapp.accounts import bp
from meetingapp.accounts.forms import RevokeForm, TokenForm
from meetingapp.api import tokens as api_tokens
from meetingapp.domain.errors import DomainError, NotFound
from meetingapp.i18n import localise


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
