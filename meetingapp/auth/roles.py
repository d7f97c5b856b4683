"""One helper for roles: every organiser route is wrapped with ``organiser_required``."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from meetingapp.domain.visibility import can_manage


def organiser_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not can_manage(current_user):
            abort(403, "This page is for organisers.")
        return view(*args, **kwargs)

    wrapped.organiser_only = True
    return wrapped
