"""Exact table sets for parties, stayers and binding apart pairs: branch and bound.

The relaxation is the ordinary transportation problem (:func:`.transport.solve_transport`)
with one supply node per unit (a party, a stayer, a person with a binding apart pair): its
``k`` members send ``k R`` units, at most ``k`` to a table (``k R`` if they stay).  Dropping
"whole unit or nothing at a table", "one table for a stayer" and "apart" gives an upper
bound; a relaxed optimum that happens to respect them is optimal.  Otherwise branch on one
table ``t`` of one offending unit: the unit takes ``t`` (forced) or never takes it
(forbidden); for an apart pair, one or the other is not at ``t``.  The children together
cover every plan, so best-first search with the relaxation as bound is exact.  No scipy:
small rule sets cost a few transportation solves.  Gives up (``False``) after a fraction of
a second; the caller then asks the integer programme.
"""

from __future__ import annotations

import heapq
import time

import numpy as np

from .transport import solve_transport


def branch_units(
    units, g_score, g_lb, g_ub, g_size, lo_v, hi_v, rounds, apart_units, seconds: float = 0.3
):
    """``(choices, value)`` like :func:`.constraints.set_level_milp`, None if infeasible,
    False after ``seconds`` without an answer."""
    n_t = len(lo_v)
    sizes = np.array([len(u.members) for u in units], dtype=np.int64)
    scale = int(np.lcm.reduce(sizes)) if len(sizes) else 1
    stays = np.array([u.stays for u in units], dtype=bool)
    # One supply node per unit: k members send k * R units, at most k per table (all R of
    # each member on one table if they stay); scores are per member-round, scaled by the
    # sizes' lcm to stay integral.
    u_score = np.array([u.score * (scale // len(u.members)) for u in units], dtype=np.int64)
    score = np.concatenate(
        [u_score.reshape(-1, n_t), np.asarray(g_score, dtype=np.int64).reshape(-1, n_t) * scale]
    )
    supply = np.concatenate([sizes * rounds, np.asarray(g_size, dtype=np.int64) * rounds])
    full = np.where(stays, sizes * rounds, sizes)  # a unit's amount at a table it takes
    k = len(units)

    def relax(force, forbid):
        lb = np.zeros((k, n_t), dtype=np.int64)
        ub = np.zeros((k, n_t), dtype=np.int64)
        for u, unit in enumerate(units):
            allowed = unit.allowed & ~forbid[u]
            if ((unit.forced | force[u]) & ~allowed).any():
                return None  # a pinned or forced table is ruled out on this branch
            ub[u] = np.where(allowed, full[u], 0)
            lb[u] = np.where(unit.forced | force[u], full[u], 0)
        lb_all = np.concatenate([lb, np.asarray(g_lb, dtype=np.int64).reshape(-1, n_t)])
        ub_all = np.concatenate([ub, np.asarray(g_ub, dtype=np.int64).reshape(-1, n_t)])
        return solve_transport(score, lb_all, ub_all, supply, lo_v, hi_v)

    def offence(x):
        """Children ``[(unit, table, force?), ...]`` to branch into, or None if all holds."""
        for u in range(k):
            row = x[u]
            split = (row > 0) & (row < full[u])
            if split.any():
                t = int(np.argmax(np.where(split, row, -1)))
                return [[(u, t, True)], [(u, t, False)]]
        for a, b in apart_units:
            shared = (x[a] > 0) & (x[b] > 0)
            if (units[a].stays or units[b].stays or rounds == 1) and shared.any():
                t = int(np.nonzero(shared)[0][0])
                return [[(a, t, False)], [(b, t, False)]]  # one of them is not there
        return None

    zero = np.zeros((len(units), n_t), dtype=bool)
    first = relax(zero, zero)
    if first is None:
        return None
    heap = [(-first.value, 0, zero, zero, first)]
    made = 1
    deadline = time.perf_counter() + seconds
    while heap:
        if time.perf_counter() > deadline:
            return False
        _, _, force, forbid, result = heapq.heappop(heap)
        children = offence(result.x)
        if children is None:
            choices = [np.nonzero(result.x[u] > 0)[0].tolist() for u in range(k)]
            return choices, result.value // scale
        for changes in children:
            f2, x2 = force.copy(), forbid.copy()
            for u, t, take in changes:
                (f2 if take else x2)[u, t] = True
            if (f2 & x2).any():
                continue
            child = relax(f2, x2)
            made += 1
            if child is not None:
                heapq.heappush(heap, (-child.value, -made, f2, x2, child))  # ties: deepest
    return None
