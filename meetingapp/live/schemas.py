"""The JSON API's view of the live clock."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from meetingapp.api.schemas import Body, Out


class LiveOut(Out):
    state: Literal["waiting", "talking", "moving", "paused", "finished"]
    round: int | None = Field(
        description="Numbered from 1; while moving, the round people are moving to"
    )
    phase_ends_at: datetime | None = Field(description="UTC; null while waiting, paused, finished")
    server_time: datetime = Field(description="UTC: count down from the difference to it")
    version: int = Field(description="Grows with every change; the stream's event id")
    rounds: int = Field(description="How many rounds the session has")
    plan_version: int | None = Field(description="The published rotation's version")
    seconds_left: int | None = Field(description="Of the phase (while paused: frozen)")


class LiveAction(Body):
    action: Literal["start", "next", "pause", "resume", "extend", "end"]
    minutes: Annotated[int, Field(ge=1, le=60)] | None = Field(
        default=None, description="extend only: how many minutes to add to the running phase"
    )
