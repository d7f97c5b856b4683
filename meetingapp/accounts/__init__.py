from flask import Blueprint

bp = Blueprint("accounts", __name__, template_folder="templates", url_prefix="/account")

# The modules that add this blueprint's routes, imported by the app factory (not here, so
# that importing a query or a use case of this feature never drags its pages in).
PAGES = ("views", "privacy_views")
