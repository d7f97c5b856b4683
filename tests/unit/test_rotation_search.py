"""The tabu search's bookkeeping: every move's cost change equals a recount from scratch.

Costs are recounted here by brute force over pairs (apart breaches, repeats, same-
organisation pairs, sum of squared loads), not with the search's bit sets.
"""

from __future__ import annotations

import random
from collections import Counter
from itertools import combinations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from meetingapp.domain.rotation.search import W_ORG, W_REP, W_VIOL, Mixer, tabu_search


def recount(tab: np.ndarray, org, apart) -> int:
    rows = tab.tolist()
    viol = sum(sum(x == y for x, y in zip(rows[a], rows[b], strict=True)) for a, b in apart)
    rep = same = 0
    for a, b in combinations(range(len(rows)), 2):
        together = sum(x == y for x, y in zip(rows[a], rows[b], strict=True))
        rep += max(0, together - 1)
        if org[a] >= 0 and org[a] == org[b]:
            same += together
    loads = Counter((t, r) for row in rows for r, t in enumerate(row))
    return viol * W_VIOL + rep * W_REP + same * W_ORG + sum(v * v for v in loads.values())


@st.composite
def plans(draw):
    n_t = draw(st.integers(3, 7))
    rounds = draw(st.integers(2, min(4, n_t)))
    n = draw(st.integers(3, 18))
    rng = np.random.default_rng(draw(st.integers(0, 10**6)))
    tab = np.array([rng.permutation(n_t)[:rounds] for _ in range(n)], dtype=np.int64)
    score = rng.integers(0, 2, size=(n, n_t))
    org = rng.integers(-1, 3, size=n)
    pairs = [
        sorted(rng.choice(n, 2, replace=False).tolist()) for _ in range(draw(st.integers(0, 3)))
    ]
    apart = sorted({(a, b) for a, b in pairs})  # each pair once, as the planner counts them
    return tab, score, org, apart, n_t


@settings(max_examples=60, deadline=None)
@given(plans())
def test_mixer_evaluate_cost_changes_match_recount(case):
    tab, score, org, apart, n_t = case
    mixer = Mixer(
        tab,
        np.zeros_like(tab, dtype=bool),
        score,
        org,
        np.zeros(n_t),
        np.full(n_t, len(tab)),
        n_t,
        apart,
    )
    before = recount(tab, org, apart)
    rng = random.Random(0)
    for p in range(len(tab)):
        for r in range(tab.shape[1]):
            for delta, move in mixer.evaluate(p, r, rng, 3):
                after = tab.copy()
                for q, rr, t in move:
                    after[q, rr] = t
                assert delta == recount(after, org, apart) - before


@settings(max_examples=40, deadline=None)
@given(plans())
def test_tabu_search_keeps_sets_scores_and_never_worsens(case):
    tab, score, org, apart, n_t = case
    mixer = Mixer(
        tab,
        np.zeros_like(tab, dtype=bool),
        score,
        org,
        np.zeros(n_t),
        np.full(n_t, len(tab)),
        n_t,
        apart,
    )
    out, report = tabu_search(mixer, bound=(0, 0), budget=300, patience=50, seed=1, deadline=None)
    total = score[np.arange(len(tab))[:, None], tab].sum()
    assert score[np.arange(len(tab))[:, None], out].sum() == total
    assert all(len(set(row)) == tab.shape[1] for row in out.tolist())
    assert recount(out, org, apart) <= recount(tab, org, apart)
    viol, rep, same = report.cost_after
    assert (
        recount(out, org, apart) // W_ORG
        == viol * (W_VIOL // W_ORG) + rep * (W_REP // W_ORG) + same
    )
