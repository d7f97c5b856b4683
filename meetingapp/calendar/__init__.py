from flask import Blueprint

bp = Blueprint("calendar", __name__, template_folder="templates", url_prefix="/calendar")

from meetingapp.calendar import views  # noqa: E402,F401
