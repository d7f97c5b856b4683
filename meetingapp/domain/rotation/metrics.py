"""Mixing measures, computed by counting rather than by enumerating pairs.

``repeat_pairs``: a pair meeting in ``m`` rounds counts ``m - 1``.  With ``n_S`` the number
of participants whose (table, round) cells include the cell set ``S``, inclusion-exclusion
over the cell subsets gives ``sum_pairs [m >= 1] = sum_{S != {}} (-1)^(|S|+1) C(n_S, 2)``
and ``sum_pairs m = sum_{|S| = 1} C(n_S, 2)``, so
``repeat_pairs = sum_{|S| >= 2} (-1)^|S| C(n_S, 2)`` -- ``2^R`` vectorised counts instead of
a pass over all pairs (tables of 2,000 people would have millions of pairs).

The lower bound on repeats, valid for every preference-optimal plan, is in :mod:`.bound`.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np


def _subsets(rounds: int):
    for size in range(1, rounds + 1):
        for combo in combinations(range(rounds), size):
            yield size, list(combo)


def _pairs(counts: np.ndarray) -> int:
    counts = counts.astype(np.int64)
    return int((counts * (counts - 1) // 2).sum())


def _cell_keys(tab: np.ndarray, n_tables: int, combo: list[int]):
    base = n_tables + 1
    if base ** tab.shape[1] < 2**62:
        weights = base ** np.array(combo, dtype=np.int64)
        return ((tab[:, combo] + 1) * weights).sum(axis=1)
    return np.array([hash(tuple(row)) for row in tab[:, combo].tolist()], dtype=np.int64)


def repeat_pairs(tab: np.ndarray, n_tables: int) -> int:
    """Sum over participant pairs of ``max(0, rounds together - 1)``."""
    n, rounds = tab.shape
    if n < 2:
        return 0
    total = 0
    for size, combo in _subsets(rounds):
        if size < 2:
            continue
        _, counts = np.unique(_cell_keys(tab, n_tables, combo), return_counts=True)
        total += (-1) ** size * _pairs(counts)
    return total


def meetings(tab: np.ndarray, n_tables: int) -> int:
    """Number of (pair, round) meetings: ``sum_{t,r} C(L_tr, 2)``."""
    n, rounds = tab.shape
    return sum(_pairs(np.bincount(tab[:, r], minlength=n_tables)) for r in range(rounds))


def same_org_pairs(tab: np.ndarray, n_tables: int, org: np.ndarray) -> int:
    """Number of (pair, round) with both from one organisation at the same table."""
    n, rounds = tab.shape
    has = org >= 0
    if n < 2 or not has.any():
        return 0
    total = 0
    n_org = int(org.max()) + 1
    for r in range(rounds):
        keys = tab[has, r].astype(np.int64) * n_org + org[has]
        _, counts = np.unique(keys, return_counts=True)
        total += _pairs(counts)
    return total


def random_order_repeats(tab: np.ndarray, n_tables: int, locked: np.ndarray, seed: int) -> int:
    """``repeat_pairs`` after shuffling each participant's unlocked rounds at random.

    The generator is seeded apart from the planner's own (``(seed, 1)``): the planner may
    have ordered the rounds with ``default_rng(seed)``, and the same shuffle applied twice is
    no longer uniform.
    """
    rng = np.random.default_rng((seed, 1))
    shuffled = tab.copy()
    free_all = ~locked.any(axis=1)
    if free_all.any():
        shuffled[free_all] = rng.permuted(tab[free_all], axis=1)
    for p in np.nonzero(~free_all)[0].tolist():
        free = np.nonzero(~locked[p])[0]
        shuffled[p, free] = rng.permutation(tab[p, free])
    return repeat_pairs(shuffled, n_tables)
