"""Operations: /healthz for load balancers, structured (JSON) logs, request ids."""

from __future__ import annotations

import json
import logging
import time
import uuid

from flask import Flask, g, jsonify, request
from sqlalchemy import text

from meetingapp.extensions import db


class JsonFormatter(logging.Formatter):
    """One JSON object per line: easy to ship to any log store."""

    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("request_id", "method", "path", "status", "duration_ms", "user_id"):
            if hasattr(record, key):
                payload[key] = getattr(record, key)
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False)


def register_ops(app: Flask) -> None:
    if app.config.get("LOG_JSON"):
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        app.logger.handlers[:] = [handler]
        app.logger.setLevel(logging.INFO)
        app.logger.propagate = False

    @app.get("/healthz")
    def healthz():
        try:
            db.session.execute(text("SELECT 1"))
        except Exception as exc:  # noqa: BLE001 - any database failure means unhealthy
            db.session.rollback()
            # One line per probe (load balancers ask every few seconds), not a traceback.
            reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
            app.logger.warning("health check: database unreachable: %s", reason)
            return jsonify({"status": "unavailable", "database": "unreachable"}), 503
        return jsonify({"status": "ok", "database": "ok"})

    @app.before_request
    def start_timer():
        g.request_started = time.perf_counter()
        g.request_id = request.headers.get("X-Request-Id", "")[:64] or uuid.uuid4().hex

    @app.after_request
    def log_request(response):
        response.headers.setdefault("X-Request-Id", g.get("request_id", ""))
        if app.config.get("LOG_JSON") and request.path != "/healthz":
            from flask_login import current_user

            app.logger.info(
                "request",
                extra={
                    "request_id": g.get("request_id"),
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round(
                        (time.perf_counter() - g.get("request_started", 0)) * 1000, 1
                    ),
                    "user_id": current_user.get_id() if current_user.is_authenticated else None,
                },
            )
        return response
