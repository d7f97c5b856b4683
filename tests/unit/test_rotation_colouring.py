"""The seat-copy edge colouring splits any table sets into evenly loaded rounds."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from meetingapp.domain.rotation.colouring import LoadRepair, colour_rounds


@st.composite
def table_sets(draw):
    n_tables = draw(st.integers(1, 8))
    rounds = draw(st.integers(1, n_tables))
    n = draw(st.integers(0, 40))
    sets = [draw(st.permutations(range(n_tables)))[:rounds] for _ in range(n)]
    return sets, n_tables, rounds


@settings(max_examples=60, deadline=None)
@given(table_sets())
def test_colour_rounds_any_sets_give_rounds_within_one_of_even(case):
    sets, n_tables, rounds = case
    tab = colour_rounds(sets, n_tables, rounds)
    assert tab.shape == (len(sets), rounds)
    for p, tables in enumerate(sets):
        assert sorted(tab[p].tolist()) == sorted(tables)
    if sets:
        loads = np.stack([np.bincount(tab[:, r], minlength=n_tables) for r in range(rounds)])
        assert (loads.max(axis=0) - loads.min(axis=0)).max() <= 1


@settings(max_examples=60, deadline=None)
@given(table_sets(), st.randoms(use_true_random=False))
def test_load_repair_success_means_loads_within_band(case, rnd):
    sets, n_tables, rounds = case
    if not sets:
        return
    tab = np.array([rnd.sample(s, len(s)) for s in sets], dtype=np.int64)
    visits = np.bincount(tab.ravel(), minlength=n_tables)
    lo, hi = visits // rounds, -(-visits // rounds)
    repair = LoadRepair(tab, np.zeros_like(tab, dtype=bool), lo, hi, n_tables)
    if repair.repair():
        for p, tables in enumerate(sets):
            assert sorted(repair.tab[p].tolist()) == sorted(tables)
        assert repair.violations() == []
