from datetime import UTC, datetime

import pytest

from meetingapp.domain.errors import AmbiguousLocalTime, NonExistentLocalTime, ValidationFailed
from meetingapp.domain.timezones import format_offset, local_to_utc, zone_label


def test_local_to_utc_new_york_training_day_before_dst_ends():
    assert local_to_utc(datetime(2024, 10, 28, 9, 30), "America/New_York") == datetime(
        2024, 10, 28, 13, 30, tzinfo=UTC
    )


def test_local_to_utc_vienna_speed_dating_after_dst_ended():
    assert local_to_utc(datetime(2024, 11, 20, 13, 0), "Europe/Vienna") == datetime(
        2024, 11, 20, 12, 0, tzinfo=UTC
    )


def test_local_to_utc_new_york_after_3_november_is_utc_minus_5():
    assert local_to_utc(datetime(2024, 11, 4, 9, 30), "America/New_York") == datetime(
        2024, 11, 4, 14, 30, tzinfo=UTC
    )


def test_local_to_utc_refuses_the_repeated_hour_as_ambiguous():
    with pytest.raises(AmbiguousLocalTime, match="happens twice"):
        local_to_utc(datetime(2024, 10, 27, 2, 30), "Europe/Vienna")


def test_local_to_utc_refuses_the_skipped_hour_as_non_existent():
    with pytest.raises(NonExistentLocalTime, match="does not exist"):
        local_to_utc(datetime(2024, 3, 10, 2, 30), "America/New_York")


def test_local_to_utc_unknown_zone_is_a_validation_error():
    with pytest.raises(ValidationFailed, match="Unknown time zone"):
        local_to_utc(datetime(2024, 3, 10, 2, 30), "Mars/Olympus_Mons")


def test_zone_label_shows_city_abbreviation_and_offset():
    assert zone_label(
        datetime(2024, 10, 28, 13, 30, tzinfo=UTC), "America/New_York", "New York"
    ) == ("New York, EDT (UTC\u22124)")
    assert zone_label(datetime(2024, 11, 20, 12, 0, tzinfo=UTC), "Europe/Vienna", "Vienna") == (
        "Vienna, CET (UTC+1)"
    )


def test_format_offset_half_hours():
    from datetime import timedelta

    assert format_offset(timedelta(hours=5, minutes=30)) == "UTC+5:30"
