"""A short speed-networking session running on the day the demo is loaded, at the current local
time in Vienna, so check-in, reports and the live mode can be tried at once."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from meetingapp.demo import data
from meetingapp.domain.networking import round_times
from meetingapp.domain.timezones import local_to_utc, utc_to_local
from meetingapp.extensions import db
from meetingapp.models import Event, EventSession, NetworkingRound, SessionKind, TopicTable, User
from meetingapp.registration.service import register_participant
from meetingapp.rotation.service import plan_rotation, publish_plan, save_picks

ZONE = "Europe/Vienna"
ROUNDS, ROUND_MINUTES, MOVE_MINUTES = 3, 10, 2
LENGTH = timedelta(minutes=ROUNDS * ROUND_MINUTES + (ROUNDS - 1) * MOVE_MINUTES + 4)
TODAY_TITLE = "UN-Space demo day: speed networking today"
TODAY_NOTE = (
    "Demo session on the day the demo was loaded, at that moment's local time in Vienna: "
    "check people in, run the clock from the console and read the report straight away."
)


def session_window(now: datetime) -> tuple[datetime, datetime]:
    """A start a few minutes before ``now`` (local, to the five minutes) and an end the same
    day: the session is under way as soon as the demo is loaded."""
    local = utc_to_local(now, ZONE).replace(tzinfo=None, second=0, microsecond=0)
    start = local.replace(minute=local.minute - local.minute % 5) - timedelta(minutes=5)
    start = max(start, datetime.combine(local.date(), time(0, 0)))
    latest = datetime.combine(local.date(), time(23, 55)) - LENGTH
    start = min(start, latest)
    return local_to_utc(start, ZONE), local_to_utc(start + LENGTH, ZONE)


def ensure_today(
    *, organiser: User, participants: list[User], hosts: dict, orgs: dict, now: datetime
) -> int:
    """Create today's session once (a later load on another day leaves it as it was)."""
    if db.session.scalar(select(Event.id).where(Event.title == TODAY_TITLE)) is not None:
        return 0
    starts_at, ends_at = session_window(now)
    day: date = utc_to_local(starts_at, ZONE).date()
    event = Event(
        title=TODAY_TITLE,
        description=TODAY_NOTE,
        city="Vienna",
        venue="Vienna International Centre",
        timezone=ZONE,
        starts_on=day,
        ends_on=day,
        organisation=orgs["UNOOSA"],
        published=True,
        created_by=organiser,
        created_at=now,
        updated_at=now,
    )
    session = EventSession(
        event=event,
        kind=SessionKind.SPEED_NETWORKING,
        title="Speed networking today",
        room="Board Room B",
        starts_at=starts_at,
        ends_at=ends_at,
        round_count=ROUNDS,
        round_minutes=ROUND_MINUTES,
        move_minutes=MOVE_MINUTES,
        min_tables=3,
        max_picks=3,
        picks_deadline=now - timedelta(minutes=1),
        created_at=now,
        updated_at=now,
    )
    for n, (start, end) in enumerate(round_times(starts_at, ROUNDS, ROUND_MINUTES, MOVE_MINUTES)):
        session.rounds.append(NetworkingRound(number=n, starts_at=start, ends_at=end))
    spec = data.VIENNA["sessions"][0]["tables"][:4]
    for code, topic, org, label in spec:
        session.tables.append(
            TopicTable(
                code=code,
                topic=topic,
                host_organisation=orgs[org],
                host_label=label,
                host_user=hosts[code],
                seats=4,
                min_seats=0,
            )
        )
    db.session.add_all([event, session])
    db.session.flush()
    people = participants[40:52]
    before_picks = now - timedelta(hours=1)
    for person in people:
        register_participant(
            user=person,
            session_id=session.id,
            now=before_picks,
            actor=organiser,
            check_window=False,
        )
    tables = [t.id for t in session.tables]
    for n, person in enumerate(people):
        save_picks(
            user=person,
            session_id=session.id,
            table_ids=(tables[n % 4 :] + tables[: n % 4])[:3],
            now=before_picks,
        )
    plan = plan_rotation(session_id=session.id, actor=organiser, now=before_picks)
    publish_plan(plan_id=plan.id, actor=organiser, now=before_picks)
    return 1
