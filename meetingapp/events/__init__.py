from flask import Blueprint

bp = Blueprint("events", __name__, template_folder="templates")

from meetingapp.events import views  # noqa: E402,F401
