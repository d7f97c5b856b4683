from flask import Blueprint

bp = Blueprint("rotation", __name__, template_folder="templates", url_prefix="/rotation")

from meetingapp.rotation import views  # noqa: E402,F401
