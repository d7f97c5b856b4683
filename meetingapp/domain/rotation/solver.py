"""The planner: exact preference optimum, then mixing, balance by construction.

1. :mod:`.flow` -- maximum total preference score over table *sets* (transportation LP,
   integral by total unimodularity), rounds already played removed, pins forced in.
2. :mod:`.colouring` -- sets split into rounds by bipartite edge colouring of seat copies
   (every table within one of even in every round).  Pins: rounds permuted to honour them,
   loads repaired by alternating paths; if that fails, the full participant x table x round
   MILP (HiGHS) is solved instead.
3. :mod:`.mixing` -- simulated annealing over moves that keep the score and the loads.

``stats["optimal"]`` is True when the score equals the flow's upper bound (always without
pins) or HiGHS proved the MILP optimal.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from . import feasibility, metrics
from .colouring import LoadRepair, colour_rounds, honour_pins
from .flow import max_preference_sets, milp_rotation
from .jsonio import check_structure, show
from .mixing import Annealer
from .model import Assignment, Infeasible, RotationPlan, RotationProblem

#: Largest participant x table x round model handed to the MILP fallback.
MILP_MAX_VARIABLES = 250_000


def default_mixing_seconds(n_people: int) -> float:
    """Mixing time when no time limit is given (up to 2,000 people 1-1.1 s, 20,000 -> 6 s)."""
    return min(6.0, max(1.0, 0.3 + 0.0004 * n_people))


def estimated_move_seconds(n_people: int, n_tables: int, rounds: int) -> float:
    """A pessimistic cost of one annealing move, measured on a slow 2-core machine.

    The move budget is ``seconds / this``: fixed in advance, so a seed gives the same plan
    on any machine that is at least that fast (a slower one hits the wall-clock stop).
    """
    per_cell = n_people / max(1, n_tables)
    if rounds <= 8 and per_cell >= 24:  # the annealer counts partners by cell subsets
        micro = 6.0 + 0.04 * per_cell + 0.8 * 2**rounds
    else:  # ... or by set unions
        micro = 6.0 + 0.05 * rounds * per_cell
    return 1.3e-6 * micro


def _id_key(value: object) -> tuple:
    return (0, value, "") if isinstance(value, int) else (1, 0, str(value))


def _budget(n: int, n_tables: int, rounds: int, time_limit: float | None) -> tuple[int, float]:
    """``(moves, seconds)`` for the annealer."""
    seconds = default_mixing_seconds(n) if time_limit is None else 0.8 * time_limit
    seconds = max(0.0, seconds)
    return int(seconds / estimated_move_seconds(n, n_tables, rounds)), seconds


def solve(
    problem: RotationProblem, *, time_limit: float | None = None, seed: int = 0
) -> RotationPlan:
    """Plan the rotation.  Raises :class:`Infeasible` (one-line reason) if none exists.

    ``time_limit`` (seconds, whole call): 80 % of it goes to mixing, turned into a fixed
    number of moves (see :func:`estimated_move_seconds`), with the limit itself as a
    wall-clock stop; ``None`` gives 1 s for up to ~2,000 people, up to 6 s for 20,000.  The
    preference optimum does not depend on it.  ``seed`` makes the plan reproducible.

    ``stats``: ``preference_score``; ``optimal`` (the score is proven maximal);
    ``optimal_preference_score`` (the optimum, or the best upper bound when ``optimal`` is
    False); ``preference_upper_bound``; ``repeat_pairs`` (a pair meeting in ``m > 1``
    rounds counts ``m - 1``); ``repeat_pairs_random_order`` (same table sets, each person's
    free rounds shuffled), ``repeat_pairs_random_order_flow_sets`` (the same for the table
    sets before mixing), ``repeat_pairs_lower_bound``; ``same_org_pairs`` ((pair, round)
    with both from one organisation at one table); ``meetings``; ``table_load`` (table id
    -> participants per round); ``rounds_played``; ``pinned_seats``; ``method``;
    ``mixing`` (moves, budget, accepted, ``stopped_by_time_limit``, ...);
    ``seconds_exact``; ``seconds``.
    """
    started = time.perf_counter()
    check_structure(problem)
    if time_limit is not None and time_limit < 0:
        raise ValueError("time_limit must not be negative")
    tables, people = problem.tables, problem.participants
    n, n_tables, rounds = len(people), len(tables), problem.rounds
    feasibility.check_basics(rounds, problem.min_tables, n, tables)
    fixed = feasibility.check_fixed(problem.fixed, rounds, tables, people)
    cap = np.array([t.capacity for t in tables], dtype=np.int64)
    lo = np.array([t.min_seats for t in tables], dtype=np.int64)
    t_index = {t.id: i for i, t in enumerate(tables)}
    score = np.zeros((n, n_tables), dtype=np.int64)
    for p, person in enumerate(people):
        for rank, table_id in enumerate(person.picks):
            score[p, t_index[table_id]] = problem.max_picks - rank
    org_index: dict[str, int] = {}
    org = np.array(
        [
            -1
            if person.organisation is None
            else org_index.setdefault(person.organisation, len(org_index))
            for person in people
        ],
        dtype=np.int64,
    ).reshape(n)
    if n == 0:
        return _plan(problem, np.zeros((0, rounds), dtype=np.int64), score, org, started, {})

    per_round = np.zeros(rounds, dtype=np.int64)
    for _, r in fixed:
        per_round[r] += 1
    played = [r for r in range(rounds) if per_round[r] == n]
    feasibility.check_played(played, fixed, tables, n)
    remaining = [r for r in range(rounds) if per_round[r] < n]
    local = {r: i for i, r in enumerate(remaining)}
    tab = np.full((n, rounds), -1, dtype=np.int64)
    locked = np.zeros((n, rounds), dtype=bool)
    for (p, r), t in fixed.items():
        tab[p, r] = t
        locked[p, r] = True
    visited = np.zeros((n, n_tables), dtype=bool)
    for r in played:
        visited[np.arange(n), tab[:, r]] = True
    pins = {(p, local[r]): t for (p, r), t in fixed.items() if r in local}
    info: dict[str, Any] = {"rounds_played": played, "pinned_seats": len(pins)}
    played_score = int(score[np.arange(n)[:, None], tab[:, played]].sum()) if played else 0

    deadline_total = None if time_limit is None else started + time_limit
    optimal = True
    bound = played_score
    if remaining:
        r_left = len(remaining)
        feasibility.check_remaining(
            rounds_left=remaining, tables=tables, people=people, visited=visited, pins=pins
        )
        forced = np.zeros((n, n_tables), dtype=bool)
        for (p, _), t in pins.items():
            forced[p, t] = True
        flow = max_preference_sets(score, visited, forced, lo * r_left, cap * r_left, r_left)
        if flow is None:
            suffix = " with the fixed assignments" if fixed else ""
            raise Infeasible(f"no rotation fits every table's capacity and minimum seats{suffix}")
        bound += flow.value
        info["flow_groups"] = flow.groups
        info["method"] = f"flow ({flow.method})"
        local_tab, optimal, method = _split_into_rounds(
            flow.sets, pins, score, visited, lo, cap, seed, deadline_total
        )
        info["method"] += method
        tab[:, remaining] = local_tab
        info["seconds_exact"] = round(time.perf_counter() - started, 3)

        moves, seconds = _budget(n, n_tables, rounds, time_limit)
        deadline = time.perf_counter() + seconds
        if deadline_total is not None:
            deadline = min(deadline, deadline_total)
        info["repeat_pairs_random_order_flow_sets"] = metrics.random_order_repeats(
            tab, n_tables, locked, seed
        )
        annealer = Annealer(tab, locked, score, org, lo, cap, n_tables)
        report = annealer.run(moves, seed, deadline)
        tab = annealer.result()
        info["mixing"] = {
            "moves": report.moves,
            "budget": report.budget,
            "accepted": report.accepted,
            "stopped_by_time_limit": report.stopped_by_deadline,
            "wasted_meetings_before": report.cost_before,
            "wasted_meetings_after": report.cost_after,
        }
    _verify(tab, fixed, cap, lo)
    info["optimal"] = optimal
    info["preference_upper_bound"] = bound
    return _plan(problem, tab, score, org, started, info, seed=seed, locked=locked)


def _split_into_rounds(sets, pins, score, visited, lo, cap, seed, deadline_total):
    """Order each table set into rounds; returns ``(tab, proven optimal, method note)``.

    1. Random round orders (what the mixing baseline does), pins honoured, loads repaired
       by alternating paths to within one of even -- a start that is as mixed as chance.
    2. Without pins, if that repair gets stuck: the seat-copy edge colouring, which always
       succeeds.  With pins: repair to ``[min_seats, capacity]`` and balance as far as
       possible; then colourings in random orders with the pins honoured and repaired; and
       at last the exact MILP on the full model.
    """
    n = len(sets)
    n_tables = len(cap)
    r_left = len(sets[0]) if sets else 0
    rng = np.random.default_rng(seed)
    locked = np.zeros((n, r_left), dtype=bool)
    for p, r in pins:
        locked[p, r] = True
    visits = np.bincount([t for ts in sets for t in ts], minlength=n_tables)
    band_lo, band_hi = visits // r_left, -(-visits // r_left)
    local_tab = rng.permuted(np.array(sets, dtype=np.int64).reshape(n, r_left), axis=1)
    honour_pins(local_tab, pins)
    repair = LoadRepair(local_tab, locked, band_lo, band_hi, n_tables)
    if repair.repair():
        return repair.tab, True, " + random orders repaired to even loads"
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
    if n * n_tables * r_left > MILP_MAX_VARIABLES:
        raise Infeasible(
            "could not complete the pinned assignments (no valid rotation found and the "
            "instance is too large for the exact fallback); the pins may be contradictory"
        )
    budget = 60.0
    if deadline_total is not None:
        budget = max(1.0, deadline_total - time.perf_counter())
    pin_lo = lo
    result = milp_rotation(score, visited, pins, pin_lo, cap, r_left, budget)
    if result is None:
        raise Infeasible(
            "the pinned assignments cannot be completed: no rotation keeps them within the "
            "tables' capacities and minimum seats"
        )
    if result is False:
        raise Infeasible(
            f"no rotation keeping every pin was found within {budget:.0f} s; the pins may be "
            "contradictory"
        )
    flow_value = int(sum(score[p, t] for p, ts in enumerate(sets) for t in ts))
    proven = result.optimal or result.value == flow_value
    return result.tab, proven, " + MILP (pins)"


def _verify(tab: np.ndarray, fixed, cap, lo) -> None:
    """Last line of defence: every hard constraint holds (raises RuntimeError if not)."""
    n, rounds = tab.shape
    n_tables = len(cap)
    if (tab < 0).any():
        raise RuntimeError("rotation has unassigned seats")
    if n and rounds > 1 and (np.diff(np.sort(tab, axis=1), axis=1) == 0).any():
        raise RuntimeError("rotation repeats a table")
    for r in range(rounds):
        loads = np.bincount(tab[:, r], minlength=n_tables)
        if (loads > cap).any() or (loads < lo).any():
            raise RuntimeError(f"rotation breaks a table's seat limits in round {r}")
    for (p, r), t in fixed.items():
        if tab[p, r] != t:
            raise RuntimeError("rotation moved a fixed seat")


def _plan(problem, tab, score, org, started, info, *, seed=0, locked=None) -> RotationPlan:
    tables, people = problem.tables, problem.participants
    n, rounds = tab.shape
    n_tables = len(tables)
    assignments = [
        Assignment(people[p].id, r, tables[int(tab[p, r])].id)
        for p in range(n)
        for r in range(rounds)
    ]
    assignments.sort(key=lambda a: (a.round, _id_key(a.table), _id_key(a.participant)))
    pref = int(score[np.arange(n)[:, None], tab].sum()) if n else 0
    if locked is None:
        locked = np.zeros_like(tab, dtype=bool)
    stats: dict[str, Any] = {
        "preference_score": pref,
        "optimal_preference_score": pref if info.get("optimal", True) else None,
        "optimal": info.pop("optimal", True),
        "preference_upper_bound": info.pop("preference_upper_bound", pref),
        "repeat_pairs": metrics.repeat_pairs(tab, n_tables),
        "repeat_pairs_random_order": metrics.random_order_repeats(tab, n_tables, locked, seed),
        "repeat_pairs_lower_bound": metrics.repeat_lower_bound(tab, n_tables),
        "same_org_pairs": metrics.same_org_pairs(tab, n_tables, org),
        "meetings": metrics.meetings(tab, n_tables),
        "table_load": {
            show(t.id): [int((tab[:, r] == i).sum()) for r in range(rounds)]
            for i, t in enumerate(tables)
        },
    }
    if not stats["optimal"]:
        stats["optimal_preference_score"] = stats["preference_upper_bound"]
    stats.update(info)
    stats["seconds"] = round(time.perf_counter() - started, 3)
    return RotationPlan(assignments=assignments, stats=stats)
