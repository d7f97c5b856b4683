"""The JSON API's view of check-ins, with its presenter."""

from datetime import datetime
from typing import Annotated

from pydantic import Field

from meetingapp.api.schemas import Body, Id, Out, local
from meetingapp.models import CheckIn


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


def check_in(entry: CheckIn, tz: str) -> CheckInOut:
    return CheckInOut(
        id=entry.id,
        session_id=entry.session_id,
        participant_id=entry.user_id,
        round=entry.round_number + 1 if entry.round_number is not None else None,
        method=entry.method,
        timezone=tz,
        at=local(entry.at, tz),
        by_id=entry.by_id,
    )
