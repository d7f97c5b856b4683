"""The versioned JSON API (``/api/v1``) and the HTML page where people manage their tokens.

Every operation is declared with ``http.operation``; ``openapi.py`` builds the OpenAPI 3.1
document from those declarations, served at ``/api/v1/openapi.json`` and as HTML at
``/api/v1/docs``. The blueprint is exempt from CSRF because it never authenticates with the
session cookie (the reasoning is in ``auth.py``).
"""

from flask import Blueprint

from meetingapp.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1", template_folder="templates")
csrf.exempt(bp)

from meetingapp.api import (  # noqa: E402,F401  (registers the routes)
    openapi,
    views_accounts,
    views_attendance,
    views_events,
    views_registrations,
    views_rotation,
)
from meetingapp.api.http import register_error_handlers  # noqa: E402

register_error_handlers(bp)

from meetingapp.api.tokens_pages import bp as tokens_bp  # noqa: E402,F401
