from flask import Blueprint

bp = Blueprint("organise", __name__, template_folder="templates", url_prefix="/organise")

from meetingapp.organise import views  # noqa: E402,F401
