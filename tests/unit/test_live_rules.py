"""The room's clock (domain/live.py): phases run out by themselves, actions fit the state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from meetingapp.domain import live
from meetingapp.domain.errors import ValidationFailed
from meetingapp.domain.live import FINISHED, MOVING, PAUSED, TALKING, WAITING, LiveState, Timing

T0 = datetime(2024, 11, 20, 12, 0, tzinfo=UTC)  # 13:00 in Vienna
SEED = Timing(rounds=4, round_seconds=20 * 60, move_seconds=3 * 60)


def _at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def _started() -> LiveState:
    return live.act(LiveState(), "start", T0, SEED)


def test_start_begins_round_one_for_its_minutes():
    state = _started()
    assert (state.state, state.round, state.phase_ends_at) == (TALKING, 0, _at(20))


def test_the_seeds_four_rounds_run_out_by_themselves():
    state = _started()
    seen = []
    for minute in (19, 21, 24, 44, 47, 67, 70, 88, 89):
        now = live.advance(state, _at(minute), SEED)
        seen.append((minute, now.state, now.round))
    assert seen == [
        (19, TALKING, 0),
        (21, MOVING, 1),  # moving: the round people move to
        (24, TALKING, 1),
        (44, MOVING, 2),
        (47, TALKING, 2),
        (67, MOVING, 3),
        (70, TALKING, 3),
        (88, TALKING, 3),
        (89, FINISHED, 3),  # 4 × 20 + 3 × 3 minutes, and no move after the last round
    ]


def test_next_ends_the_running_phase_now():
    state = live.act(_started(), "next", _at(5), SEED)
    assert (state.state, state.round, state.phase_ends_at) == (MOVING, 1, _at(8))
    state = live.act(state, "next", _at(6), SEED)
    assert (state.state, state.round, state.phase_ends_at) == (TALKING, 1, _at(26))


def test_next_in_the_last_round_is_refused():
    state = live.advance(_started(), _at(75), SEED)
    assert (state.state, state.round) == (TALKING, 3)
    with pytest.raises(live.LiveConflict, match="last round"):
        live.act(state, "next", _at(75), SEED)


def test_pause_freezes_what_is_left_and_resume_gives_it_back():
    paused = live.act(_started(), "pause", _at(15), SEED)
    assert (paused.state, paused.paused_phase, paused.remaining_seconds) == (PAUSED, TALKING, 300)
    assert live.advance(paused, _at(600), SEED) == paused  # nothing runs out while paused
    resumed = live.act(paused, "resume", _at(100), SEED)
    assert (resumed.state, resumed.round, resumed.phase_ends_at) == (TALKING, 0, _at(105))


def test_extend_adds_minutes_to_the_running_or_paused_phase():
    assert live.act(_started(), "extend", _at(1), SEED, minutes=5).phase_ends_at == _at(25)
    paused = live.act(_started(), "pause", _at(10), SEED)
    assert live.act(paused, "extend", _at(11), SEED, minutes=2).remaining_seconds == 720


@pytest.mark.parametrize(
    ("state", "action", "why"),
    [
        (LiveState(), "next", "Start the session first"),
        (LiveState(), "pause", "Start the session first"),
        (LiveState(TALKING, 0, _at(20)), "start", "already started"),
        (LiveState(TALKING, 0, _at(20)), "resume", "not paused"),
        (LiveState(PAUSED, 0, None, TALKING, 60), "pause", "already paused"),
        (LiveState(FINISHED, 3, None), "end", "has ended"),
        (LiveState(FINISHED, 3, None), "next", "has ended"),
    ],
)
def test_actions_that_do_not_fit_the_state_are_refused(state, action, why):
    with pytest.raises(live.LiveConflict, match=why):
        live.act(state, action, _at(1), SEED)


@pytest.mark.parametrize("minutes", [None, 0, 61])
def test_extend_needs_between_one_and_sixty_minutes(minutes):
    with pytest.raises(ValidationFailed):
        live.act(_started(), "extend", _at(1), SEED, minutes=minutes)


def test_the_rounds_a_replan_may_change_exclude_those_played_or_under_way():
    assert live.first_open_round(LiveState()) == 0
    assert live.first_open_round(LiveState(TALKING, 1, _at(40))) == 2
    assert live.first_open_round(LiveState(MOVING, 2, _at(44))) == 2  # nobody sits there yet
    assert live.first_open_round(LiveState(PAUSED, 1, None, TALKING, 60)) == 2


@given(
    rounds=st.integers(1, 8),
    talk=st.integers(1, 40),
    move=st.integers(0, 10),
    minutes=st.floats(0, 500),
)
def test_the_clock_only_ever_moves_forward_through_the_rounds(rounds, talk, move, minutes):
    timing = Timing(rounds, talk * 60, move * 60)
    state = live.act(LiveState(), "start", T0, timing)
    earlier = live.advance(state, _at(minutes / 2), timing)
    later = live.advance(state, _at(minutes), timing)
    order = {TALKING: 0, MOVING: -1, FINISHED: 1}
    assert (later.round, order[later.state]) >= (earlier.round, order[earlier.state])
    total = rounds * talk + (rounds - 1) * move
    assert (later.state == FINISHED) == (minutes >= total)
    assert later.state != WAITING
