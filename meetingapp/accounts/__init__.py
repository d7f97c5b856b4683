from flask import Blueprint

bp = Blueprint("accounts", __name__, template_folder="templates", url_prefix="/account")

from meetingapp.accounts import views  # noqa: E402,F401
