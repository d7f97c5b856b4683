"""The versioned JSON API's plumbing (``/api/v1``): the blueprint, the operation decorator
(``http.py``), authentication (``auth.py``), shared schemas and pagination, and the OpenAPI
document built from the declared operations (``openapi.py``).

The operations themselves live with their features (``events/api.py``, ``registration/api.py``
…), registered on this blueprint by ``create_app``. The blueprint is exempt from CSRF because it
never authenticates with the session cookie (the reasoning is in ``auth.py``).
"""

from flask import Blueprint

from meetingapp.api.schemas import MAX_ID
from meetingapp.extensions import csrf
from meetingapp.web import ApiError

bp = Blueprint("api", __name__, url_prefix="/api/v1", template_folder="templates")
csrf.exempt(bp)


@bp.url_value_preprocessor
def ids_in_range(_endpoint, values):
    # Werkzeug's int converter takes any length; our ids are 32-bit.
    for value in (values or {}).values():
        if isinstance(value, int) and not 1 <= value <= MAX_ID:
            raise ApiError(404, "not_found", "There is no such resource.")
