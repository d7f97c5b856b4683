"""Exact table sets for parties, stayers and binding apart pairs: branch and bound.

The relaxation is the ordinary transportation problem (:func:`.transport.solve_transport`)
in which every member of a rule's unit is its own supply node: a member who moves sends one
unit to each of ``R`` tables, a member who stays may send all ``R`` to one table.  Dropping
"all members alike", "one table for a stayer" and "apart" gives an upper bound; a relaxed
optimum that happens to respect them is optimal.  Otherwise branch on one table ``t`` of one
offending unit: the unit takes ``t`` (forced) or never takes it (forbidden) -- both children
together cover every plan, so best-first search with the relaxation as bound is exact.  No
scipy: small rule sets cost a few transportation solves.  Gives up (``False``) after a
fraction of a second; the caller then asks the integer programme.
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
    rows_of: list[list[int]] = []
    scores, stay_rows = [], []
    for unit in units:
        rows_of.append(list(range(len(scores), len(scores) + len(unit.members))))
        for p in range(len(unit.members)):
            scores.append(unit.member_scores[p])
            stay_rows.append(unit.stays)
    k = len(scores)
    m_score = np.array(scores, dtype=np.int64).reshape(k, n_t)
    stays = np.array(stay_rows, dtype=bool)
    score = np.concatenate([m_score, np.asarray(g_score, dtype=np.int64).reshape(-1, n_t)])
    supply = np.concatenate([np.full(k, rounds), np.asarray(g_size, dtype=np.int64) * rounds])
    per = np.where(stays, rounds, 1)[:, None]

    def relax(force, forbid):
        lb = np.zeros((k, n_t), dtype=np.int64)
        ub = np.repeat(per, n_t, axis=1).astype(np.int64)
        for u, unit in enumerate(units):
            rows = rows_of[u]
            if ((unit.forced | force[u]) & ~(unit.allowed & ~forbid[u])).any():
                return None  # a pinned or forced table is ruled out on this branch
            allowed = unit.allowed & ~forbid[u]
            ub[rows] *= allowed[None, :]
            lb[rows] = np.where(unit.forced | force[u], per[rows], 0) * allowed[None, :]
        lb_all = np.concatenate([lb, np.asarray(g_lb, dtype=np.int64).reshape(-1, n_t)])
        ub_all = np.concatenate([ub, np.asarray(g_ub, dtype=np.int64).reshape(-1, n_t)])
        return solve_transport(score, lb_all, ub_all, supply, lo_v, hi_v)

    def offence(x):
        """Children ``[(unit, table, force?), ...]`` to branch into, or None if all holds."""
        for u, unit in enumerate(units):
            mine = x[rows_of[u]] > 0
            if unit.stays:
                counts = mine.sum(axis=0)
                t = int(counts.argmax())
                if mine.sum() != len(unit.members) or counts[t] != len(unit.members):
                    return [[(u, t, True)], [(u, t, False)]]
            else:
                differ = mine.any(axis=0) & ~mine.all(axis=0)
                if differ.any():
                    t = int(np.nonzero(differ)[0][0])
                    return [[(u, t, True)], [(u, t, False)]]
        for a, b in apart_units:
            shared = (x[rows_of[a]] > 0).any(axis=0) & (x[rows_of[b]] > 0).any(axis=0)
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
            x = result.x[:k] > 0
            choices = [sorted(np.nonzero(x[rows_of[u][0]])[0].tolist()) for u in range(len(units))]
            return choices, result.value
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
