from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale, gettext, refresh
from flask_login import current_user, login_required, login_user, logout_user

from meetingapp import passwords
from meetingapp.accounts import service as accounts
from meetingapp.auth import bp
from meetingapp.auth.forms import ChangePasswordForm, LoginForm, SignupForm
from meetingapp.domain.errors import ValidationFailed
from meetingapp.domain.i18n import N_
from meetingapp.extensions import limiter
from meetingapp.i18n import LANGUAGES, SESSION_KEY, localise
from meetingapp.models.organisation import all_organisations
from meetingapp.web import safe_next


def _login_account_key() -> str:
    """Rate-limit key for one account, whatever address the attempts come from."""
    return "login:" + (request.form.get("email") or "").strip().lower()[:254]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"],
    methods=["POST"],
    error_message=N_("Too many log-in attempts from your address; wait a minute."),
)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    methods=["POST"],
    key_func=_login_account_key,
    error_message=N_("Too many log-in attempts for this account; wait a minute."),
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("events.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = passwords.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(gettext("E-mail or password is not right."))
        else:
            login_user(user, remember=form.remember.data)
            flash(gettext("Welcome, %(name)s.", name=user.name), "success")
            return redirect(safe_next(request.args.get("next")) or url_for("events.index"))
    return render_template("auth/login.html", form=form), 200 if not form.errors else 422


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    form = SignupForm()
    form.organisation.choices = [(0, gettext("— pick your organisation —"))] + [
        (o.id, o.label) for o in all_organisations()
    ]
    if form.validate_on_submit():
        try:
            user = accounts.create_account(
                email=form.email.data,
                name=form.name.data,
                password=form.password.data,
                organisation_id=form.organisation.data or None,
                locale=str(get_locale()),
            )
        except ValidationFailed as exc:
            getattr(form, exc.field or "email").errors.append(localise(exc))
        else:
            login_user(user)
            flash(gettext("Your account is ready."), "success")
            return redirect(url_for("events.index"))
    return render_template("auth/signup.html", form=form), 200 if not form.errors else 422


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash(gettext("You are logged out."), "info")
    return redirect(url_for("events.index"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(
                current_user, form.current_password.data, form.new_password.data
            )
        except ValidationFailed as exc:
            getattr(form, exc.field or "new_password").errors.append(localise(exc))
        else:
            flash(gettext("Your password is changed."), "success")
            return redirect(url_for("events.index"))
    return render_template("auth/password.html", form=form), 200 if not form.errors else 422


@bp.post("/language")
def language():
    """The header's language switcher: kept on the account, and in the session for visitors."""
    chosen = request.form.get("locale", "")
    if chosen not in LANGUAGES:
        abort(400, gettext("Choose one of the offered languages."))
    session[SESSION_KEY] = chosen
    if current_user.is_authenticated:
        accounts.set_locale(current_user, chosen)
    refresh()
    return redirect(safe_next(request.form.get("next")) or url_for("events.index"), 303)
