"""Cross-cutting web wiring: the one error map (pages and JSON), refusals, security headers,
the user loader and template filters.

Every failure is answered here. Domain errors carry their own ``code``; HTTP errors are named
by status; anything else is a 500 that says nothing was saved. The same ``error_code(exc)``
names the failure on a page and in ``{"error": {"code": …, "message": …, "fields": …}}``.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from contextlib import suppress
from datetime import datetime
from functools import wraps
from typing import Any
from urllib.parse import quote, urlsplit

from flask import (
    Flask,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException, ServiceUnavailable
from werkzeug.routing import IntegerConverter

from meetingapp.domain.errors import DomainError, PermissionDenied
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
    N_("Service Unavailable"),
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

# The one vocabulary of error codes for HTTP failures (domain errors name themselves).
HTTP_CODES = {
    400: "bad_request",
    401: "unauthorised",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "bad_request",
    422: "invalid",
    429: "rate_limited",
    503: "unavailable",
}
# Field names the use cases raise (the form's), as the JSON API calls them.
API_FIELD_NAMES = {
    "day": "starts_at",
    "start_time": "starts_at",
    "end_time": "ends_at",
    "current_password": "password",
    "table": "tables",
    "file": "body",
}  # nosec B105
SERVER_ERROR = N_("Something went wrong on our side; nothing was saved.")
DATABASE_UNAVAILABLE = N_("The service is unavailable for a moment; please try again shortly.")
RETRY_AFTER_SECONDS = 5


class ApiError(HTTPException):
    """An API answer other than success, with its code, optional fields and headers."""

    def __init__(
        self,
        status: int,
        error_code: str,
        message: str,
        *,
        fields: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.code, self.error_code, self.message = status, error_code, message
        self.fields, self.extra_headers = fields, headers or {}


def error_code(exc: BaseException) -> str:
    """The stable name of a failure, for pages and JSON alike."""
    if isinstance(exc, ApiError):
        return exc.error_code
    if isinstance(exc, DomainError):
        return exc.code
    if isinstance(exc, HTTPException):
        status = exc.code or 500
        return HTTP_CODES.get(status, "server_error" if status >= 500 else "bad_request")
    return "server_error"


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def json_error(
    status: int,
    code: str,
    message: str,
    fields: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
):
    error: dict[str, Any] = {"code": code, "message": str(message)}
    if fields:
        error["fields"] = fields
    response = current_app.response_class(
        json.dumps({"error": error}), status=status, mimetype="application/json"
    )
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _answer(exc: BaseException, status: int, message: str, title: str | None = None):
    """JSON keeps the English text (a stable interface); pages read in the reader's language."""
    if wants_json():
        fields = None
        headers: dict[str, str] = {}
        if isinstance(exc, ApiError):
            fields, headers = exc.fields, exc.extra_headers
        elif isinstance(exc, DomainError) and getattr(exc, "field", None):
            fields = {API_FIELD_NAMES.get(exc.field, exc.field): str(exc)}
        if isinstance(exc, HTTPException) and not isinstance(exc, ApiError):
            headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
        return json_error(status, error_code(exc), message, fields, headers)
    return render_template(
        "error.html",
        status=status,
        title=gettext(title or "Error"),
        message=localise(message) if isinstance(message, Message) else gettext(message),
    ), status


def flash_refusal(back: Callable[..., str]) -> Callable:
    """For a page's POST: when a domain rule refuses, say why in a flash and go ``back``.

    ``back`` receives the view's URL arguments and returns where to go; it raises NotFound
    itself when what the URL names does not exist (or is hidden), so that stays a 404. The unit
    of work has already rolled back: nothing was saved. A refusal for the role stays a 403.
    """

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(**kwargs: Any):
            try:
                return view(**kwargs)
            except PermissionDenied:
                raise
            except DomainError as exc:
                db.session.rollback()
                target = back(**kwargs)
                flash(localise(exc), "error")
                return redirect(target)

        return wrapped

    return decorate


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """A Content-Disposition header that any WSGI server can write (RFC 6266): an ASCII
    ``filename`` for old clients and, when the name is not ASCII, ``filename*=UTF-8''…``."""
    kind = "inline" if inline else "attachment"
    stem, dot, ext = filename.rpartition(".")
    if not dot:
        stem, ext = filename, ""
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    ascii_stem = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_stem).strip("-.") or "download"
    fallback = f"{ascii_stem}.{ext}" if ext else ascii_stem
    header = f'{kind}; filename="{fallback}"'
    if fallback != filename:
        header += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return header


def safe_next(target: str | None) -> str | None:
    """Only same-site relative paths without control characters are followed."""
    if not target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


class BoundedIntConverter(IntegerConverter):
    """``<int:id>`` whose values beyond a database integer are looked up as 0, an id that never
    exists: the route still matches (same methods, same documented answers) and says 404 instead
    of sending an out-of-range number to PostgreSQL."""

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        return number if -(2**31) < number < 2**31 else 0


_ID_SENTINEL = 918273645546372819  # an id no row has, replaced by the real one


def id_url(endpoint: str, fixed: dict | None = None, /, **values: int) -> str:
    """``url_for(endpoint, **fixed, name=id)`` for the long lists of a page (one id argument, the
    ``fixed`` ones the same on every row): the rule is built once per request, endpoint and fixed
    values, then each id is put in its place."""
    ((name, value),) = values.items()
    built = g.setdefault("_id_urls", {})
    key = (endpoint, name, tuple(sorted(fixed.items())) if fixed else ())
    pattern = built.get(key)
    if pattern is None:
        pattern = built[key] = url_for(endpoint, **(fixed or {}), **{name: _ID_SENTINEL})
    return pattern.replace(str(_ID_SENTINEL), str(int(value)))


def register_web(app: Flask) -> None:
    app.jinja_env.globals["id_url"] = id_url

    @login_manager.user_loader
    def load_user(user_id: str):
        from meetingapp.models import User

        try:
            user = db.session.get(User, int(user_id))
        except ValueError:
            return None
        # A deleted (anonymised) account is signed out everywhere, on every device.
        return user if user is not None and user.anonymised_at is None else None

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
        return _answer(exc, exc.status_code, exc.args[0] if exc.args else str(exc))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        db.session.rollback()
        message = exc.message if isinstance(exc, ApiError) else (exc.description or exc.name)
        return _answer(exc, exc.code or 500, message, exc.name)

    @app.errorhandler(DBAPIError)
    def database_unavailable(exc: DBAPIError):
        """The database is gone (restarting, unreachable) or too busy: 503 "unavailable" with
        Retry-After, not a 500. Nothing here touches the database again: the page is drawn for
        a visitor, since loading the signed-in user would fail the same way."""
        if not (isinstance(exc, OperationalError) or exc.connection_invalidated):
            return unexpected_error(exc)
        with suppress(Exception):  # the connection may be gone already
            db.session.rollback()
        g._login_user = login_manager.anonymous_user()
        app.logger.warning(
            "database unavailable on %s %s: %s", request.method, request.path, exc.orig
        )
        unavailable = ServiceUnavailable(DATABASE_UNAVAILABLE, retry_after=RETRY_AFTER_SECONDS)
        return _answer(unavailable, 503, DATABASE_UNAVAILABLE, unavailable.name)

    @app.errorhandler(Exception)
    def unexpected_error(exc: Exception):
        db.session.rollback()
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return _answer(exc, 500, SERVER_ERROR)

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
        if app.config.get("HSTS_SECONDS"):
            response.headers.setdefault(
                "Strict-Transport-Security", f"max-age={app.config['HSTS_SECONDS']}"
            )
        return response
