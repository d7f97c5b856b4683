"""Cross-cutting web wiring: the user loader, template filters, error handlers."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, abort, jsonify, render_template, request
from flask_babel import gettext
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from meetingapp.domain.errors import DomainError
from meetingapp.domain.i18n import N_, Message
from meetingapp.domain.timezones import format_offset, utc_to_local, zone_label
from meetingapp.extensions import db, login_manager
from meetingapp.i18n import format_local, localise, long_date

# Werkzeug's names and default descriptions, so error pages read in the reader's language.
HTTP_TEXTS = (
    N_("Error"),
    N_("Bad Request"),
    N_("Unauthorized"),
    N_("Forbidden"),
    N_("Not Found"),
    N_("Method Not Allowed"),
    N_("Conflict"),
    N_("Request Entity Too Large"),
    N_("Unprocessable Entity"),
    N_("Too Many Requests"),
    N_("Internal Server Error"),
    N_(
        "The requested URL was not found on the server. If you entered the URL manually please "
        "check your spelling and try again."
    ),
    N_("The method is not allowed for the requested URL."),
    N_("The browser (or proxy) sent a request that this server could not understand."),
    N_(
        "You don't have the permission to access the requested resource. It is either "
        "read-protected or not readable by the server."
    ),
    N_("The data value transmitted exceeds the capacity limit."),
    N_("The CSRF token is missing."),
    N_("The CSRF token has expired."),
    N_("The CSRF tokens do not match."),
    N_("The CSRF session token is missing."),
)


class BoundedIntConverter(IntegerConverter):
    """``<int:id>`` whose values beyond a database integer are looked up as 0, an id that never
    exists: the route still matches (same methods, same documented answers) and says 404 instead
    of sending an out-of-range number to PostgreSQL."""

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        return number if -(2**31) < number < 2**31 else 0


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def register_web(app: Flask) -> None:
    @login_manager.user_loader
    def load_user(user_id: str):
        from meetingapp.models import User

        try:
            return db.session.get(User, int(user_id))
        except ValueError:
            return None

    @app.template_filter("local")
    def local_filter(instant: datetime | None, zone_name: str, fmt: str = "%H:%M") -> str:
        if instant is None:
            return ""
        return format_local(utc_to_local(instant, zone_name), fmt)

    @app.template_filter("zonelabel")
    def zonelabel_filter(instant: datetime, zone_name: str, city: str = "") -> str:
        return zone_label(instant, zone_name, city)

    @app.template_filter("offset")
    def offset_filter(instant: datetime, zone_name: str) -> str:
        return format_offset(utc_to_local(instant, zone_name).utcoffset())

    @app.template_filter("longdate")
    def longdate_filter(value) -> str:
        return long_date(value)

    @app.before_request
    def refuse_nul_bytes():
        # No text we store may hold NUL (PostgreSQL refuses it); say so instead of failing later.
        values = list(request.args.values()) + list(request.form.values())
        if any("\x00" in v for v in values):
            abort(400, "Input must not contain NUL characters.")

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        db.session.rollback()
        return _error_response(exc.status_code, exc.args[0] if exc.args else str(exc))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        return _error_response(exc.code or 500, exc.description or exc.name, exc.name)

    @app.errorhandler(Exception)
    def unexpected_error(exc: Exception):
        db.session.rollback()
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return _error_response(500, N_("Something went wrong on our side; nothing was saved."))

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "frame-ancestors 'none'; form-action 'self'; base-uri 'self'",
        )
        return response


def _error_response(status: int, message: str, title: str | None = None):
    """JSON keeps the English text (a stable interface); pages read in the reader's language."""
    if wants_json():
        return jsonify({"error": {"code": _code_for(status), "message": str(message)}}), status
    return render_template(
        "error.html",
        status=status,
        title=gettext(title or "Error"),
        message=localise(message) if isinstance(message, Message) else gettext(message),
    ), status


def _code_for(status: int) -> str:
    return {
        400: "bad_request",
        401: "unauthorised",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        409: "conflict",
        413: "too_large",
        422: "invalid",
        429: "rate_limited",
    }.get(status, "server_error")
