"""Step 2: order every participant's table set into rounds.

* Ties everywhere (every movable participant scores all tables alike, nothing pinned): the
  finite-field design of :mod:`.design` -- no repeated encounter at all when the number of
  tables is a prime power -- as long as it fits the tables' limits.
* Otherwise random orders with pins honoured, loads repaired by alternating paths to within
  one of even; the seat-copy colouring if that repair gets stuck (always succeeds without
  pins); with pins, repair to ``[min_seats, capacity]``, colourings in random orders, and at
  last the exact participant x table x round MILP.
"""

from __future__ import annotations

import time

import numpy as np

from .colouring import LoadRepair, colour_rounds, honour_pins
from .design import affine_rotation, prime_power
from .flow import milp_rotation
from .model import Infeasible

#: Largest participant x table x round model handed to the MILP fallback.
MILP_MAX_VARIABLES = 250_000
#: Above this the greedy orders cost more time than they save repeats (0.9 s for 20,000
#: people, 0.4 % fewer repeats than random orders).
GREEDY_MAX_PEOPLE = 5000


def design_start(n, lo, cap, rounds, org) -> np.ndarray | None:
    """The zero-repeat design on the largest prime-power number of tables that fits."""
    n_tables = len(cap)
    order = np.argsort(-np.asarray(cap), kind="stable")
    for q in range(n_tables, rounds - 1, -1):
        if prime_power(q) is None or n > q * (q - 1):
            continue
        used = order[:q]
        per = -(-n // q)
        unused = order[q:]
        if cap[used].min() < per or lo[used].max() > n // q or (lo[unused] > 0).any():
            continue
        tab = affine_rotation(n, q, rounds, org)
        if tab is None:
            continue
        return used[tab]
    return None


def split_into_rounds(sets, pins, score, visited, lo, cap, seed, deadline_total, org=None):
    """Order each table set into rounds; returns ``(tab, proven optimal, method note)``."""
    n = len(sets)
    n_tables = len(cap)
    r_left = len(sets[0]) if sets else 0
    rng = np.random.default_rng(seed)
    locked = np.zeros((n, r_left), dtype=bool)
    for p, r in pins:
        locked[p, r] = True
    visits = np.bincount([t for ts in sets for t in ts], minlength=n_tables)
    band_lo, band_hi = visits // r_left, -(-visits // r_left)
    as_array = np.array(sets, dtype=np.int64).reshape(n, r_left)
    if org is not None and not pins and n <= GREEDY_MAX_PEOPLE:
        local_tab, start = greedy_orders(as_array, n_tables, org, seed), "greedy orders"
    else:
        local_tab, start = rng.permuted(as_array, axis=1), "random orders"
    honour_pins(local_tab, pins)
    repair = LoadRepair(local_tab, locked, band_lo, band_hi, n_tables)
    if repair.repair():
        return repair.tab, True, f" + {start} repaired to even loads"
    if not pins:
        order = rng.permutation(n)
        local_tab = np.empty((n, r_left), dtype=np.int64)
        local_tab[order] = colour_rounds([sets[p] for p in order], n_tables, r_left)
        return local_tab, True, " + seat-copy colouring"
    repair = LoadRepair(repair.tab, locked, lo, cap, n_tables)
    for attempt in range(4):
        if attempt:
            order = rng.permutation(n)
            local_tab = np.empty((n, r_left), dtype=np.int64)
            local_tab[order] = colour_rounds([sets[p] for p in order], n_tables, r_left)
            honour_pins(local_tab, pins)
            repair = LoadRepair(local_tab, locked, lo, cap, n_tables)
        if repair.repair():
            repair.balance(max_steps=10 * n_tables * r_left + n)
            return repair.tab, True, " + pin repair"
    return None, False, ""


def exact_rounds(score, visited, pins, lo, cap, r_left, deadline_total, flow_value, rules_args):
    """The participant x table x round MILP (pins and rules); raises :class:`Infeasible`."""
    n, n_tables = score.shape
    if n * n_tables * r_left > MILP_MAX_VARIABLES:
        raise Infeasible(
            "could not complete the pinned assignments (no valid rotation found and the "
            "instance is too large for the exact fallback); the pins may be contradictory"
        )
    budget = 60.0
    if deadline_total is not None:
        budget = max(1.0, deadline_total - time.perf_counter())
    result = milp_rotation(score, visited, pins, lo, cap, r_left, budget, **rules_args)
    if result is None:
        raise Infeasible(
            "the pinned assignments and rules cannot be completed: no rotation keeps them "
            "within the tables' capacities and minimum seats"
        )
    if result is False:
        raise Infeasible(
            f"no rotation keeping every pin and rule was found within {budget:.0f} s; they "
            "may be contradictory"
        )
    proven = result.optimal or result.value == flow_value
    return result.tab, proven, " + MILP (pins and rules)"


def greedy_orders(sets: np.ndarray, n_tables: int, org: np.ndarray, seed: int) -> np.ndarray:
    """Round orders chosen person by person to avoid meeting anyone twice.

    Two people meet twice exactly when they share two (table, round) cells, so each person in
    turn takes the order of its tables that adds the fewest shared cell pairs to those already
    seated (then the fewest same-organisation cells), without filling any table above
    ``ceil(visits / R)`` in a round while another order avoids it.  Counting shared cell
    pairs in a ``(T R) x (T R)`` matrix makes each choice a few vector operations.
    """
    from itertools import permutations

    n, rounds = sets.shape
    rng = np.random.default_rng(seed)
    base = list(permutations(range(rounds))) if rounds <= 5 else None
    if base is None:
        shifts = [[(i + s) % rounds for i in range(rounds)] for s in range(rounds)]
        extra = [rng.permutation(rounds).tolist() for _ in range(64)]
        base = [tuple(x) for x in shifts + extra]
    perms = np.array(base, dtype=np.int64)
    i_idx, j_idx = np.triu_indices(rounds, 1)
    cells_n = n_tables * rounds
    shared = np.zeros((cells_n, cells_n), dtype=np.int64)
    load = np.zeros(cells_n, dtype=np.int64)
    visits = np.bincount(sets.ravel(), minlength=n_tables)
    target = np.repeat(-(-visits // rounds), rounds)
    n_org = int(org.max()) + 2 if len(org) else 1
    same = np.zeros((cells_n, n_org), dtype=np.int64)
    weight = rounds * n + 1
    tab = np.empty_like(sets)
    order = rng.permutation(n)
    for step, p in enumerate(order.tolist()):
        if step % 64 == 0:
            perms = perms[rng.permutation(len(perms))]
        cells = sets[p][None, :] * rounds + perms
        cost = shared[cells[:, i_idx], cells[:, j_idx]].sum(axis=1) * weight
        cost += (load[cells] >= target[cells]).sum(axis=1) * (weight * n)
        o = org[p]
        if o >= 0:
            cost += same[cells, o].sum(axis=1)
        k = int(cost.argmin())
        c = cells[k]
        shared[c[i_idx], c[j_idx]] += 1
        shared[c[j_idx], c[i_idx]] += 1
        load[c] += 1
        if o >= 0:
            same[c, o] += 1
        tab[p, perms[k]] = sets[p]
    return tab
