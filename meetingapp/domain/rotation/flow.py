"""Step 1: the exact preference optimum as a transportation problem.

Participant ``p`` sends ``R`` units (one per remaining round), at most one to each table it
may still visit (exactly one to each table it is pinned to); table ``t`` receives between
``min_seats_t * R`` and ``capacity_t * R`` units; a unit from ``p`` to ``t`` earns
``score[p, t]``.  The constraint matrix is the incidence matrix of a bipartite graph, hence
totally unimodular: every vertex of the polytope is integral and the simplex method (HiGHS
dual simplex) returns an integral optimum.  Participants with the same score vector and the
same forbidden / forced tables are merged into one supply node of size ``n`` (edge capacity
``n``), which shrinks the model without losing exactness: an integral group flow with every
edge at most ``n`` and total ``n * R`` splits into ``n`` sets of ``R`` distinct tables by
dealing the table list round-robin (:func:`split_groups`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

_FORBIDDEN = 1
_FORCED = 2


@dataclass
class FlowResult:
    sets: list[list[int]]  # per participant: its tables (indices), unordered
    value: int  # total score of the flow
    groups: int  # supply nodes after merging identical participants
    method: str  # "highs-ds" or "milp" (fallback if the LP vertex was not integral)


def _solve_lp(c, a_ub, b_ub, a_eq, b_eq, lb, ub):
    res = linprog(
        c,
        A_ub=a_ub,
        b_ub=b_ub,
        A_eq=a_eq,
        b_eq=b_eq,
        bounds=np.column_stack([lb, ub]),
        method="highs-ds",
    )
    if res.status == 2:
        return None, "highs-ds"
    if res.status == 0:
        x = np.asarray(res.x)
        xr = np.round(x)
        if np.abs(x - xr).max(initial=0.0) < 1e-6:
            return xr.astype(np.int64), "highs-ds"
    # Numerical trouble or a non-vertex answer: ask for integrality explicitly.
    constraints = [LinearConstraint(a_eq, b_eq, b_eq), LinearConstraint(a_ub, -np.inf, b_ub)]
    res = milp(
        c,
        constraints=constraints,
        bounds=Bounds(lb, ub),
        integrality=np.ones(len(c)),
    )
    if res.status != 0 or res.x is None:
        return None, "milp"
    return np.round(res.x).astype(np.int64), "milp"


def max_preference_sets(
    score: np.ndarray,
    forbidden: np.ndarray,
    forced: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    rounds: int,
) -> FlowResult | None:
    """Best table sets (one per participant, ``rounds`` tables each), or None if none exist.

    ``score``, ``forbidden`` and ``forced`` are ``N x T``; ``lo``/``hi`` bound each table's
    total visits over the ``rounds`` rounds.
    """
    n, t = score.shape
    if n == 0:
        return FlowResult([], 0, 0, "none")
    state = np.where(forced, _FORCED, np.where(forbidden, _FORBIDDEN, 0))
    key = score.astype(np.int64) * 3 + state
    keys, inverse, counts = np.unique(key, axis=0, return_inverse=True, return_counts=True)
    inverse = np.asarray(inverse).reshape(-1)
    g_count = len(keys)
    g_state = keys % 3
    g_score = keys // 3
    gi, ti = np.nonzero(g_state != _FORBIDDEN)
    nv = len(gi)
    c = -g_score[gi, ti].astype(float)
    ub = counts[gi].astype(float)
    lb = np.where(g_state[gi, ti] == _FORCED, ub, 0.0)
    ones = np.ones(nv)
    a_eq = sparse.csr_matrix((ones, (gi, np.arange(nv))), shape=(g_count, nv))
    b_eq = (counts * rounds).astype(float)
    a_tab = sparse.csr_matrix((ones, (ti, np.arange(nv))), shape=(t, nv))
    a_ub = sparse.vstack([a_tab, -a_tab]).tocsr()
    b_ub = np.concatenate([hi, -lo]).astype(float)
    x, method = _solve_lp(c, a_ub, b_ub, a_eq, b_eq, lb, ub)
    if x is None:
        return None
    flow = np.zeros((g_count, t), dtype=np.int64)
    flow[gi, ti] = x
    sets = split_groups(flow, inverse, counts)
    value = int((flow * g_score).sum())
    return FlowResult(sets, value, g_count, method)


def split_groups(flow: np.ndarray, inverse: np.ndarray, counts: np.ndarray) -> list[list[int]]:
    """Deal each group's table multiset round-robin to its members (distinct tables each)."""
    members: list[list[int]] = [[] for _ in range(len(counts))]
    for p, g in enumerate(inverse.tolist()):
        members[g].append(p)
    sets: list[list[int]] = [[] for _ in range(len(inverse))]
    for g, who in enumerate(members):
        size = len(who)
        i = 0
        for table, amount in enumerate(flow[g].tolist()):
            for _ in range(amount):
                sets[who[i % size]].append(table)
                i += 1
    return sets


@dataclass
class MilpResult:
    tab: np.ndarray  # N x R table per round
    value: int
    optimal: bool


def milp_rotation(
    score: np.ndarray,
    forbidden: np.ndarray,
    pins: dict[tuple[int, int], int],
    lo: np.ndarray,
    hi: np.ndarray,
    rounds: int,
    time_limit: float,
) -> MilpResult | None | bool:
    """The full participant x table x round model (fallback for awkward pins).

    Returns a result, ``None`` when HiGHS proves the model infeasible, or ``False`` when it
    stops at the time limit without any rotation.
    """
    n, t = score.shape
    pinned_round = {}
    for (p, r), table in pins.items():
        pinned_round[p, r] = table
    var_p, var_t, var_r = [], [], []
    for p in range(n):
        for r in range(rounds):
            fixed_table = pinned_round.get((p, r))
            for table in range(t):
                if forbidden[p, table]:
                    continue
                if fixed_table is not None and table != fixed_table:
                    continue
                var_p.append(p)
                var_t.append(table)
                var_r.append(r)
    vp, vt, vr = np.array(var_p), np.array(var_t), np.array(var_r)
    nv = len(vp)
    cols = np.arange(nv)
    ones = np.ones(nv)
    a_pr = sparse.csr_matrix((ones, (vp * rounds + vr, cols)), shape=(n * rounds, nv))
    a_pt = sparse.csr_matrix((ones, (vp * t + vt, cols)), shape=(n * t, nv))
    a_tr = sparse.csr_matrix((ones, (vt * rounds + vr, cols)), shape=(t * rounds, nv))
    constraints = [
        LinearConstraint(a_pr, 1, 1),
        LinearConstraint(a_pt, 0, 1),
        LinearConstraint(a_tr, np.repeat(lo, rounds), np.repeat(hi, rounds)),
    ]
    res = milp(
        -score[vp, vt].astype(float),
        constraints=constraints,
        bounds=Bounds(0, 1),
        integrality=np.ones(nv),
        options={"time_limit": max(1.0, float(time_limit))},
    )
    if res.x is None:
        return None if res.status == 2 else False
    x = np.round(res.x) > 0.5
    tab = np.full((n, rounds), -1, dtype=np.int64)
    tab[vp[x], vr[x]] = vt[x]
    value = int(score[vp[x], vt[x]].sum())
    return MilpResult(tab, value, res.status == 0)
