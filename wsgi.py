"""Production entry point: ``gunicorn wsgi:app`` (see gunicorn.conf.py)."""

import os

from meetingapp import create_app
from config import ProductionConfig

os.environ.setdefault("MEETINGAPP_CONFIG", "production")
app = create_app(ProductionConfig() if os.environ["MEETINGAPP_CONFIG"] == "production" else None)
