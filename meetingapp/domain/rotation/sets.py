"""Step 1 with the organisers' rules: place parties and stayers, then the exact flow.

Without parties or stayers this is :func:`.flow.max_preference_sets` alone.  Otherwise the
integer programme of :mod:`.constraints` chooses the tables of every party and unplaced
stayer; stayers become pins for every round (and seats taken from their table), parties
become pins in a round order that keeps the cells they fill as even as possible, and the
flow then gives everybody else the best sets -- its optimum with those choices fixed is the
programme's, so the score stays exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import permutations

import numpy as np

from .branch import branch_units
from .constraints import Rules, Unit, set_level_milp
from .flow import FlowResult, max_preference_sets
from .model import Infeasible


@dataclass
class SetPlan:
    flow: FlowResult  # over the movers (indices into ``movers``)
    movers: np.ndarray  # participant indices that move
    stay_table: dict[int, int]  # stayer -> table
    pins: dict[tuple[int, int], int]  # (participant, local round) -> table, rules included
    value: int  # score of the remaining rounds (movers and stayers)
    proven_face: bool  # the flow's optimal face is the problem's (no rule was placed first)
    method: str


def _stayer_tables(rules: Rules, pins, r_left) -> dict[int, int]:
    out = {}
    for p in np.nonzero(rules.stays)[0].tolist():
        t = pins.get((p, 0)) if r_left else None
        if t is not None:
            out[p] = t
    return out


def plan_sets(score, visited, pins, lo, cap, r_left, rules: Rules, apart) -> SetPlan:
    """Best table sets for the remaining ``r_left`` rounds; raises :class:`Infeasible`."""
    n, n_tables = score.shape
    pins = dict(pins)
    stay_table = _stayer_tables(rules, pins, r_left)
    units: list[Unit] = []
    unit_of: dict[int, int] = {}
    forbid = visited.copy()
    for p, t in stay_table.items():  # an apart partner of a placed stayer never visits there
        for a, b in apart:
            if p in (a, b):
                other = b if p == a else a
                if not rules.stays[other]:
                    forbid[other, t] = True
    for members in rules.parties:
        lead = members[0]
        if rules.stays[lead] and lead in stay_table:
            continue
        if not rules.stays[lead] and (
            len(members) == 1 or all((lead, r) in pins for r in range(r_left))
        ):
            continue
        allowed = ~forbid[members].any(axis=0)
        forced = np.zeros(n_tables, dtype=bool)
        for p in members:
            for r in range(r_left):
                if (p, r) in pins:
                    forced[pins[p, r]] = True
        units.append(
            Unit(
                members,
                bool(rules.stays[lead]),
                score[members].sum(axis=0),
                allowed,
                forced,
                score[members],
            )
        )
        for p in members:
            unit_of[p] = len(units) - 1
    # An apart pair constrains table *sets* only when one of them stays (the other must never
    # visit that table) or a single round is left; otherwise round orders can separate them.
    binding = [(a, b) for a, b in apart if r_left == 1 or rules.stays[a] or rules.stays[b]]
    for a, b in binding:
        for p in (a, b):
            if p not in unit_of and not rules.stays[p]:
                allowed = ~forbid[p]
                forced = np.zeros(n_tables, dtype=bool)
                for r in range(r_left):
                    if (p, r) in pins:
                        forced[pins[p, r]] = True
                units.append(Unit([p], False, score[p].copy(), allowed, forced, score[[p]]))
                unit_of[p] = len(units) - 1
    taken = np.zeros(n_tables, dtype=np.int64)
    for t in stay_table.values():
        taken[t] += 1
    if (taken > cap).any():
        raise Infeasible("more participants stay at one table than it seats")
    method = "flow (transport)"
    if units:
        in_unit = np.zeros(n, dtype=bool)
        in_unit[list(unit_of)] = True
        rest = np.nonzero(~in_unit & ~rules.stays)[0]
        forced = np.zeros((n, n_tables), dtype=bool)
        for (p, _), t in pins.items():
            forced[p, t] = True
        g_score, g_lb, g_ub, g_size = _groups(score[rest], forbid[rest], forced[rest])
        stay_cap = cap - taken
        lo_v = np.maximum(0, lo - taken) * r_left
        hi_v = (cap - taken) * r_left
        apart_units = [
            (unit_of[a], unit_of[b]) for a, b in binding if a in unit_of and b in unit_of
        ]
        found = branch_units(units, g_score, g_lb, g_ub, g_size, lo_v, hi_v, r_left, apart_units)
        method = "set branch and bound (rules) + flow (transport)"
        if found is False:  # too many branches: the integer programme (imports scipy)
            found = set_level_milp(
                units, g_score, g_lb, g_ub, g_size, lo_v, hi_v, r_left, apart_units, stay_cap
            )
            method = "set MILP (rules) + flow (transport)"
        if found is None:
            raise Infeasible(
                "no rotation keeps the together, apart and stay-at-one-table rules within the "
                "tables' capacities and minimum seats"
            )
        choices, _ = found
        load = np.zeros((n_tables, max(1, r_left)), dtype=np.int64)
        for t in stay_table.values():
            load[t] += 1
        for unit, chosen in zip(units, choices, strict=True):
            if unit.stays:
                t = chosen[0]
                for p in unit.members:
                    stay_table[p] = t
                    load[t] += 1
                continue
            order = _order_party(unit, chosen, pins, load, r_left)
            for r, t in enumerate(order):
                for p in unit.members:
                    pins[p, r] = t
                load[t, r] += len(unit.members)
    taken = np.zeros(n_tables, dtype=np.int64)
    for p, t in stay_table.items():
        for a, b in apart:
            if p in (a, b) and not rules.stays[b if p == a else a]:
                forbid[b if p == a else a, t] = True
        taken[t] += 1
        for r in range(r_left):
            pins[p, r] = t
    movers = np.nonzero(~rules.stays)[0]
    local = {int(p): i for i, p in enumerate(movers)}
    forced = np.zeros((len(movers), n_tables), dtype=bool)
    for (p, _), t in pins.items():
        if p in local:
            forced[local[p], t] = True
    lo_m = np.maximum(0, lo - taken) * r_left
    hi_m = (cap - taken) * r_left
    flow = max_preference_sets(score[movers], forbid[movers], forced, lo_m, hi_m, r_left)
    if flow is None:
        raise Infeasible(_no_flow_reason(pins, rules))
    stay_value = sum(int(score[p, t]) * r_left for p, t in stay_table.items())
    return SetPlan(flow, movers, stay_table, pins, flow.value + stay_value, not units, method)


def _no_flow_reason(pins, rules: Rules) -> str:
    if rules.stays.any() or not rules.simple:
        return (
            "no rotation keeps the together, apart and stay-at-one-table rules within the "
            "tables' capacities and minimum seats"
        )
    suffix = " with the fixed assignments" if pins else ""
    return f"no rotation fits every table's capacity and minimum seats{suffix}"


def _groups(score, forbid, forced):
    if not len(score):
        z = np.zeros((0, score.shape[1]), dtype=np.int64)
        return z, z, z, np.zeros(0, dtype=np.int64)
    state = np.where(forced, 2, np.where(forbid, 1, 0))
    keys, counts = np.unique(score.astype(np.int64) * 3 + state, axis=0, return_counts=True)
    g_state, g_score = keys % 3, keys // 3
    lb = np.where(g_state == 2, counts[:, None], 0)
    ub = np.where(g_state == 1, 0, counts[:, None])
    return g_score, lb, ub, counts


def _order_party(unit: Unit, chosen: list[int], pins, load, r_left) -> list[int]:
    """A round order of the party's tables: pinned rounds kept, fullest cells avoided."""
    lead = unit.members[0]
    fixed = {r: pins[lead, r] for r in range(r_left) if (lead, r) in pins}
    free_tables = [t for t in chosen if t not in fixed.values()]
    free_rounds = [r for r in range(r_left) if r not in fixed]
    best, best_cost = None, None
    options = permutations(free_tables) if len(free_tables) <= 6 else [tuple(free_tables)]
    for perm in options:
        cost = max((load[t, r] for t, r in zip(perm, free_rounds, strict=True)), default=0)
        if best_cost is None or cost < best_cost:
            best, best_cost = perm, cost
    order = [0] * r_left
    for r, t in fixed.items():
        order[r] = t
    for r, t in zip(free_rounds, best or (), strict=True):
        order[r] = t
    return order
