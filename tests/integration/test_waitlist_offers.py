"""Waitlist offers with a deadline (issue 21, item 1) through the service, on both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from meetingapp.domain.capacity import NoOffer, WaitlistFull
from meetingapp.extensions import db
from meetingapp.models import OutboxMessage, RegistrationStatus
from meetingapp.registration import queries as reg_queries
from meetingapp.registration import service as svc
from tests import factories


@pytest.fixture
def offer_session(app, now):
    """Two seats, offers of 24 hours, two confirmed and three waiting."""
    session = factories.session(capacity=2)
    session.waitlist_mode = "offer"
    session.offer_hours = 24
    people = [factories.user() for _ in range(5)]
    db.session.commit()
    for p in people:
        svc.register_participant(user=p, session_id=session.id, now=now)
    return session, people


def _status(session, user):
    reg = reg_queries.active_registration(session.id, user.id)
    return None if reg is None else reg.status


def test_a_freed_seat_is_offered_to_the_first_waiting_and_held(offer_session, now):
    session, people = offer_session
    assert svc.cancel_registration(user=people[0], session_id=session.id, now=now) == []
    first = reg_queries.active_registration(session.id, people[2].id)
    assert first.status == RegistrationStatus.WAITLISTED
    assert first.offer_expires_at == now + timedelta(hours=24)
    seats = reg_queries.availability_for(people[2], [session.id], now)[session.id]
    assert (seats.seats_left, seats.full, seats.my_offer_expires_at) == (
        0,
        True,
        first.offer_expires_at,
    )
    # The held seat is not free: a newcomer waits behind the others.
    late = factories.user()
    db.session.commit()
    assert (
        svc.register_participant(user=late, session_id=session.id, now=now).status == "waitlisted"
    )
    mail = db.session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.user_id == people[2].id, OutboxMessage.kind == "offered"
        )
    )
    # The deadline in the event's zone (12:00 UTC + 24 h is 14:00 in Vienna), with its name.
    assert "until Wednesday 02 October 2024, 14:00 Vienna, CEST (UTC+2)" in mail.body_text


def test_accepting_an_offer_confirms(offer_session, now):
    session, people = offer_session
    svc.cancel_registration(user=people[0], session_id=session.id, now=now)
    outcome = svc.accept_offer(user=people[2], session_id=session.id, now=now + timedelta(hours=1))
    assert outcome.status == "confirmed"
    assert _status(session, people[2]) == RegistrationStatus.CONFIRMED
    assert reg_queries.availability_for(None, [session.id], now)[session.id].confirmed == 2


def test_accept_without_an_offer_is_refused(offer_session, now):
    session, people = offer_session
    with pytest.raises(NoOffer):
        svc.accept_offer(user=people[3], session_id=session.id, now=now)


def test_declining_passes_the_offer_to_the_next(offer_session, now):
    session, people = offer_session
    svc.cancel_registration(user=people[0], session_id=session.id, now=now)
    svc.cancel_registration(user=people[2], session_id=session.id, now=now)  # declines
    assert _status(session, people[2]) is None
    assert reg_queries.active_registration(session.id, people[3].id).offer_expires_at is not None
    assert reg_queries.active_registration(session.id, people[4].id).offer_expires_at is None


def test_an_expired_offer_passes_on_by_the_cron_command(app, offer_session, now):
    session, people = offer_session
    svc.cancel_registration(user=people[0], session_id=session.id, now=now)
    app.config["FROZEN_NOW"] = now + timedelta(hours=25)
    result = app.test_cli_runner().invoke(args=["registrations", "expire-offers"])
    assert "1 offers lapsed" in result.output, result.output
    assert _status(session, people[2]) is None
    assert reg_queries.active_registration(session.id, people[3].id).offer_expires_at == (
        now + timedelta(hours=49)
    )
    kinds = db.session.scalars(
        select(OutboxMessage.kind).where(OutboxMessage.user_id == people[2].id)
    )
    assert "offer_expired" in set(kinds)


def test_a_stale_offer_never_blocks_a_seat(offer_session, now):
    session, people = offer_session
    svc.cancel_registration(user=people[0], session_id=session.id, now=now)
    later = now + timedelta(hours=25)
    # Not swept yet, yet no seat is held by it.
    assert reg_queries.availability_for(None, [session.id], later)[session.id].offered == 0
    with pytest.raises(NoOffer):
        svc.accept_offer(user=people[2], session_id=session.id, now=later)
    # The accept touched the session: the lapsed offer went to the next person.
    assert reg_queries.active_registration(session.id, people[3].id).offer_expires_at is not None
    assert svc.accept_offer(user=people[3], session_id=session.id, now=later).status == "confirmed"


def test_an_offer_never_outlives_the_session_start(offer_session, now):
    session, people = offer_session
    soon = session.starts_at - timedelta(hours=2)
    svc.cancel_registration(user=people[0], session_id=session.id, now=soon)
    assert reg_queries.active_registration(session.id, people[2].id).offer_expires_at == (
        session.starts_at
    )


def test_automatic_stays_the_default(app, now):
    session = factories.session(capacity=1)
    a, b = factories.user(), factories.user()
    db.session.commit()
    assert session.waitlist_mode == "automatic"
    svc.register_participant(user=a, session_id=session.id, now=now)
    svc.register_participant(user=b, session_id=session.id, now=now)
    assert svc.cancel_registration(user=a, session_id=session.id, now=now) == [b.id]


def test_the_waitlist_cap_refuses_with_a_clear_message(app, now):
    session = factories.session(capacity=1)
    session.waitlist_cap = 1
    people = [factories.user() for _ in range(3)]
    db.session.commit()
    svc.register_participant(user=people[0], session_id=session.id, now=now)
    svc.register_participant(user=people[1], session_id=session.id, now=now)
    with pytest.raises(WaitlistFull, match="waitlist too"):
        svc.register_participant(user=people[2], session_id=session.id, now=now)
    assert _status(session, people[2]) is None
