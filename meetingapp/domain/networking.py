"""Speed-networking timing rules."""

from __future__ import annotations

from datetime import datetime, timedelta

from meetingapp.domain.errors import ValidationFailed
from meetingapp.domain.i18n import _


def round_times(
    start: datetime, rounds: int, round_minutes: int, move_minutes: int
) -> list[tuple[datetime, datetime]]:
    """Start and end of each round; rounds follow each other, ``move_minutes`` apart."""
    times = []
    cursor = start
    for _number in range(rounds):
        end = cursor + timedelta(minutes=round_minutes)
        times.append((cursor, end))
        cursor = end + timedelta(minutes=move_minutes)
    return times


def check_rounds_fit(
    start: datetime,
    end: datetime,
    rounds: int,
    round_minutes: int,
    move_minutes: int,
    min_tables: int,
    table_count: int | None = None,
) -> None:
    """Refuse a plan whose rounds overrun the slot or cannot reach ``min_tables`` tables."""
    if rounds < 1:
        raise ValidationFailed(
            _("A speed-networking session needs at least one round."), field="round_count"
        )
    if round_minutes < 1:
        raise ValidationFailed(_("Rounds must last at least one minute."), field="round_minutes")
    if move_minutes < 0:
        raise ValidationFailed(_("Moving time cannot be negative."), field="move_minutes")
    if min_tables < 1:
        raise ValidationFailed(
            _("The minimum number of tables must be at least 1."), field="min_tables"
        )
    if rounds < min_tables:
        raise ValidationFailed(
            _(
                "%(rounds)s rounds cannot take each participant to %(minimum)s different tables.",
                rounds=rounds,
                minimum=min_tables,
            ),
            field="round_count",
        )
    if table_count is not None and table_count and table_count < min_tables:
        raise ValidationFailed(
            _(
                "Only %(count)s tables for a minimum of %(minimum)s distinct tables "
                "per participant.",
                count=table_count,
                minimum=min_tables,
            ),
            field="min_tables",
        )
    last_end = round_times(start, rounds, round_minutes, move_minutes)[-1][1]
    if last_end > end:
        needed = int((last_end - start).total_seconds() // 60)
        slot = int((end - start).total_seconds() // 60)
        raise ValidationFailed(
            _(
                "%(rounds)s rounds of %(minutes)s minutes with %(move)s minutes to move need "
                "%(needed)s minutes, but the slot is %(slot)s minutes.",
                rounds=rounds,
                minutes=round_minutes,
                move=move_minutes,
                needed=needed,
                slot=slot,
            ),
            field="round_count",
        )
