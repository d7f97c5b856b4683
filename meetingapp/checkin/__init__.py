from flask import Blueprint

bp = Blueprint("checkin", __name__, template_folder="templates", url_prefix="/checkin")

from meetingapp.checkin import views  # noqa: E402,F401
