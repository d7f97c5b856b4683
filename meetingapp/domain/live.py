"""The room's clock for a speed-networking session: phases, rounds and what an organiser may do.

Pure decisions, no I/O. A session is *waiting* until the organiser starts it; then each round is
*talking* for the round's minutes, followed (except after the last round) by *moving* to the
next round's tables for the move minutes; *paused* freezes whatever phase was running; *finished*
ends it. The published plan's times are only the default: once started, the real clock of the
room decides (``advance`` lets the phases run out one after the other).

Rounds are numbered from 0 here, from 1 wherever people read them. While *moving*, ``round`` is
the round people are moving to.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from meetingapp.domain.errors import DomainError, ValidationFailed
from meetingapp.domain.i18n import _

WAITING, TALKING, MOVING, PAUSED, FINISHED = "waiting", "talking", "moving", "paused", "finished"
STATES = (WAITING, TALKING, MOVING, PAUSED, FINISHED)
ACTIONS = ("start", "next", "pause", "resume", "extend", "end")
MAX_EXTEND_MINUTES = 60
# The board warns this long before a talking phase ends.
WARNING_SECONDS = 120


class LiveConflict(DomainError):
    """The action does not fit the state the room is in (409)."""


@dataclass(frozen=True)
class Timing:
    rounds: int
    round_seconds: int
    move_seconds: int


@dataclass(frozen=True)
class LiveState:
    state: str = WAITING
    round: int | None = None
    phase_ends_at: datetime | None = None
    paused_phase: str | None = None  # the phase a pause froze
    remaining_seconds: float | None = None  # of that phase, while paused

    @property
    def running(self) -> bool:
        return self.state in (TALKING, MOVING)


def advance(state: LiveState, now: datetime, timing: Timing) -> LiveState:
    """The state at ``now``: every phase that has run out gives way to the next one."""
    while state.running and state.phase_ends_at is not None and now >= state.phase_ends_at:
        ended = state.phase_ends_at
        if state.state == MOVING:
            state = LiveState(TALKING, state.round, ended + timedelta(seconds=timing.round_seconds))
        elif state.round + 1 >= timing.rounds:
            state = LiveState(FINISHED, state.round, None)
        elif timing.move_seconds > 0:
            state = LiveState(
                MOVING, state.round + 1, ended + timedelta(seconds=timing.move_seconds)
            )
        else:
            state = LiveState(
                TALKING, state.round + 1, ended + timedelta(seconds=timing.round_seconds)
            )
    return state


def act(
    state: LiveState, action: str, now: datetime, timing: Timing, *, minutes: int | None = None
) -> LiveState:
    """The state after the organiser's ``action`` at ``now`` (``state`` already advanced).

    Raises LiveConflict when the action does not fit the state (starting twice, ``next`` in
    the last round, resuming what is not paused, …) and ValidationFailed for a bad ``minutes``.
    """
    if action not in ACTIONS:
        raise ValidationFailed(
            _("Choose one of: %(actions)s.", actions=", ".join(ACTIONS)), field="action"
        )
    if timing.rounds < 1:
        raise LiveConflict(_("This session has no rounds to run."))
    if action == "start":
        if state.state != WAITING:
            raise LiveConflict(_("The session has already started."))
        return LiveState(TALKING, 0, now + timedelta(seconds=timing.round_seconds))
    if state.state == FINISHED:
        raise LiveConflict(_("The session has ended."))
    if action == "end":
        return LiveState(FINISHED, state.round, None)
    if state.state == WAITING:
        raise LiveConflict(_("Start the session first."))
    if action == "next":
        return _next(state, now, timing)
    if action == "pause":
        if state.state == PAUSED:
            raise LiveConflict(_("The session is already paused."))
        remaining = max((state.phase_ends_at - now).total_seconds(), 0.0)
        return LiveState(PAUSED, state.round, None, state.state, remaining)
    if action == "resume":
        if state.state != PAUSED:
            raise LiveConflict(_("The session is not paused."))
        ends = now + timedelta(seconds=state.remaining_seconds or 0)
        return LiveState(state.paused_phase, state.round, ends)
    # extend
    if minutes is None or not 1 <= minutes <= MAX_EXTEND_MINUTES:
        raise ValidationFailed(
            _("Extend by 1 to %(most)s minutes.", most=MAX_EXTEND_MINUTES), field="minutes"
        )
    if state.state == PAUSED:
        return replace(state, remaining_seconds=(state.remaining_seconds or 0) + 60 * minutes)
    return replace(state, phase_ends_at=state.phase_ends_at + timedelta(minutes=minutes))


def _next(state: LiveState, now: datetime, timing: Timing) -> LiveState:
    """End the running phase now: talking gives way to moving (or the next round's talking),
    moving to talking."""
    phase = state.paused_phase if state.state == PAUSED else state.state
    if phase == MOVING:
        return LiveState(TALKING, state.round, now + timedelta(seconds=timing.round_seconds))
    if state.round + 1 >= timing.rounds:
        raise LiveConflict(_("This is the last round: end the session instead."))
    if timing.move_seconds > 0:
        return LiveState(MOVING, state.round + 1, now + timedelta(seconds=timing.move_seconds))
    return LiveState(TALKING, state.round + 1, now + timedelta(seconds=timing.round_seconds))


def seated_round(state: LiveState) -> int | None:
    """The round whose seats hold now (moving: the round people are moving to)."""
    if state.state == WAITING:
        return 0
    return state.round


def upcoming_round(state: LiveState, timing: Timing) -> int | None:
    """The round after the one whose seats hold now; None after the last."""
    current = seated_round(state)
    if state.state == FINISHED or current is None:
        return None
    return current + 1 if current + 1 < timing.rounds else None


def first_open_round(state: LiveState) -> int:
    """The first round a re-plan may change: the rounds played or under way are kept."""
    if state.state == WAITING:
        return 0
    if state.state == MOVING or (state.state == PAUSED and state.paused_phase == MOVING):
        return state.round  # nobody sits at the round's tables yet
    return (state.round or 0) + 1
