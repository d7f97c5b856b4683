"""meetingapp: inter-agency meetings end to end."""

from __future__ import annotations

from flask import Flask

from meetingapp.domain.i18n import N_
from meetingapp.extensions import csrf, db, limiter, login_manager, migrate


def create_app(config: object | None = None) -> Flask:
    """Build the application. ``config`` is a config object or None for the environment's."""
    app = Flask(__name__, instance_relative_config=True)
    from meetingapp.web import BoundedIntConverter

    # Before any route: ids beyond a 32-bit integer are a 404, not a database error.
    app.url_map.converters["int"] = BoundedIntConverter
    if config is None:
        from config import config_from_env

        config = config_from_env()
    app.config.from_object(config)

    db.init_app(app)
    from meetingapp.services.locking import configure_sqlite

    with app.app_context():
        configure_sqlite(db.engine)
    migrate.init_app(app, db, directory=_migrations_dir())
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = N_("Please log in to continue.")
    login_manager.login_message_category = "info"
    from meetingapp.i18n import init_i18n

    init_i18n(app)

    import meetingapp.models  # noqa: F401  (registers every table on the metadata)
    from meetingapp.api import bp as api_bp
    from meetingapp.api import tokens_bp
    from meetingapp.auth import bp as auth_bp
    from meetingapp.calendar import bp as calendar_bp
    from meetingapp.checkin import bp as checkin_bp
    from meetingapp.events import bp as events_bp
    from meetingapp.organise import bp as organise_bp
    from meetingapp.registration import bp as registration_bp
    from meetingapp.reports import bp as reports_bp
    from meetingapp.rotation import bp as rotation_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(events_bp)
    app.register_blueprint(registration_bp)
    app.register_blueprint(organise_bp)
    app.register_blueprint(rotation_bp)
    app.register_blueprint(calendar_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(tokens_bp)
    app.register_blueprint(checkin_bp)
    app.register_blueprint(reports_bp)

    from meetingapp.web import register_web

    register_web(app)

    from meetingapp.ops import register_ops

    register_ops(app)

    from meetingapp.cli import register_cli

    register_cli(app)
    return app


def _migrations_dir() -> str:
    from pathlib import Path

    return str(Path(__file__).resolve().parent.parent / "migrations")
