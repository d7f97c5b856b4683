"""Cross-cutting web wiring: the user loader, template filters, error handlers."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from meetingapp.domain.errors import DomainError
from meetingapp.domain.timezones import format_offset, utc_to_local, zone_label
from meetingapp.extensions import db, login_manager


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


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
        return utc_to_local(instant, zone_name).strftime(fmt)

    @app.template_filter("zonelabel")
    def zonelabel_filter(instant: datetime, zone_name: str, city: str = "") -> str:
        return zone_label(instant, zone_name, city)

    @app.template_filter("offset")
    def offset_filter(instant: datetime, zone_name: str) -> str:
        return format_offset(utc_to_local(instant, zone_name).utcoffset())

    @app.template_filter("longdate")
    def longdate_filter(value) -> str:
        return f"{value:%A} {value.day} {value:%B %Y}"

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        db.session.rollback()
        return _error_response(exc.status_code, str(exc))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        return _error_response(exc.code or 500, exc.description or exc.name, exc.name)

    @app.errorhandler(Exception)
    def unexpected_error(exc: Exception):
        db.session.rollback()
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return _error_response(500, "Something went wrong on our side; nothing was saved.")

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
    if wants_json():
        return jsonify({"error": {"code": _code_for(status), "message": message}}), status
    return render_template("error.html", status=status, title=title or "Error", message=message), status


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
