"""The account page's data protection: "download my data" (JSON) and "delete my account"
(asks first). The use cases are privacy.service's."""

from __future__ import annotations

import json

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user, login_required, logout_user

from meetingapp import clock
from meetingapp.accounts import bp
from meetingapp.accounts.forms import DeleteAccountForm, ExportForm
from meetingapp.passwords import password_matches
from meetingapp.privacy import queries
from meetingapp.privacy import service as privacy


@bp.post("/data")
@login_required
def export_data():
    if not ExportForm().validate_on_submit():
        flash(gettext("The form expired; try again."), "error")
        return redirect(url_for(".profile"))
    now = clock.now()
    data = privacy.export_personal_data(user=current_user, now=now)
    body = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
    name = f"meetingapp-my-data-{now:%Y-%m-%d}.json"
    return Response(
        body,
        mimetype="application/json",
        headers={
            "Content-Disposition": f"attachment; filename={name}",
            "Cache-Control": "no-store",
        },
    )


def _delete_page(form: DeleteAccountForm, status: int = 200):
    return render_template(
        "accounts/delete.html",
        form=form,
        withdrawn=queries.withdrawable_registrations(current_user.id, clock.now()),
    ), status


@bp.get("/delete")
@login_required
def confirm_delete():
    return _delete_page(DeleteAccountForm())


@bp.post("/delete")
@login_required
def delete_account():
    form = DeleteAccountForm()
    if not form.validate_on_submit():
        return _delete_page(form, 422)
    if not password_matches(current_user, form.password.data):
        form.password.errors.append(gettext("That is not your password."))
        return _delete_page(form, 422)
    privacy.delete_account(user=current_user._get_current_object(), now=clock.now())
    logout_user()
    flash(gettext("Your account is deleted. Thank you for coming."), "success")
    return redirect(url_for("events.index"))
