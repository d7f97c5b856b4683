from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale, gettext, refresh
from flask_login import current_user, login_required, login_user, logout_user

from meetingapp import clock, passwords
from meetingapp.accounts import service as accounts
from meetingapp.accounts.forms import ResendForm, entity_choices
from meetingapp.auth import bp
from meetingapp.auth.forms import (
    ChangePasswordForm,
    ConfirmEmailForm,
    ForgotPasswordForm,
    LoginForm,
    ResetPasswordForm,
    SignupForm,
)
from meetingapp.domain.errors import DomainError, ValidationFailed
from meetingapp.domain.i18n import N_
from meetingapp.extensions import limiter
from meetingapp.i18n import LANGUAGES, SESSION_KEY, localise
from meetingapp.models.organisation import confirmed_organisations
from meetingapp.web import safe_next

NO_STORE = {"Cache-Control": "no-store"}  # pages reached through a secret link


def _login_account_key() -> str:
    """Rate-limit key for one account, whatever address the attempts come from."""
    return "login:" + (request.form.get("email") or "").strip().lower()[:254]


def _mail_link_key() -> str:
    """Rate-limit key for the links mailed to one address, whoever asks."""
    email = request.form.get("email") or (
        current_user.email if current_user.is_authenticated else ""
    )
    return "mail-link:" + email.strip().lower()[:254]


def _limit_mail_links(view):
    view = limiter.limit(
        lambda: current_app.config["MAIL_LINK_LIMIT_PER_ACCOUNT"],
        methods=["POST"],
        key_func=_mail_link_key,
        error_message=N_("Too many links were asked for this address; wait an hour."),
    )(view)
    return limiter.limit(
        lambda: current_app.config["MAIL_LINK_LIMIT_PER_ADDRESS"],
        methods=["POST"],
        error_message=N_("Too many links were asked from your address; wait an hour."),
    )(view)


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
    form.organisation.choices = entity_choices(
        confirmed_organisations(),
        gettext("— pick your organisation —"),
        gettext("Another entity (not in the list)"),
    )
    if form.validate_on_submit():
        try:
            user = accounts.create_account(
                email=form.email.data,
                name=form.name.data,
                password=form.password.data,
                organisation_id=form.picked_organisation(),
                proposed_entity=form.proposed_entity(),
                locale=str(get_locale()),
                now=clock.now(),
            )
        except ValidationFailed as exc:
            getattr(form, exc.field or "email", form.email).errors.append(localise(exc))
        else:
            login_user(user)
            flash(gettext("Your account is ready."), "success")
            if not user.email_verified:
                return redirect(url_for(".verify_pending"))
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
            return redirect(url_for("accounts.profile"))
    return render_template("auth/password.html", form=form), 200 if not form.errors else 422


@bp.route("/reset", methods=["GET", "POST"])
@_limit_mail_links
def forgot_password():
    """Ask for a link to choose a new password: the same answer whether the address is known."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        accounts.request_password_reset(email=form.email.data, now=clock.now())
        flash(
            gettext(
                "If an account uses %(email)s, we have sent a link to it. Open it within 2 "
                "hours to choose a new password.",
                email=form.email.data.strip(),
            ),
            "info",
        )
        return redirect(url_for(".login"))
    return render_template(
        "auth/forgot.html", form=form, can_mail=accounts.verification_required()
    ), 200 if not form.errors else 422


def _expired_reset_link():
    flash(gettext("This link has expired or was already used: ask for a new one."), "error")
    return redirect(url_for(".forgot_password"))


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    user = accounts.reset_link_user(token, clock.now())
    if user is None:
        return _expired_reset_link()
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = accounts.reset_password(
                token=token, password=form.new_password.data, now=clock.now()
            )
        except accounts.InvalidLink:
            return _expired_reset_link()
        except ValidationFailed as exc:
            form.new_password.errors.append(localise(exc))
        else:
            login_user(user)
            flash(gettext("Your new password is saved and you are logged in."), "success")
            return redirect(url_for("events.index"))
    status = 200 if not form.errors else 422
    return render_template("auth/reset.html", form=form, email=user.email), status, NO_STORE


@bp.get("/verify")
@login_required
def verify_pending():
    """ "Confirm your e-mail address: we sent a link to …", with a button to send it again."""
    waiting = accounts.address_waiting(current_user)
    return render_template(
        "auth/verify.html",
        form=ResendForm(),
        waiting=waiting,
        changing=waiting is not None and waiting != current_user.email,
    )


@bp.post("/verify")
@login_required
@_limit_mail_links
def resend_verification():
    if not ResendForm().validate_on_submit():
        abort(400, gettext("The form expired; try again."))
    address = accounts.send_verification(current_user, clock.now())
    if address:
        flash(gettext("We sent the link again to %(email)s.", email=address), "success")
    else:
        flash(gettext("Your e-mail address is confirmed: there is nothing to do."), "info")
    return redirect(safe_next(request.form.get("next")) or url_for(".verify_pending"))


def _after_address_link() -> str:
    return url_for("accounts.profile" if current_user.is_authenticated else ".login")


@bp.route("/verify/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    """A mailed confirmation link opens a page with one button (so a mail scanner's visit
    changes nothing), which confirms the address or switches the account to the new one."""
    claim = accounts.address_link(token, clock.now())
    if claim is None:
        flash(gettext("This link has expired or is not valid: ask for a new one."), "error")
        signed_in = current_user.is_authenticated
        return redirect(url_for(".verify_pending" if signed_in else "events.index"))
    form = ConfirmEmailForm()
    if not form.validate_on_submit():
        page = render_template("auth/confirm_email.html", form=form, address=claim.address)
        return page, 200, NO_STORE
    try:
        done = accounts.confirm_email(token=token, now=clock.now())
    except DomainError as exc:
        flash(localise(exc), "error")
    else:
        flash(gettext("Thank you: %(email)s is confirmed.", email=done.address), "success")
    return redirect(_after_address_link())


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
