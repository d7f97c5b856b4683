from flask import Blueprint

bp = Blueprint("reports", __name__, template_folder="templates", url_prefix="/reports")

from meetingapp.reports import views  # noqa: E402,F401
