"""The JSON API of a participant's own data: the itinerary."""

from __future__ import annotations

from collections import defaultdict

from meetingapp.api import bp
from meetingapp.api.http import operation, paginate
from meetingapp.api.schemas import PageQuery
from meetingapp.me import schemas as s
from meetingapp.me.queries import my_registrations
from meetingapp.models import RegistrationStatus, User
from meetingapp.rotation.queries import itinerary_for


@bp.get("/me/itinerary")
@operation(
    summary="Your itinerary",
    tag="registrations",
    query=PageQuery,
    response=s.ItineraryPage,
    description="Every session you are confirmed or waitlisted for, in time order, with "
    "training-day parts and, once published, your table in each round. A session that was "
    "cancelled (or whose event was) stays listed with status cancelled.",
)
def itinerary(caller: User, query: PageQuery):
    rows = [
        row
        for row in my_registrations(caller.id)
        if row.registration.status != RegistrationStatus.CANCELLED
    ]
    stops = defaultdict(list)
    for stop in itinerary_for(caller.id):
        stops[stop.session.id].append(stop)
    page, cursor = paginate(rows, query, key=lambda row: row.session.id)
    return s.ItineraryPage(
        items=[
            s.itinerary_item(
                row.session,
                row.registration.status.value,
                row.position,
                stops.get(row.session.id, []),
                online=row.registration.online,
                online_url=row.online_url,
            )
            for row in page
        ],
        next_cursor=cursor,
    )
