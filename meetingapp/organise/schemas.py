"""The JSON API's request bodies for organisers: events, sessions and topic tables.

Field names are the *values* of ``organise/mappers.py``: a body is handed to the mapper as it is.
"""

from typing import Annotated, Literal

from pydantic import Field, create_model

from meetingapp.api.schemas import (
    Body,
    Day,
    Id,
    KindName,
    LocalOrAware,
    partial,
    required_text,
    text,
)
from meetingapp.domain.capacity import MAX_OFFER_HOURS  # waitlist offers
from meetingapp.domain.content import CONTENT_LANGUAGES


class TranslatedText(Body):
    title: text(300) | None = None
    description: text(10_000) | None = None


# {"fr": {"title": …, "description": …}}: unknown languages or keys are refused (422).
Translations = create_model(
    "Translations",
    __base__=Body,
    **{code: (TranslatedText | None, None) for code in CONTENT_LANGUAGES},
)
TRANSLATIONS_HELP = (
    "The title and description in other interface languages (ar, zh_Hans, en, fr, ru, es); "
    "readers whose language has none read the original. Replaces the stored set when sent."
)


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
    translations: Translations | None = Field(default=None, description=TRANSLATIONS_HELP)
    organisation: Id | None = None
    co_organisers: text(1000) = ""
    published: bool = False
    retention_months: Annotated[int, Field(ge=1, le=240)] = Field(
        default=24, description="Months after the event's end before `data purge` anonymises it"
    )
    overlap_policy: Literal["warn", "refuse"] = Field(
        default="warn",
        description="Registering for a session that overlaps one the person is confirmed for: "
        "warn (the registration succeeds, with warnings) or refuse (409)",
    )


EventPatch = partial(EventFields, "EventPatch")


class SessionFields(Body):
    kind: KindName = "meeting"
    title: required_text(300)
    starts_at: LocalOrAware
    ends_at: LocalOrAware
    description: text(10_000) = ""
    translations: Translations | None = Field(default=None, description=TRANSLATIONS_HELP)
    room: text(120) = ""
    capacity: Annotated[int, Field(ge=1, le=100_000)] | None = Field(
        default=None, description="null: no limit"
    )
    open_seating: bool = Field(
        default=False, description="Meetings only: anyone may come, nobody registers"
    )
    waitlist_mode: Literal["automatic", "offer"] = Field(
        default="automatic",
        description="When a seat opens: automatic confirms the head of the waitlist at once; "
        "offer holds the seat for them to accept within offer_hours",
    )
    offer_hours: Annotated[int, Field(ge=1, le=MAX_OFFER_HOURS)] | None = Field(
        default=None, description="Hours an offer holds its seat (never past the start); null: 24"
    )
    waitlist_cap: Annotated[int, Field(ge=1, le=100_000)] | None = Field(
        default=None, description="Most people on the waitlist; null: no limit"
    )
    online_url: text(500) | None = Field(
        default=None,
        description="Hybrid session: the http(s) link to join online, shown only to organisers "
        "and confirmed participants; null or empty: in the room only",
    )
    online_info: text(2000) = Field(
        default="", description="Dial-in numbers, meeting code…, shown like online_url"
    )
    online_capacity: Annotated[int, Field(ge=1, le=1_000_000)] | None = Field(
        default=None, description="Online seats, counted apart from capacity; null: no limit"
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
        default=None, description="null: the day before the session, same time"
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
    translations: Translations | None = Field(
        default=None,
        description="The topic (as title) in other interface languages; " + TRANSLATIONS_HELP,
    )
    host_organisation: Id | None = None
    host_label: text(200) = ""
    host_user: Id | None = Field(default=None, description="The host's account, if they have one")
    seats: Annotated[int, Field(ge=1, le=500)] = 8
    min_seats: Annotated[int, Field(ge=0, le=500)] = 0


TablePatch = partial(TableFields, "TablePatch")
