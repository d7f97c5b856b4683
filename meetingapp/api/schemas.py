"""The JSON API's shared schema pieces: field types, bodies, pages, errors, organisations.

Each feature declares its own request and response models in its ``schemas.py`` from these;
together they are the single source of the JSON Schemas in the OpenAPI document
(``openapi.py``). Bounds follow the columns (so PostgreSQL never sees an over-long value) and
the organiser forms (so the API keeps the same rules as the pages).
"""

from datetime import date, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, create_model
from pydantic.fields import FieldInfo

from meetingapp.domain.official_report import LANGUAGES as OFFICIAL_LANGUAGES
from meetingapp.domain.timezones import utc_to_local

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


class Created(Out):
    id: int


class OrganisationOut(Out):
    id: int
    short_name: str
    full_name: str = Field(description="The English official name")
    official_names: dict[str, str] = Field(
        default_factory=dict,
        description="The official name per language (ar, zh_Hans, en, fr, ru, es); a language "
        "without one has the English name",
    )


def local(instant: datetime | None, zone_name: str) -> datetime | None:
    """Times leave in the event's own zone."""
    return utc_to_local(instant, zone_name) if instant is not None else None


def organisation(org) -> OrganisationOut | None:
    if org is None:
        return None
    return OrganisationOut(
        id=org.id,
        short_name=org.short_name,
        full_name=org.full_name,
        official_names={lang: org.official_name(lang) for lang in OFFICIAL_LANGUAGES},
    )
