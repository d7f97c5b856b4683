"""Step 1: the exact preference optimum as a transportation problem.

Participant ``p`` sends ``R`` units (one per remaining round), at most one to each table it
may still visit (exactly one to each table it is pinned to); table ``t`` receives between
``min_seats_t * R`` and ``capacity_t * R`` units; a unit from ``p`` to ``t`` earns
``score[p, t]``.  The constraint matrix is the incidence matrix of a bipartite graph, hence
totally unimodular: the optimum is integral.  Participants with the same score vector and the
same forbidden / forced tables are merged into one supply node of size ``n`` (edge capacity
``n``), which shrinks the model without losing exactness: an integral group flow with every
edge at most ``n`` and total ``n * R`` splits into ``n`` sets of ``R`` distinct tables by
dealing the table list round-robin (:func:`split_groups`).  The flow itself is solved by
:func:`.transport.solve_transport` (numpy only); scipy's HiGHS is imported only by the
participant x table x round fallback (:func:`milp_rotation`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .transport import Face, level_visits, optimal_face, solve_transport

_FORBIDDEN = 1
_FORCED = 2


@dataclass
class FlowResult:
    sets: list[list[int]]  # per participant: its tables (indices), unordered
    value: int  # total score of the flow
    groups: int  # supply nodes after merging identical participants
    method: str  # "transport"
    inverse: np.ndarray  # participant -> group
    face: Face  # what every optimal flow shares
    levelled: bool = False  # table totals as even as any optimal flow's (min sum V^2)


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
        empty = np.zeros((0, t), dtype=bool)
        return FlowResult(
            [],
            0,
            0,
            "none",
            np.zeros(0, dtype=np.int64),
            Face(empty, empty, np.ones(t, dtype=bool)),
        )
    state = np.where(forced, _FORCED, np.where(forbidden, _FORBIDDEN, 0))
    key = score.astype(np.int64) * 3 + state
    keys, inverse, counts = np.unique(key, axis=0, return_inverse=True, return_counts=True)
    inverse = np.asarray(inverse).reshape(-1)
    g_count = len(keys)
    g_state = keys % 3
    g_score = keys // 3
    lb = np.where(g_state == _FORCED, counts[:, None], 0).astype(np.int64)
    ub = np.where(g_state == _FORBIDDEN, 0, counts[:, None]).astype(np.int64)
    lo = np.asarray(lo, dtype=np.int64)
    hi = np.asarray(hi, dtype=np.int64)
    result = solve_transport(g_score, lb, ub, counts * rounds, lo, hi)
    if result is None:
        return None
    result = level_visits(g_score, lb, ub, lo, hi, result)
    sets = split_groups(result.x, inverse, counts)
    face = optimal_face(g_score, lb, ub, counts, lo, hi, result)
    return FlowResult(sets, result.value, g_count, "transport", inverse, face, result.levelled)


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
    *,
    stays: np.ndarray | None = None,
    together: tuple = (),
    apart: tuple = (),
) -> MilpResult | None | bool:
    """The full participant x table x round model (fallback for awkward pins and rules).

    ``stays[p]``: ``p`` keeps one table (no distinct-tables row; equal seats across rounds);
    ``together``/``apart``: participant index pairs.  Returns a result, ``None`` when HiGHS
    proves the model infeasible, or ``False`` when it stops at the time limit without any
    rotation.
    """
    from scipy import sparse
    from scipy.optimize import Bounds, LinearConstraint, milp

    n, t = score.shape
    stays = np.zeros(n, dtype=bool) if stays is None else stays
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
    movers = ~stays[vp]
    a_pt = sparse.csr_matrix(
        (ones[movers], ((vp * t + vt)[movers], cols[movers])), shape=(n * t, nv)
    )
    a_tr = sparse.csr_matrix((ones, (vt * rounds + vr, cols)), shape=(t * rounds, nv))
    constraints = [
        LinearConstraint(a_pr, 1, 1),
        LinearConstraint(a_pt, 0, 1),
        LinearConstraint(a_tr, np.repeat(lo, rounds), np.repeat(hi, rounds)),
    ]
    key = {
        (int(p), int(tt), int(r)): i for i, (p, tt, r) in enumerate(zip(vp, vt, vr, strict=True))
    }
    same = [(p, q) for p, q in together]
    same += [(p, p) for p in np.nonzero(stays)[0].tolist()]
    rows, cs, vals, bounds_lo, bounds_hi = [], [], [], [], []

    def link(entries, low, high):
        row = len(bounds_lo)
        for col, val in entries:
            rows.append(row)
            cs.append(col)
            vals.append(val)
        bounds_lo.append(low)
        bounds_hi.append(high)

    for p, q in same:  # equal seats: together in each round, or one table across rounds
        for tt in range(t):
            for r in range(rounds):
                r2 = r if p != q else (r + 1) % rounds
                if p == q and rounds < 2:
                    continue
                a, b = key.get((p, tt, r)), key.get((q, tt, r2))
                entries = [(c, v) for c, v in ((a, 1.0), (b, -1.0)) if c is not None]
                link(entries, 0.0, 0.0)
    for p, q in apart:
        for tt in range(t):
            for r in range(rounds):
                a, b = key.get((p, tt, r)), key.get((q, tt, r))
                if a is not None and b is not None:
                    link([(a, 1.0), (b, 1.0)], 0.0, 1.0)
    if bounds_lo:
        extra = sparse.csr_matrix((vals, (rows, cs)), shape=(len(bounds_lo), nv))
        constraints.append(LinearConstraint(extra, bounds_lo, bounds_hi))
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
