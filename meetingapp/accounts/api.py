"""Tokens, sign-up, the caller's profile and the list of organisations."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask import current_app, request

from meetingapp import clock
from meetingapp.accounts import schemas as s
from meetingapp.accounts import service as accounts
from meetingapp.api import bp
from meetingapp.api import tokens as api_tokens
from meetingapp.api.auth import BASIC, PUBLIC
from meetingapp.api.http import operation, paginate
from meetingapp.api.schemas import Created, PageQuery, organisation
from meetingapp.extensions import db, limiter
from meetingapp.models import Organisation, User
from meetingapp.models.organisation import all_organisations, organisation_by_short_name
from meetingapp.web import ApiError


def _account_key() -> str:
    """Rate-limit key for one account, whatever address the attempts come from."""
    credentials = request.authorization
    email = (credentials.username or "") if credentials else ""
    return "api-token:" + email.strip().lower()[:254]


@bp.post("/tokens")
@limiter.limit(
    lambda: current_app.config.get("LOGIN_LIMIT_PER_ADDRESS", "30 per minute"),
    error_message="Too many token requests from your address; wait a minute.",
)
@limiter.limit(
    lambda: current_app.config.get("LOGIN_LIMIT_PER_ACCOUNT", "10 per minute"),
    key_func=_account_key,
    error_message="Too many token requests for this account; wait a minute.",
)
@operation(
    summary="Get a token",
    tag="tokens",
    auth=BASIC,
    body=s.TokenRequest,
    body_required=False,
    response=s.TokenCreated,
    status=201,
    errors=(429,),
    description="HTTP Basic with your e-mail address and password. The token is shown "
    "once; send it as `Authorization: Bearer <token>`. It acts with your "
    "role and lasts until you revoke it.",
)
def create_token(caller: User, body: s.TokenRequest):
    issued = api_tokens.issue_token(user=caller, name=body.name, now=clock.now())
    record = issued.record
    return s.TokenCreated(
        token=issued.secret,
        id=record.id,
        name=record.name,
        role=caller.role.value,
        created_at=record.created_at,
    )


@bp.get("/tokens")
@operation(summary="List your tokens", tag="tokens", query=PageQuery, response=s.TokenPage)
def list_tokens(caller: User, query: PageQuery):
    page, cursor = paginate(api_tokens.tokens_of(caller.id), query)
    return s.TokenPage(items=[s.token_info(t) for t in page], next_cursor=cursor)


@bp.delete("/tokens/<int:token_id>")
@operation(summary="Revoke one of your tokens", tag="tokens", status=204, errors=(404,))
def revoke_token(caller: User, token_id: int):
    api_tokens.revoke_token(user=caller, token_id=token_id, now=clock.now())


@bp.post("/accounts")
@operation(
    summary="Sign up",
    tag="accounts",
    auth=PUBLIC,
    body=s.SignUp,
    response=Created,
    status=201,
    errors=(409,),
    description="The same rules as the sign-up page: a valid e-mail address not yet "
    "taken (in any case), a name, your organisation (id or short name) and "
    "a password of at least 8 characters. The account is a participant.",
)
def sign_up(body: s.SignUp):
    try:
        validate_email(body.email, check_deliverability=False)
    except EmailNotValidError:
        raise ApiError(
            422,
            "invalid",
            "Some fields are not valid.",
            fields={"email": "Enter a valid e-mail address."},
        ) from None
    user = accounts.create_account(
        email=body.email,
        name=body.name,
        password=body.password,
        organisation_id=_organisation_id(body.organisation),
    )
    return Created(id=user.id)


def _organisation_id(value: int | str) -> int:
    org = (
        db.session.get(Organisation, value)
        if isinstance(value, int)
        else organisation_by_short_name(value.strip())
    )
    if org is None:
        raise ApiError(
            422,
            "invalid",
            "Some fields are not valid.",
            fields={"organisation": "Pick your organisation from GET /api/v1/organisations."},
        )
    return org.id


@bp.get("/me")
@operation(summary="Who you are", tag="accounts", response=s.Me)
def me(caller: User):
    return s.me(caller)


@bp.get("/organisations")
@operation(
    summary="List organisations",
    tag="accounts",
    auth=PUBLIC,
    query=PageQuery,
    response=s.OrganisationPage,
)
def organisations(query: PageQuery):
    page, cursor = paginate(all_organisations(), query)
    return s.OrganisationPage(items=[organisation(o) for o in page], next_cursor=cursor)
