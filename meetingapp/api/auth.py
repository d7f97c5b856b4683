"""Who is calling: HTTP Basic on POST /tokens, Bearer tokens everywhere else, never the cookie.

Why the API is exempt from CSRF protection, and why that is safe: a cross-site request forgery
rides on credentials the browser attaches by itself, which for this app is the session cookie.
The API never reads that cookie: a request is authenticated only by an ``Authorization: Bearer``
header (or Basic credentials on ``POST /tokens``, which only issues a token whose secret the
forging page could never read). A forging page cannot set an Authorization header on a
cross-site request without a CORS preflight, which this app never grants, so a forged request
arrives anonymous and gets 401. Request bodies must also be sent as ``application/json``, which
an HTML form cannot do. Exempting the blueprint (``csrf.exempt``) therefore removes a check that
would protect nothing, while every HTML form of the app stays protected.
"""

from __future__ import annotations

from flask import request

from meetingapp import clock, passwords
from meetingapp.api import tokens as api_tokens
from meetingapp.models import User
from meetingapp.web import ApiError

PUBLIC, OPTIONAL, BEARER, BASIC = "public", "optional", "bearer", "basic"
REALM = 'realm="meetingapp API"'


def _unauthorised(message: str, challenge: str) -> ApiError:
    return ApiError(401, "unauthorised", message, headers={"WWW-Authenticate": challenge})


def caller_for(mode: str) -> User | None:
    """The authenticated user for an operation in ``mode``; ApiError(401) when that fails."""
    if mode == PUBLIC:
        return None
    if mode == BASIC:
        return _basic_user()
    header = request.headers.get("Authorization", "").strip()
    if not header:
        if mode == OPTIONAL:
            return None
        raise _unauthorised(
            "Send Authorization: Bearer <token> (POST /api/v1/tokens gives one).", f"Bearer {REALM}"
        )
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer":
        raise _unauthorised(
            "Use a Bearer token here: Authorization: Bearer <token>.", f"Bearer {REALM}"
        )
    user = api_tokens.authenticate_token(secret.strip(), clock.now())
    if user is None:
        raise _unauthorised(
            "This token is not valid or has been revoked.", f'Bearer {REALM}, error="invalid_token"'
        )
    return user


def _basic_user() -> User:
    challenge = f'Basic {REALM}, charset="UTF-8"'
    credentials = request.authorization
    if credentials is None or credentials.type != "basic":
        raise _unauthorised("Send your e-mail address and password with HTTP Basic.", challenge)
    email, password = credentials.username or "", credentials.password or ""
    if (
        not email
        or not password
        or len(email) > 254
        or len(password) > 200
        or "\x00" in email
        or "\x00" in password
    ):
        raise _unauthorised("E-mail or password is not right.", challenge)
    user = passwords.authenticate(email, password)
    if user is None:
        raise _unauthorised("E-mail or password is not right.", challenge)
    return user
