"""The JSON API's view of registrations, with their presenters."""

from datetime import datetime
from typing import Literal

from pydantic import Field, model_serializer

from meetingapp.api.schemas import Body, LocalOrAware, Out, Page, PageQuery, local
from meetingapp.models import Registration, User


class RegistrationRequest(Body):
    attendance: Literal["in_person", "online"] = Field(
        default="in_person",
        description="online: attend a hybrid session online, on an online seat (counted apart "
        "from the room's; 409 when they are taken or the session has no online link)",
    )


class ReconfirmationRequest(Body):
    deadline: LocalOrAware = Field(
        description="By when to reconfirm: the event's local time (naive) or an instant with "
        "its offset; in the future and before the session starts"
    )
    release_unanswered: bool = Field(
        default=False,
        description="true: at the deadline, the registrations of those who did not reconfirm "
        "are withdrawn and their seats go to the waitlist",
    )


class ReconfirmationOut(Out):
    asked: int = Field(description="People asked now: confirmed and not yet reconfirmed")
    deadline: datetime = Field(description="The deadline, in the event's local time")
    release_unanswered: bool


class RegistrationOutcome(Out):
    status: Literal["confirmed", "waitlisted"]
    waitlist_position: int | None
    attendance: Literal["in_person", "online"] = Field(
        default="in_person", description="Present when online (absent: in person)"
    )
    warnings: list[str] = Field(
        default=[],
        description="Present when registered all the same with warnings, e.g. the session "
        "overlaps one you are confirmed for (the event's overlap_policy warn; refuse answers "
        "409 instead)",
    )

    @model_serializer(mode="wrap")
    def _omit_defaults(self, handler):
        # An in-person registration without warnings keeps the body it always had.
        data = handler(self)
        if data.get("attendance") == "in_person":
            del data["attendance"]
        if not data.get("warnings"):
            data.pop("warnings", None)
        return data


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
    attendance: Literal["in_person", "online"] = Field(
        description="online: on an online seat of a hybrid session"
    )
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
        attendance="online" if reg.online else "in_person",
        timezone=tz,
        registered_at=local(reg.created_at, tz),
        confirmed_at=local(reg.confirmed_at, tz),
        cancelled_at=local(reg.cancelled_at, tz),
    )
