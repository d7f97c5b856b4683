from datetime import UTC, datetime, timedelta

import pytest

from meetingapp.domain.errors import ValidationFailed
from meetingapp.domain.networking import check_rounds_fit, round_times

START = datetime(2024, 11, 20, 12, 0, tzinfo=UTC)


def test_round_times_four_rounds_of_twenty_with_three_minute_moves():
    times = round_times(START, 4, 20, 3)
    assert [(s.strftime("%H:%M"), e.strftime("%H:%M")) for s, e in times] == [
        ("12:00", "12:20"),
        ("12:23", "12:43"),
        ("12:46", "13:06"),
        ("13:09", "13:29"),
    ]


def test_check_rounds_fit_accepts_the_seed_session():
    check_rounds_fit(START, START + timedelta(minutes=90), 4, 20, 3, 3, 11)


def test_check_rounds_fit_refuses_rounds_overrunning_the_slot():
    with pytest.raises(ValidationFailed, match="need 95 minutes, but the slot is 90"):
        check_rounds_fit(START, START + timedelta(minutes=90), 4, 20, 5, 3, 11)


def test_check_rounds_fit_refuses_fewer_rounds_than_minimum_tables():
    with pytest.raises(ValidationFailed, match="2 rounds cannot take each participant to 3"):
        check_rounds_fit(START, START + timedelta(minutes=90), 2, 20, 3, 3, 11)


def test_check_rounds_fit_refuses_fewer_tables_than_minimum():
    with pytest.raises(ValidationFailed, match="Only 2 tables"):
        check_rounds_fit(START, START + timedelta(minutes=90), 4, 20, 3, 3, 2)
