"""A lower bound on repeated encounters, valid for every preference-optimal plan.

Notation: a pair of participants that meets in ``m`` rounds contributes ``m - 1`` repeats
(if ``m >= 1``); ``x_m`` pairs meet ``m`` times.  Three counts are bounded from below for
*every* plan of optimal preference score, not only for the one the planner returns:

* ``M``, meetings ``= sum_m m x_m = sum_{t,r} C(L_tr, 2)``.  Every round seats everybody
  within the tables' limits, so each round has at least the evenly filled minimum
  (:func:`waterfill` with one bin per table); and table ``t`` with ``V_t`` visits has at least
  ``V_t`` spread evenly over the rounds.  ``V_t`` is exact where every optimal flow gives the
  table the same total (:func:`.transport.optimal_face`), else at least ``min_seats * R``;
  and when the flow's totals were levelled (:func:`.transport.level_visits`) they minimise
  ``sum_t spread(V_t, R)`` over all optimal flows (a separable convex cost with no improving
  unit move between tables), so that sum bounds ``M`` for every optimal plan.
* ``Q = sum_m C(m, 2) x_m``, the pairs' pairs of meetings.  Two meetings of a pair happen at
  two tables ``a != b`` (nobody visits a table twice), so ``Q = sum_{a<b} sum_cells
  C(n_cell, 2)`` where the ``P_ab`` movers visiting both ``a`` and ``b`` fall into
  ``R (R - 1)`` cells (round at ``a``, round at ``b``): at least ``g(P_ab)``, their even split.
  ``P_ab`` is unknown but at least ``F_ab`` (movers who visit both in *every* optimal plan), at
  most ``U_ab`` (those who can), and ``sum_{b != a} P_ab = (R - 1) V_a``.  Minimising the
  convex ``sum_b g(P_ab)`` over that for each ``a`` (water filling again) and halving the sum
  over ``a`` (every pair of tables is counted from both ends) bounds ``Q``.
* ``N``, the pairs, ``sum_m x_m <= C(n, 2)``.

Then ``repeats = sum_m (m - 1) x_m`` is at least the value of the linear programme
``min sum (m - 1) x_m`` subject to those three inequalities, ``x >= 0``; any feasible point of
its dual ``max -alpha N + beta M + gamma Q`` with
``-alpha + beta m + gamma C(m, 2) <= m - 1`` for ``m = 1 .. R`` is such a bound, and the
best one is found exactly by enumerating the dual's vertices in rational arithmetic
(:func:`moment_bound`).  ``together`` pairs meet in all ``R`` rounds: their ``R - 1`` repeats
each are counted exactly and removed from the three counts first.  Repeats already in rounds
that were played are a bound too.  Special cases: ``M - N`` (more meetings than pairs) and
``2 Q / R`` (a pair meeting ``m`` times has ``C(m, 2) <= (m - 1) R / 2``) are vertices.
"""

from __future__ import annotations

from fractions import Fraction
from itertools import combinations

import numpy as np


def spread(v: np.ndarray, bins: int) -> np.ndarray:
    """``sum C(load, 2)`` over ``bins`` bins holding ``v`` items as evenly as possible."""
    v = np.asarray(v, dtype=np.int64)
    q, rem = np.divmod(v, bins)
    return rem * (q + 1) * q // 2 + (bins - rem) * q * (q - 1) // 2


def waterfill(lo, hi, total: int, bins: int) -> int | None:
    """``min sum_i spread(V_i, bins)`` over integers ``lo <= V <= hi`` with ``sum V = total``.

    The ``j``-th item of a variable costs ``(j - 1) // bins`` more, so the cheapest items are
    taken level by level: all items below level ``lam`` (``V_i = clip(bins * lam)``), then the
    rest at cost ``lam`` each.  None if the bounds cannot add up to ``total``.
    """
    lo = np.asarray(lo, dtype=np.int64)
    hi = np.asarray(hi, dtype=np.int64)
    if total < lo.sum() or total > hi.sum():
        return None
    a, b = 0, int(hi.max(initial=0)) // bins + 1
    while a < b:  # largest lam with sum clip(bins * lam) <= total
        mid = (a + b + 1) // 2
        if np.clip(bins * mid, lo, hi).sum() <= total:
            a = mid
        else:
            b = mid - 1
    v = np.clip(bins * a, lo, hi)
    return int(spread(v, bins).sum()) + (total - int(v.sum())) * a


def moment_bound(rounds: int, pairs: int, meetings: int, double: int) -> int:
    """Exact optimum of the dual programme above (a lower bound on repeats)."""
    if rounds < 2 or (meetings <= pairs and double <= 0):
        return max(0, meetings - pairs) if rounds >= 2 else 0
    rows = [
        (Fraction(-1), Fraction(m), Fraction(m * (m - 1), 2), Fraction(m - 1))
        for m in range(1, rounds + 1)
    ]
    unit = [tuple(Fraction(int(i == j)) for j in range(3)) for i in range(3)]
    tight = rows + [(*u, Fraction(0)) for u in unit]
    best = Fraction(0)
    for triple in combinations(tight, 3):
        sol = _solve3([t[:3] for t in triple], [t[3] for t in triple])
        if sol is None:
            continue
        alpha, beta, gamma = sol
        if min(sol) < 0:
            continue
        if any(-alpha * 1 + beta * r[1] + gamma * r[2] > r[3] for r in rows):
            continue
        value = -alpha * pairs + beta * meetings + gamma * double
        best = max(best, value)
    return int(-((-best.numerator) // best.denominator))


def _solve3(a, b):
    """Cramer's rule on a 3 x 3 rational system (None if singular)."""

    def det(m):
        return (
            m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
            - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
        )

    d = det(a)
    if d == 0:
        return None
    out = []
    for k in range(3):
        m = [list(row) for row in a]
        for i in range(3):
            m[i][k] = b[i]
        out.append(det(m) / d)
    return out


def repeat_lower_bound(
    *,
    rounds: int,
    n: int,
    lo: np.ndarray,
    cap: np.ndarray,
    visits: np.ndarray,
    visits_min: np.ndarray,
    visits_fixed: np.ndarray,
    always: np.ndarray,
    possible: np.ndarray,
    weight: np.ndarray,
    played_meetings: int,
    played_rounds: int,
    together_pairs: int,
    table_meetings: int = 0,
) -> int:
    """The bound of the module docstring.

    ``always``/``possible``: ``K x T`` tables that rows of movers visit in every / some
    optimal plan (whole rotation), each row standing for ``weight`` movers; ``visits``: the
    movers' total visits per table in the plan found, the same in every optimal plan where
    ``visits_fixed`` and at least ``visits_min`` elsewhere; ``lo``/``cap`` per round;
    ``table_meetings``: a known lower bound on ``M`` (see :func:`.transport.level_visits`).
    """
    n_t = len(cap)
    if n < 2 or rounds < 2:
        return 0
    left = rounds - played_rounds
    per_round = waterfill(lo, cap, n, 1)
    meet_rounds = played_meetings + left * (per_round or 0)
    v_low = np.where(visits_fixed, visits, np.minimum(visits, visits_min))
    meet_tables = int(spread(v_low, rounds).sum())
    meetings = max(meet_rounds, meet_tables, table_meetings)
    w = np.asarray(weight, dtype=np.int64)
    al = always.astype(np.int64)
    po = possible.astype(np.int64)
    forced = al.T @ (al * w[:, None])
    upper = po.T @ (po * w[:, None])
    cells = rounds * (rounds - 1)
    double2 = 0
    for a in range(n_t):
        others = np.arange(n_t) != a
        hi = upper[a, others].copy()
        hi = np.where(visits_fixed[others], np.minimum(hi, visits[others]), hi)
        low = np.minimum(forced[a, others], hi)
        total = (rounds - 1) * int(v_low[a])
        total = min(total, int(hi.sum()))
        value = waterfill(low, hi, max(total, int(low.sum())), cells)
        double2 += value or 0
    double = double2 // 2
    pairs = n * (n - 1) // 2
    k = together_pairs
    rest = moment_bound(
        rounds, pairs - k, meetings - rounds * k, double - rounds * (rounds - 1) // 2 * k
    )
    return (rounds - 1) * k + rest


def same_org_lower_bound(org: np.ndarray, n_tables: int, rounds: int) -> int:
    """Each round spreads an organisation's ``k`` members over the tables at best evenly."""
    org = np.asarray(org)
    sizes = np.bincount(org[org >= 0]) if (org >= 0).any() else np.zeros(0, dtype=np.int64)
    return int(rounds * spread(sizes, n_tables).sum())
