from flask import Blueprint

bp = Blueprint("registration", __name__, template_folder="templates", url_prefix="/registration")

from meetingapp.registration import views  # noqa: E402,F401
