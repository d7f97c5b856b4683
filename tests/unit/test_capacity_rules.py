from datetime import UTC, datetime, timedelta

import pytest

from meetingapp.domain import capacity as rules

T0 = datetime(2024, 10, 28, 13, 30, tzinfo=UTC)


def test_status_for_new_registration_confirms_while_seats_remain():
    assert rules.status_for_new_registration(21, 20) == "confirmed"
    assert rules.status_for_new_registration(None, 10_000) == "confirmed"


def test_status_for_new_registration_waitlists_when_full():
    assert rules.status_for_new_registration(21, 21) == "waitlisted"


def test_seats_to_promote_fills_only_free_seats():
    assert rules.seats_to_promote(21, 20, 5) == 1
    assert rules.seats_to_promote(25, 21, 3) == 3
    assert rules.seats_to_promote(21, 21, 3) == 0
    assert rules.seats_to_promote(None, 21, 3) == 3


def test_registration_window_closes_at_session_start_by_default():
    with pytest.raises(rules.RegistrationClosed):
        rules.check_registration_window(T0, starts_at=T0, opens_at=None, closes_at=None)
    rules.check_registration_window(
        T0 - timedelta(minutes=1), starts_at=T0, opens_at=None, closes_at=None
    )


def test_registration_window_not_yet_open():
    with pytest.raises(rules.RegistrationClosed, match="opens on"):
        rules.check_registration_window(
            T0 - timedelta(days=2), starts_at=T0, opens_at=T0 - timedelta(days=1), closes_at=None
        )


def test_new_capacity_below_confirmed_is_refused_with_the_count():
    with pytest.raises(rules.CapacityBelowConfirmed, match="21 people are already confirmed"):
        rules.check_new_capacity(20, 21)


def test_ordinal_english_suffixes():
    assert [rules.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 103)] == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "12th",
        "13th",
        "21st",
        "22nd",
        "103rd",
    ]
