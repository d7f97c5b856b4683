"""Speed networking on the day: the organiser's run console, the room board, "now / next" on the
phone, and the live clock as JSON and Server-Sent Events for every server."""

from flask import Blueprint

bp = Blueprint("live", __name__, template_folder="templates", url_prefix="/live")

from meetingapp.live import views  # noqa: E402,F401
