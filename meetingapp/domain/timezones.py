"""Local wall-clock time <-> UTC, with the DST traps made explicit."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from meetingapp.domain.errors import AmbiguousLocalTime, NonExistentLocalTime, ValidationFailed
from meetingapp.domain.i18n import When, _

MINUS = "\u2212"


def zone(name: str) -> ZoneInfo:
    """The IANA zone called ``name``; ValidationFailed when there is none."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # 'America' is a directory
        raise ValidationFailed(
            _(
                "Unknown time zone %(name)s: use an IANA name such as Europe/Vienna.",
                name=repr(name),
            ),
            field="timezone",
        ) from None


FIRST_YEAR, LAST_YEAR = 1900, 2200


def check_year(year: int) -> None:
    """Dates far outside any meeting's life are typing errors (and overflow date arithmetic)."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationFailed(
            _(
                "Dates must fall between the years %(first)s and %(last)s.",
                first=FIRST_YEAR,
                last=LAST_YEAR,
            )
        )


def local_to_utc(local: datetime, zone_name: str) -> datetime:
    """Interpret a naive wall-clock time in ``zone_name`` and return the aware UTC instant.

    Refuses times in the repeated hour of a DST change (ambiguous) and in the skipped hour
    (non-existent) instead of guessing.
    """
    if local.tzinfo is not None:
        raise ValueError("local_to_utc expects a naive wall-clock time")
    check_year(local.year)
    tz = zone(zone_name)
    first = local.replace(tzinfo=tz, fold=0)
    second = local.replace(tzinfo=tz, fold=1)
    if first.utcoffset() != second.utcoffset():
        as_utc0 = first.astimezone(UTC)
        as_utc1 = second.astimezone(UTC)
        # A round trip through UTC tells a repeated hour from a skipped one.
        if (
            as_utc0.astimezone(tz).replace(tzinfo=None) == local
            and as_utc1.astimezone(tz).replace(tzinfo=None) == local
        ):
            raise AmbiguousLocalTime(
                _(
                    "%(when)s happens twice in %(zone)s (clocks go back): "
                    "pick a time outside the repeated hour.",
                    when=When(local, "%d %b %Y %H:%M"),
                    zone=zone_name,
                )
            )
        raise NonExistentLocalTime(
            _(
                "%(when)s does not exist in %(zone)s (clocks go forward): "
                "pick a time outside the skipped hour.",
                when=When(local, "%d %b %Y %H:%M"),
                zone=zone_name,
            )
        )
    return first.astimezone(UTC)


def utc_to_local(instant: datetime, zone_name: str) -> datetime:
    return instant.astimezone(zone(zone_name))


def format_offset(offset: timedelta | None) -> str:
    """'UTC+1', 'UTC−4', 'UTC+5:30' (with a real minus sign)."""
    if offset is None:
        return "UTC"
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else MINUS
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{mins:02d}" if mins else "")


def zone_label(instant: datetime, zone_name: str, city: str = "") -> str:
    """'New York, EDT (UTC−4)' — the zone as people read it at that instant."""
    local = utc_to_local(instant, zone_name)
    abbreviation = local.tzname() or zone_name
    if abbreviation.startswith(("+", "-")):  # zones without a letter abbreviation
        abbreviation = zone_name
    label = f"{abbreviation} ({format_offset(local.utcoffset())})"
    return f"{city}, {label}" if city else label


def day_bounds_utc(day: date, zone_name: str) -> tuple[datetime, datetime]:
    """The UTC instants where a local calendar day starts and ends."""
    tz = zone(zone_name)
    start = datetime.combine(day, time(0), tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tz).astimezone(UTC)
    return start, end


def common_zones() -> list[str]:
    """Every IANA zone name, sorted, for a searchable list."""
    return sorted(
        z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/"))
    )
