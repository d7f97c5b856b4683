"""Feedback surveys: per session, a short survey the organiser builds, sends after the session to
the people checked in (anonymous or named), reminds once; results on the session's report."""

from flask import Blueprint

bp = Blueprint("feedback", __name__, template_folder="templates", url_prefix="/feedback")

# The modules that add this blueprint's routes, imported by the app factory (not here, so
# that importing a query or a use case of this feature never drags its pages in).
PAGES = ("views", "answer_views")
