"""Production entry point: ``gunicorn wsgi:app`` (see gunicorn.conf.py)."""

import os

from config import ProductionConfig
from meetingapp import create_app

os.environ.setdefault("MEETINGAPP_CONFIG", "production")
app = create_app(ProductionConfig() if os.environ["MEETINGAPP_CONFIG"] == "production" else None)
