"""The JSON API's view of registrations, with their presenters."""

from datetime import datetime
from typing import Literal

from pydantic import Field

from meetingapp.api.schemas import Out, Page, PageQuery, local
from meetingapp.models import Registration, User


class RegistrationOutcome(Out):
    status: Literal["confirmed", "waitlisted"]
    waitlist_position: int | None


class PersonOut(Out):
    id: int
    name: str
    email: str
    organisation: str = Field(description="Short name, empty when none")


class RegistrationEntry(Out):
    id: int
    participant: PersonOut
    status: Literal["confirmed", "waitlisted", "cancelled"]
    waitlist_position: int | None
    override: bool = Field(description="Confirmed past capacity by an organiser")
    timezone: str
    registered_at: datetime
    confirmed_at: datetime | None
    cancelled_at: datetime | None


class RegistrationPage(Page[RegistrationEntry]):
    pass


class RegistrationQuery(PageQuery):
    status: Literal["active", "confirmed", "waitlisted", "cancelled", "all"] = Field(
        default="active", description="active = confirmed and waitlisted"
    )


def person(user: User) -> PersonOut:
    return PersonOut(
        id=user.id, name=user.name, email=user.email, organisation=user.organisation_label
    )


def registration(reg: Registration, position: int | None, tz: str) -> RegistrationEntry:
    return RegistrationEntry(
        id=reg.id,
        participant=person(reg.user),
        status=reg.status.value,
        waitlist_position=position,
        override=reg.override,
        timezone=tz,
        registered_at=local(reg.created_at, tz),
        confirmed_at=local(reg.confirmed_at, tz),
        cancelled_at=local(reg.cancelled_at, tz),
    )
