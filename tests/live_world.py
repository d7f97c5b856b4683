"""A speed-networking session ready to run live, for the live-mode tests."""

from __future__ import annotations

import random
import string
from dataclasses import dataclass
from datetime import UTC, datetime

from meetingapp.domain.networking import round_times
from meetingapp.extensions import db
from meetingapp.models import EventSession, NetworkingRound, SessionKind, TopicTable, User
from meetingapp.registration.service import register_participant
from meetingapp.rotation.service import plan_rotation, publish_plan, save_picks
from tests import factories

NOW = datetime(2024, 11, 20, 11, 55, tzinfo=UTC)  # five minutes before 13:00 in Vienna
START = datetime(2024, 11, 20, 12, 0, tzinfo=UTC)


@dataclass
class LiveWorld:
    session: EventSession
    tables: list[TopicTable]
    people: list[User]
    organiser: User
    host: User  # hosts table a
    outsider: User  # registered for nothing


def live_world(
    people: int = 12,
    *,
    published: bool = True,
    start: datetime = START,
    tables: int = 6,
    seats: int = 4,
    picks: int = 0,
) -> LiveWorld:
    """Twelve people confirmed for four rounds of 20 minutes (3 to move) at six tables of four,
    with a published rotation, registered and planned five minutes before ``start``.

    Tests against gunicorn (the real clock) pass a ``start`` close to the real now. The seed's
    sizes (the benchmark): ``live_world(88, tables=11, seats=8, picks=3)``, each person ranking
    ``picks`` tables drawn at random (the same draw every time).
    """
    now = start - (START - NOW)
    organiser = factories.organiser()
    host = factories.user(name="Hal Host")
    outsider = factories.user(name="Olga Outsider")
    event = factories.event(title="Vienna", published=published, starts_on=start.date())
    session = factories.session(
        event, kind=SessionKind.SPEED_NETWORKING, title="Speed dating", starts_at=start, minutes=95
    )
    session.round_count, session.round_minutes, session.move_minutes = 4, 20, 3
    session.min_tables, session.max_picks = 3, 3
    session.picks_deadline = start
    session.rounds = [
        NetworkingRound(number=n, starts_at=s, ends_at=e)
        for n, (s, e) in enumerate(round_times(start, 4, 20, 3))
    ]
    topic_tables = [
        TopicTable(session_id=session.id, code=c, topic=f"Topic {c}", seats=seats)
        for c in string.ascii_lowercase[:tables]
    ]
    topic_tables[0].host_user_id = host.id
    db.session.add_all(topic_tables)
    crowd = [
        factories.user(name=f"Person {n:02d}", org=factories.organisation()) for n in range(people)
    ]
    db.session.commit()
    draw = random.Random(18)
    for person in crowd:
        register_participant(user=person, session_id=session.id, now=now, actor=organiser)
        if picks:
            chosen = draw.sample([t.id for t in topic_tables], picks)
            save_picks(user=person, session_id=session.id, table_ids=chosen, now=now)
    plan = plan_rotation(session_id=session.id, actor=organiser, now=now)
    publish_plan(plan_id=plan.id, actor=organiser, now=now)
    return LiveWorld(session, topic_tables, crowd, organiser, host, outsider)
