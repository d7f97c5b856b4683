"""The "API tokens" page of the user's account: list, create (the secret is shown once), revoke.

HTML pages, so they live outside /api/v1: they use the session cookie and CSRF-protected forms.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import Length, Optional

from meetingapp.domain.errors import DomainError, NotFound
from meetingapp.i18n import localise
from meetingapp.services import api_tokens

bp = Blueprint("tokens", __name__, url_prefix="/account/tokens", template_folder="templates")


class TokenForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[Optional(), Length(max=api_tokens.MAX_NAME_LENGTH)],
        description=_l("Say where it is used, e.g. “registration script”."),
    )
    submit = SubmitField(_l("Create token"))


class RevokeForm(FlaskForm):
    submit = SubmitField(_l("Revoke"))


def _page(form: TokenForm, new_token: str | None = None, status: int = 200):
    response = render_template(
        "api/tokens.html",
        form=form,
        revoke_form=RevokeForm(),
        tokens=api_tokens.tokens_of(current_user.id),
        new_token=new_token,
    )
    return response, status, {"Cache-Control": "no-store"}


@bp.get("/")
@login_required
def index():
    return _page(TokenForm())


@bp.post("/")
@login_required
def create():
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(form, status=422)
    try:
        issued = api_tokens.issue_token(
            user=current_user, name=form.name.data or "", now=datetime.now(UTC)
        )
    except DomainError as exc:
        form.name.errors.append(localise(exc))
        return _page(form, status=422)
    # Rendered, not redirected: the secret must not travel through the (signed, readable) session.
    return _page(TokenForm(formdata=None), new_token=issued.secret, status=201)


@bp.post("/<int:token_id>/revoke")
@login_required
def revoke(token_id: int):
    if not RevokeForm().validate_on_submit():
        abort(400, gettext("The form expired; try again."))
    try:
        token = api_tokens.revoke_token(user=current_user, token_id=token_id, now=datetime.now(UTC))
    except NotFound:
        abort(404, gettext("There is no such token."))
    flash(gettext("The token “%(name)s” is revoked.", name=token.name), "success")
    return redirect(url_for(".index"))
