"""The JSON API's view of accounts and tokens, with their presenters."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from meetingapp.api.schemas import (
    Body,
    Id,
    OrganisationOut,
    Out,
    Page,
    organisation,
    required_text,
    text,
)
from meetingapp.models import ApiToken, User


class TokenRequest(Body):
    name: text(100) = Field(default="", description="To recognise the token later")


class TokenCreated(Out):
    token: str = Field(description="The secret: shown this once, send it as Bearer")
    id: int
    name: str
    role: Literal["organiser", "participant"]
    created_at: datetime


class TokenInfo(Out):
    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenPage(Page[TokenInfo]):
    pass


class SignUp(Body):
    email: required_text(254)
    password: Annotated[str, Field(min_length=1, max_length=200)]
    name: required_text(120)
    organisation: Id | required_text(
        40
    ) = Field(description="The organisation's id or short name (GET /organisations)")


class OrganisationPage(Page[OrganisationOut]):
    pass


class Me(Out):
    id: int
    email: str
    name: str
    role: Literal["organiser", "participant"]
    organisation: OrganisationOut | None


def me(user: User) -> Me:
    return Me(
        id=user.id,
        email=user.email,
        name=user.name,
        role=user.role.value,
        organisation=organisation(user.organisation),
    )


def token_info(token: ApiToken) -> TokenInfo:
    return TokenInfo.model_validate(token)
