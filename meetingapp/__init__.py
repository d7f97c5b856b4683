"""meetingapp: inter-agency meetings end to end.

Importing the package costs nothing: ``create_app`` imports Flask's extensions and the features
when it builds the app, so ``python -m meetingapp.domain.rotation`` (and the ``flask rotation
solve`` command, which does not build the app) start fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

# Every feature: a blueprint (pages) and, where it has one, its JSON API module.
FEATURES = (
    "auth",
    "events",
    "registration",
    "organise",
    "rotation",
    "calendar",
    "checkin",
    "reports",
    "me",
    "accounts",
    "mail",
    "live",
    "entities",
    "feedback",
    "certificates",
)
API_MODULES = (
    "meetingapp.events.api",
    "meetingapp.organise.api",
    "meetingapp.registration.api",
    "meetingapp.rotation.api",
    "meetingapp.checkin.api",
    "meetingapp.me.api",
    "meetingapp.accounts.api",
    "meetingapp.live.api",
    "meetingapp.api.openapi",
)


def create_app(config: object | None = None) -> Flask:
    """Build the application. ``config`` is a config object or None for the environment's."""
    from importlib import import_module

    from flask import Flask

    from meetingapp.domain.i18n import N_
    from meetingapp.extensions import csrf, db, limiter, login_manager, migrate
    from meetingapp.web import BoundedIntConverter

    app = Flask(__name__, instance_relative_config=True)
    # Before any route: ids beyond a 32-bit integer are a 404, not a database error.
    app.url_map.converters["int"] = BoundedIntConverter
    if config is None:
        from config import config_from_env

        config = config_from_env()
    app.config.from_object(config)

    db.init_app(app)
    from meetingapp.locking import configure_sqlite
    from meetingapp.uow import install_guards

    with app.app_context():
        configure_sqlite(db.engine)
    install_guards()
    from meetingapp.models import versioning

    versioning.install()  # events.version follows every change to an event's programme
    migrate.init_app(app, db, directory=_migrations_dir())
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = N_("Please log in to continue.")
    login_manager.login_message_category = "info"
    from meetingapp.i18n import init_i18n

    init_i18n(app)

    import_module("meetingapp.models")  # registers every table on the metadata
    for feature in FEATURES:
        package = import_module(f"meetingapp.{feature}")
        for pages in getattr(package, "PAGES", ()):
            import_module(f"meetingapp.{feature}.{pages}")  # adds its routes to the blueprint
        app.register_blueprint(package.bp)
    for module in API_MODULES:
        import_module(module)  # declares its operations on the API blueprint
    from meetingapp.api import bp as api_bp

    app.register_blueprint(api_bp)

    from meetingapp.mail import register_delivery
    from meetingapp.ops import register_ops
    from meetingapp.web import register_web

    register_web(app)
    register_ops(app)
    register_delivery(app)

    from meetingapp.cli import register_cli

    register_cli(app)
    return app


def _migrations_dir() -> str:
    from pathlib import Path

    return str(Path(__file__).resolve().parent.parent / "migrations")
