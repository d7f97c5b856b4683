"""Unbound Flask extensions; create_app() binds them."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from meetingapp.orm import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate(compare_type=True, render_as_batch=True)
login_manager = LoginManager()
csrf = CSRFProtect()
# Rate limits for log-in and token endpoints; storage from RATELIMIT_STORAGE_URI (memory by default,
# Redis when several app servers must share the counts).
limiter = Limiter(key_func=get_remote_address, default_limits=[])
