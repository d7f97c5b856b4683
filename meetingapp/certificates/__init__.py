"""Certificates of attendance (PDF, with a public verification page), name badges and table
tents."""

from flask import Blueprint

bp = Blueprint("certificates", __name__, template_folder="templates", url_prefix="/certificates")

# The modules that add this blueprint's routes, imported by the app factory.
PAGES = ("views",)
