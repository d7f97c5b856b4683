"""The preference optimum as a transportation problem, solved exactly in numpy (no scipy).

Groups of identical participants (same scores, same forbidden and forced tables) send
``size * R`` units; group ``g`` sends between ``lb[g, t]`` and ``ub[g, t]`` units to table
``t`` (``0``/``size``, ``size``/``size`` when forced, ``0``/``0`` when forbidden) and earns
``score[g, t]`` per unit; table ``t`` receives between ``lo[t]`` and ``hi[t]`` units.

Method: successive shortest paths on the *table graph*.  Start with every group on its best
tables (optimal if tables had no limits).  Moving one unit of group ``g`` from table ``t`` to
table ``u`` costs ``score[g, t] - score[g, u]``; the table graph has an arc ``t -> u`` of the
cheapest such cost over the groups that can make the move, and a zero-cost slack node ``s``
(``t -> s`` while ``t`` may take more, ``s -> t`` while it may give some).  Excess units on
over-full tables are pushed to the slack node (and missing ones pulled from it) along
shortest paths (Bellman-Ford on ``T + 1`` nodes); every arc is a bundle of parallel group
moves of equal cost, so one push moves as much as the bundle carries.  Each push keeps the
residual graph free of negative cycles, which is the optimality condition; the shortest
distances at the end are optimal dual potentials, used by :func:`optimal_face`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_BIG = np.int64(1) << 40


@dataclass
class Transport:
    x: np.ndarray  # G x T units per group and table
    value: int  # total score
    potential: np.ndarray  # T + 1 optimal potentials (tables, then the slack node)
    pushes: int
    levelled: bool = False  # table totals minimise sum V^2 over all optimal flows


def _arcs(score, x, lb, ub):
    """``W[t, u]``: cheapest move of one unit from ``t`` to ``u`` (``_BIG`` if none)."""
    dec = x > lb
    inc = x < ub
    n_t = score.shape[1]
    w = np.full((n_t, n_t), _BIG, dtype=np.int64)
    for t in range(n_t):
        rows = np.nonzero(dec[:, t])[0]
        if not len(rows):
            continue
        cost = score[rows, t][:, None] - score[rows]
        cost = np.where(inc[rows], cost, _BIG)
        w[t] = cost.min(axis=0)
    np.fill_diagonal(w, _BIG)
    return w, dec, inc


def _graph(w, f, lo, hi):
    n_t = len(f)
    g = np.full((n_t + 1, n_t + 1), _BIG, dtype=np.int64)
    g[:n_t, :n_t] = w
    g[:n_t, n_t] = np.where(f < hi, 0, _BIG)
    g[n_t, :n_t] = np.where(f > lo, 0, _BIG)
    return g


def _bellman_ford(g, sources):
    """Shortest distances and predecessors from the node set ``sources`` (vectorised)."""
    n = len(g)
    dist = np.full(n, _BIG, dtype=np.int64)
    dist[sources] = 0
    pred = np.full(n, -1, dtype=np.int64)
    for _ in range(n):
        cand = dist[:, None] + g
        cand[dist >= _BIG] = _BIG
        best = cand.argmin(axis=0)
        new = cand[best, np.arange(n)]
        better = new < dist
        if not better.any():
            break
        dist = np.where(better, new, dist)
        pred = np.where(better, best, pred)
    return dist, pred


def solve_transport(score, lb, ub, supply, lo, hi) -> Transport | None:
    """Maximum-score integral flow, or None if no flow meets the bounds.

    ``score``, ``lb``, ``ub``: ``G x T``; ``supply[g]`` units leave group ``g``; ``lo``/``hi``
    bound what each table receives.  Every ``ub[g, t]`` is 0 or at least ``lb[g, t]``.
    """
    score = np.asarray(score, dtype=np.int64)
    n_g, n_t = score.shape
    x = lb.astype(np.int64).copy()
    left = supply - x.sum(axis=1)
    if (left < 0).any() or ((ub - lb).sum(axis=1) < left).any():
        return None
    # Greedy start: each group fills its best remaining tables (ties: lower index first).
    order = np.argsort(-np.where(ub > lb, score, -_BIG), axis=1, kind="stable")
    for k in range(n_t):
        if not (left > 0).any():
            break
        t = order[:, k]
        room = ub[np.arange(n_g), t] - x[np.arange(n_g), t]
        take = np.minimum(room, left)
        x[np.arange(n_g), t] += take
        left -= take
    pushes = 0
    while True:
        v = x.sum(axis=0)
        f = np.clip(v, lo, hi)
        excess = np.concatenate([v - f, [f.sum() - supply.sum()]])
        if not excess.any():
            break
        w, dec, inc = _arcs(score, x, lb, ub)
        g = _graph(w, f, lo, hi)
        sources = np.nonzero(excess > 0)[0]
        dist, pred = _bellman_ford(g, sources)
        sinks = np.nonzero(excess < 0)[0]
        reach = sinks[dist[sinks] < _BIG]
        if not len(reach):
            return None
        end = int(reach[dist[reach].argmin()])
        path = [end]
        while pred[path[-1]] >= 0:
            path.append(int(pred[path[-1]]))
        path.reverse()
        amount = min(int(excess[path[0]]), int(-excess[end]))
        hops = []
        for a, b in zip(path, path[1:], strict=False):
            if a == n_t:
                amount = min(amount, int(f[b] - lo[b]))
            elif b == n_t:
                amount = min(amount, int(hi[a] - f[a]))
            else:
                rows = np.nonzero(dec[:, a] & inc[:, b] & (score[:, a] - score[:, b] == w[a, b]))[0]
                room = np.minimum(x[rows, a] - lb[rows, a], ub[rows, b] - x[rows, b])
                hops.append((a, b, rows, room))
                amount = min(amount, int(room.sum()))
        for a, b, rows, _ in hops:
            # Re-read the room: an earlier hop of this path may have enlarged it (never shrunk).
            room = np.minimum(x[rows, a] - lb[rows, a], ub[rows, b] - x[rows, b])
            take = np.minimum(
                room, np.maximum(0, amount - np.concatenate([[0], np.cumsum(room)[:-1]]))
            )
            x[rows, a] -= take
            x[rows, b] += take
        pushes += 1
    v = x.sum(axis=0)
    w, _, _ = _arcs(score, x, lb, ub)
    g = _graph(w, np.clip(v, lo, hi), lo, hi)
    potential, _ = _bellman_ford(g, np.arange(n_t + 1))
    return Transport(x, int((x * score).sum()), potential, pushes)


def _closure(arcs: np.ndarray) -> np.ndarray:
    reach = arcs | np.eye(len(arcs), dtype=bool)
    for _ in range(max(1, int(np.ceil(np.log2(len(arcs) + 1))))):
        reach = (reach.astype(np.int64) @ reach.astype(np.int64)) > 0
    return reach


@dataclass
class Face:
    """What every optimal flow shares: ``always``/``never`` per group and table."""

    always: np.ndarray  # G x T: every member visits t in every optimal flow
    never: np.ndarray  # G x T: no member visits t in any optimal flow
    visits_fixed: np.ndarray  # T: the table's total is the same in every optimal flow


def optimal_face(score, lb, ub, size, lo, hi, flow: Transport) -> Face:
    """Which parts of ``flow`` no optimal flow can change (exact).

    With optimal potentials every residual arc has a non-negative reduced cost, and the
    difference of two optimal flows splits into cycles of zero cost, hence of zero-reduced-
    cost arcs.  So an arc can change between optimal flows exactly when it lies on a cycle of
    zero-reduced-cost residual arcs.  Group ``g``'s arcs: ``t -> g`` (give up a unit of
    ``t``, reduced cost ``pi_t + score - pi_g``) and ``g -> u`` (``pi_g - score - pi_u``),
    with ``pi_g = min_t (pi_t + score[g, t])``; cycles are found through the closure of the
    table-level graph of zero arcs (``T + 1`` nodes).
    """
    score = np.asarray(score, dtype=np.int64)
    x = flow.x
    n_t = score.shape[1]
    pi_t = flow.potential[:n_t]
    pi_s = flow.potential[n_t]
    dec = x > lb
    inc = x < ub
    via = np.where(dec, pi_t[None, :] + score, _BIG)
    pi_g = via.min(axis=1)
    zero_in = dec & (via == pi_g[:, None])
    zero_out = inc & (pi_g[:, None] - score == pi_t[None, :]) & (pi_g[:, None] < _BIG)
    tables = (zero_in.T.astype(np.int64) @ zero_out.astype(np.int64)) > 0
    v = x.sum(axis=0)
    to_slack = (v < hi) & (pi_t == pi_s)
    from_slack = (v > lo) & (pi_t == pi_s)
    reach = np.zeros((n_t + 1, n_t + 1), dtype=bool)
    reach[:n_t, :n_t] = tables
    reach[:n_t, n_t] = to_slack
    reach[n_t, :n_t] = from_slack
    reach, within = _closure(reach), _closure(tables)
    zi, zo = zero_in.astype(np.int64), zero_out.astype(np.int64)
    r_t = reach[:n_t, :n_t].astype(np.int64)
    # g -> t, then t reaches some t' != t with t' -> g (t' == t would undo the same arc)
    can_inc = zero_out & ((zi @ r_t.T) > 0)
    # t -> g, then g -> some u != t that reaches t
    can_dec = zero_in & ((zo @ r_t) > 0)
    size = np.asarray(size)[:, None]
    always = (x == size) & ~can_dec
    never = (x == 0) & ~can_inc
    # t -> slack -> u -> ... -> t with u != t and the way back avoiding the slack node
    off = within & ~np.eye(n_t, dtype=bool)
    up = to_slack & ((from_slack[:, None] & off).any(axis=0))
    down = from_slack & ((off & to_slack[None, :]).any(axis=1))
    return Face(always, never, ~(up | down))


def level_visits(score, lb, ub, lo, hi, flow: Transport, max_pushes: int = 400) -> Transport:
    """Among the optimal flows, one whose table totals are as even as possible.

    With the optimal potentials ``pi`` every optimal flow has ``x[g, t] = ub`` where the
    reduced cost says so (``score + pi_t - pi_g > 0``), ``lb`` where it is negative and any
    value where it is zero; a table's total is pinned to ``hi`` or ``lo`` likewise.  Inside
    that box every flow is optimal, so units are moved from the fullest table to the emptiest
    one it reaches through groups with room, while the difference is at least 2 -- the
    optimality condition of the convex objective ``sum_t V_t^2``.  Fewer people per table
    mean fewer meetings, hence fewer possible repeats.
    """
    score = np.asarray(score, dtype=np.int64)
    n_t = score.shape[1]
    x = flow.x.copy()
    pi_t, pi_s = flow.potential[:n_t], flow.potential[n_t]
    via = np.where(x > lb, pi_t[None, :] + score, _BIG)
    pi_g = via.min(axis=1)
    rho = np.where(pi_g[:, None] < _BIG, score + pi_t[None, :] - pi_g[:, None], 1)
    f_lb = np.where(rho < 0, lb, np.where(rho > 0, ub, lb))
    f_ub = np.where(rho < 0, lb, ub)
    f_lb = np.where(rho > 0, ub, f_lb)
    t_lo = np.where(pi_t < pi_s, hi, lo)
    t_hi = np.where(pi_t > pi_s, lo, hi)
    if ((x < f_lb) | (x > f_ub)).any():  # pragma: no cover - the flow satisfies its own slackness
        return flow
    pushes = 0
    while pushes < max_pushes:
        v = x.sum(axis=0)
        dec = x > f_lb
        inc = x < f_ub
        arcs = (dec.T.astype(np.int64) @ inc.astype(np.int64)) > 0
        np.fill_diagonal(arcs, False)
        moved = False
        for t in np.argsort(-v, kind="stable").tolist():
            if v[t] <= t_lo[t]:
                continue
            parent = {t: -1}
            frontier = [t]
            while frontier:
                nxt = []
                for a in frontier:
                    for b in np.nonzero(arcs[a])[0].tolist():
                        if b not in parent:
                            parent[b] = a
                            nxt.append(b)
                frontier = nxt
            ends = [u for u in parent if u != t and v[u] < t_hi[u] and v[u] <= v[t] - 2]
            if not ends:
                continue
            u = min(ends, key=lambda b: (v[b], b))
            path = [u]
            while parent[path[-1]] >= 0:
                path.append(parent[path[-1]])
            path.reverse()
            amount = min((int(v[t]) - int(v[u])) // 2, int(v[t] - t_lo[t]), int(t_hi[u] - v[u]))
            for a, b in zip(path, path[1:], strict=False):
                rows = np.nonzero(dec[:, a] & inc[:, b])[0]
                room = np.minimum(x[rows, a] - f_lb[rows, a], f_ub[rows, b] - x[rows, b])
                amount = min(amount, int(room.sum()))
            for a, b in zip(path, path[1:], strict=False):
                rows = np.nonzero((x[:, a] > f_lb[:, a]) & (x[:, b] < f_ub[:, b]))[0]
                room = np.minimum(x[rows, a] - f_lb[rows, a], f_ub[rows, b] - x[rows, b])
                before = np.concatenate([[0], np.cumsum(room)[:-1]])
                take = np.minimum(room, np.maximum(0, amount - before))
                x[rows, a] -= take
                x[rows, b] += take
            pushes += 1
            moved = amount > 0
            break
        if not moved:
            return Transport(x, int((x * score).sum()), flow.potential, flow.pushes + pushes, True)
    return Transport(x, int((x * score).sum()), flow.potential, flow.pushes + pushes)
