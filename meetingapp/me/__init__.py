from flask import Blueprint

bp = Blueprint("me", __name__, template_folder="templates", url_prefix="/me")

from meetingapp.me import views  # noqa: E402,F401
