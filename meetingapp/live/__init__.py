"""Speed networking on the day: the organiser's run console, the room board, "now / next" on the
phone, and the live clock as JSON and Server-Sent Events for every server."""

from flask import Blueprint

bp = Blueprint("live", __name__, template_folder="templates", url_prefix="/live")

# The modules that add this blueprint's routes, imported by the app factory (not here, so
# that importing a query or a use case of this feature never drags its pages in).
PAGES = ("views",)
