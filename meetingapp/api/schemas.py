"""Request and response bodies of the JSON API as pydantic models.

They validate what comes in, serialise what goes out, and are the single source of the JSON
Schemas in the OpenAPI document (``openapi.py``). Bounds follow the columns (so PostgreSQL never
sees an over-long value) and the organiser forms (so the API keeps the same rules as the pages).
"""

from datetime import date, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, create_model
from pydantic.fields import FieldInfo

MAX_ID = 2**31 - 1  # ids are 32-bit integers in PostgreSQL


def _no_nul(value: str) -> str:
    # PostgreSQL refuses NUL in text; say so instead of failing on the INSERT.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def text(max_length: int) -> Any:
    """A string that may be empty."""
    return Annotated[str, Field(max_length=max_length), AfterValidator(_no_nul)]


def required_text(max_length: int) -> Any:
    """A string with at least one non-blank character."""
    return Annotated[
        str, Field(min_length=1, max_length=max_length, pattern=r"\S"), AfterValidator(_no_nul)
    ]


def _plausible_year(value: date) -> date:
    # Far-off years overflow when converted between zones; no meeting is planned there.
    if not 1900 <= value.year <= 2999:
        raise ValueError("must fall between the years 1900 and 2999")
    return value


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Day = Annotated[date, AfterValidator(_plausible_year)]
KindName = Literal["meeting", "training", "speed_networking", "break"]
LocalOrAware = Annotated[
    datetime,
    Field(
        description="ISO 8601. With an offset it is converted to the event's zone; "
        "without one it is the event's local wall-clock time."
    ),
    AfterValidator(_plausible_year),
]


class Body(BaseModel):
    """Request bodies: unknown fields are refused, JSON types are not coerced."""

    model_config = ConfigDict(extra="forbid", strict=True)


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


def partial(model: type[Body], name: str) -> type[Body]:
    """The same body with every field optional, for PATCH: only the fields sent change."""

    def no_default(schema: dict) -> None:
        schema.pop("default", None)

    fields: dict[str, Any] = {}
    for field_name, info in model.model_fields.items():
        fields[field_name] = (
            info.annotation,
            FieldInfo.merge_field_infos(info, default=None, json_schema_extra=no_default),
        )
    return create_model(name, __base__=Body, __doc__=f"Any subset of {model.__name__}.", **fields)


# --- errors and pages ------------------------------------------------------------------------


class ErrorDetail(Out):
    code: str = Field(description="Machine-readable, e.g. already_registered, invalid")
    message: str = Field(description="Human-readable, fit to show to a user")
    fields: dict[str, str] | None = Field(
        default=None, description="Per-field messages (validation errors only)"
    )


class ErrorBody(Out):
    error: ErrorDetail


T = TypeVar("T")


class Page(Out, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        description="Pass as ?cursor= to get the next page; null on the last page"
    )


class PageQuery(BaseModel):
    limit: Annotated[int, Field(ge=1, le=200, description="Items per page (default 50)")] = 50
    cursor: Annotated[
        str | None, Field(max_length=200, description="next_cursor of the previous page")
    ] = None


# --- accounts and tokens ---------------------------------------------------------------------


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


class Created(Out):
    id: int


class OrganisationOut(Out):
    id: int
    short_name: str
    full_name: str


class OrganisationPage(Page[OrganisationOut]):
    pass


class Me(Out):
    id: int
    email: str
    name: str
    role: Literal["organiser", "participant"]
    organisation: OrganisationOut | None


# --- events ----------------------------------------------------------------------------------


class EventFields(Body):
    title: required_text(200)
    city: required_text(120)
    venue: text(200) = ""
    timezone: text(64) = Field(
        default="", description="IANA name, e.g. Europe/Vienna; empty: derived from the city"
    )
    starts_on: Day
    ends_on: Day
    description: text(10_000) = ""
    organisation: Id | None = None
    co_organisers: text(1000) = ""
    published: bool = False


EventPatch = partial(EventFields, "EventPatch")


class EventOut(Out):
    id: int
    title: str
    description: str
    city: str
    venue: str
    timezone: str
    starts_on: date
    ends_on: date
    organisation: OrganisationOut | None
    co_organisers: str
    published: bool
    cancelled_at: datetime | None


class EventPage(Page[EventOut]):
    pass


# --- sessions and tables ---------------------------------------------------------------------


class SessionFields(Body):
    kind: KindName = "meeting"
    title: required_text(300)
    starts_at: LocalOrAware
    ends_at: LocalOrAware
    description: text(10_000) = ""
    room: text(120) = ""
    capacity: Annotated[int, Field(ge=1, le=100_000)] | None = Field(
        default=None, description="null: no limit"
    )
    registration_opens: LocalOrAware | None = None
    registration_closes: LocalOrAware | None = Field(
        default=None, description="null: when the session starts"
    )
    lead_organisation: Id | None = None
    chair: text(200) = ""
    agenda: Annotated[list[text(300)], Field(max_length=200)] = []
    round_count: Annotated[int, Field(ge=1, le=50)] | None = None
    round_minutes: Annotated[int, Field(ge=1, le=600)] | None = None
    move_minutes: Annotated[int, Field(ge=0, le=120)] | None = None
    min_tables: Annotated[int, Field(ge=1, le=50)] | None = None
    max_picks: Annotated[int, Field(ge=1, le=50)] | None = None
    picks_deadline: LocalOrAware | None = Field(
        default=None, description="null: when the session starts"
    )


class SessionCreate(SessionFields):
    parent: Id | None = Field(
        default=None,
        description="A training day of the same event: the session becomes one of its timed parts",
    )


SessionPatch = partial(SessionFields, "SessionPatch")


class TableFields(Body):
    code: required_text(8)
    topic: required_text(300)
    host_organisation: Id | None = None
    host_label: text(200) = ""
    host_user: Id | None = Field(default=None, description="The host's account, if they have one")
    seats: Annotated[int, Field(ge=1, le=500)] = 8
    min_seats: Annotated[int, Field(ge=0, le=500)] = 0


TablePatch = partial(TableFields, "TablePatch")


class TableOut(Out):
    id: int
    session_id: int
    code: str
    topic: str
    host_organisation: OrganisationOut | None
    host_label: str
    host_user_id: int | None
    seats: int
    min_seats: int


class TablePage(Page[TableOut]):
    pass


class RoundOut(Out):
    round: int = Field(description="Numbered from 1")
    starts_at: datetime
    ends_at: datetime


class PartOut(Out):
    id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    room: str


class SessionOut(Out):
    id: int
    event_id: int
    parent_id: int | None
    kind: Literal["meeting", "training", "speed_networking", "break", "part"]
    title: str
    description: str
    room: str
    timezone: str = Field(description="The event's IANA zone; every time here is in it")
    starts_at: datetime
    ends_at: datetime
    capacity: int | None
    confirmed: int
    waitlisted: int
    seats_left: int | None
    registrable: bool
    registration_opens: datetime | None
    registration_closes: datetime | None
    lead_organisation: OrganisationOut | None
    chair: str
    agenda: list[str]
    cancelled_at: datetime | None
    parts: list[PartOut]
    round_count: int | None
    round_minutes: int | None
    move_minutes: int | None
    min_tables: int | None
    max_picks: int | None
    picks_deadline: datetime | None
    rounds: list[RoundOut]
    tables: list[TableOut]


class SessionPage(Page[SessionOut]):
    pass


# --- registrations, picks, itinerary ---------------------------------------------------------


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


class Picks(Body):
    tables: Annotated[list[Id], Field(max_length=50, description="Table ids, best first")]


class PicksOut(Out):
    tables: list[int]


class StopOut(Out):
    round: int = Field(description="Numbered from 1")
    starts_at: datetime
    ends_at: datetime
    table: TableOut


class ItineraryItem(Out):
    session_id: int
    session_title: str
    kind: str
    event_id: int
    event_title: str
    status: Literal["confirmed", "waitlisted"]
    waitlist_position: int | None
    timezone: str
    starts_at: datetime
    ends_at: datetime
    room: str
    location: str
    parts: list[PartOut]
    rounds: list[StopOut] = Field(description="Published table rotation, when there is one")


class ItineraryPage(Page[ItineraryItem]):
    pass


# --- rotation and check-ins ------------------------------------------------------------------


class RotationRequest(Body):
    from_round: Annotated[int, Field(ge=1, le=50)] = Field(
        default=1, description="Re-plan from this round (numbered from 1), keeping earlier rounds"
    )


class AssignmentOut(Out):
    participant_id: int
    participant: str
    round: int = Field(description="Numbered from 1")
    table_id: int
    table_code: str
    pinned: bool


class RotationOut(Out):
    plan_id: int
    session_id: int
    version: int
    status: Literal["draft", "published", "superseded"]
    from_round: int = Field(description="Numbered from 1")
    assignments: list[AssignmentOut]
    stats: dict[str, Any]


class CheckInRequest(Body):
    participant: Id
    round: Annotated[int, Field(ge=1, le=50)] | None = Field(
        default=None, description="Speed networking only; numbered from 1"
    )


class CheckInOut(Out):
    id: int
    session_id: int
    participant_id: int
    round: int | None
    method: str
    timezone: str
    at: datetime
    by_id: int | None
