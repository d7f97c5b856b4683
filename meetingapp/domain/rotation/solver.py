"""The planner: exact preference optimum, then mixing as good as that optimum allows.

1. :mod:`.sets` / :mod:`.flow` -- maximum total preference score over table *sets*
   (transportation problem solved exactly in numpy, :mod:`.transport`), rounds already
   played removed, pins forced in; parties and stayers placed first by a small integer
   programme when the organisers' rules need one (:mod:`.constraints`).
2. :mod:`.rounds` -- sets split into rounds: the finite-field design when preferences tie
   (no repeated encounter for prime-power table counts), else random orders repaired to
   even loads, the seat-copy colouring, and for awkward pins or rules the full MILP.
3. :mod:`.search` -- conflict-directed tabu search over score-preserving moves, stopped at
   the lower bound of :mod:`.bound` (valid for every preference-optimal plan), when it
   stalls, or at the time limit.

Objectives, in order: preference score (exact), repeated encounters, same-organisation
pairs, balance (sum of squared table loads).  ``stats["optimal"]`` is True when the score
equals the flow's upper bound (always without pins or rules) or HiGHS proved it optimal.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from . import constraints, feasibility, metrics
from .bound import repeat_lower_bound, same_org_lower_bound, spread, waterfill
from .jsonio import check_structure, show
from .model import Assignment, RotationPlan, RotationProblem
from .rounds import design_start, exact_rounds, split_into_rounds
from .search import Mixer, tabu_search
from .sets import plan_sets


def iterations_per_second(n_people: int) -> int:
    """Tabu iterations per second of budget: about 70 % of the rate measured on this 2-core
    machine under a load average of 4, so that a seed gives the same plan wherever the
    budget, not the wall-clock deadline, ends the search (the deadline is a safety stop:
    on a busier machine it may end the search first, and the plan then depends on timing)."""
    if n_people < 100:
        return 2000
    if n_people <= 1000:
        return 1100  # the search looks at more moves per iteration up to 1,000 people
    return 2400 if n_people <= 5000 else 200


#: Above this many people the tabu search is skipped (unless apart pairs need it): with
#: tables of ~2,000 one second of moves removed 0.1 % of the repeats at 20,000 people, while
#: setting it up and running it cost a fifth of the time budget.
SEARCH_MAX_PEOPLE = 10_000


def default_mixing_seconds(n_people: int, rounds_left: int = 1, rounds: int = 1) -> float:
    """Ceiling on mixing when no time limit is given; the search usually stops far earlier.

    0.3 s plus 0.04 s per 1,000 people (0.4 s above 5,000, where moves gain little);
    re-planning the last rounds gets a share as small as half.
    """
    base = min(0.6, 0.3 + n_people / 7000) if n_people <= 5000 else 0.4
    return base * max(0.5, rounds_left / max(1, rounds))


def _id_key(value: object) -> tuple:
    return (0, value, "") if isinstance(value, int) else (1, 0, str(value))


def solve(
    problem: RotationProblem, *, time_limit: float | None = None, seed: int = 0
) -> RotationPlan:
    """Plan the rotation.  Raises :class:`Infeasible` (one-line reason) if none exists.

    ``time_limit`` (seconds, whole call) is a ceiling, not a floor: the search stops as soon
    as repeats and same-organisation pairs reach their lower bounds, or when it stalls.
    ``None``: :func:`default_mixing_seconds` (0.3 - 0.6 s).  The preference optimum does not
    depend on it.  ``seed`` makes the plan reproducible.

    ``stats``: ``preference_score``; ``optimal`` (the score is proven maximal);
    ``optimal_preference_score`` (the optimum, or the best upper bound when ``optimal`` is
    False); ``preference_upper_bound``; ``repeat_pairs`` (a pair meeting in ``m > 1``
    rounds counts ``m - 1``); ``repeat_pairs_lower_bound`` (valid for every plan of optimal
    score, see :mod:`.bound`); ``repeat_pairs_random_order`` (same table sets, each person's
    free rounds shuffled), ``repeat_pairs_random_order_flow_sets``; ``same_org_pairs``
    ((pair, round) with both from one organisation at one table) and
    ``same_org_pairs_lower_bound``; ``meetings``; ``table_load`` (table id -> participants
    per round); ``rounds_played``; ``pinned_seats``; ``method``; ``mixing`` (iterations,
    budget, ``stopped_by``, ...); ``seconds_exact``; ``seconds``.
    """
    started = time.perf_counter()
    check_structure(problem)
    if time_limit is not None and time_limit < 0:
        raise ValueError("time_limit must not be negative")
    tables, people = problem.tables, problem.participants
    n, n_tables, rounds = len(people), len(tables), problem.rounds
    rules = constraints.prepare(problem)
    fixed = feasibility.check_fixed(problem.fixed, rounds, tables, people, rules.stays)
    fixed = constraints.spread_pins(problem, rules, fixed)
    feasibility.check_basics(rounds, problem.min_tables, int((~rules.stays).sum()), tables)
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
    visited[rules.stays] = False
    pins = {(p, local[r]): t for (p, r), t in fixed.items() if r in local}
    info: dict[str, Any] = {"rounds_played": played, "pinned_seats": len(pins)}
    played_score = int(score[np.arange(n)[:, None], tab[:, played]].sum()) if played else 0

    deadline_total = None if time_limit is None else started + time_limit
    optimal, face_ok = True, False
    bound = played_score
    flow = None
    if remaining:
        r_left = len(remaining)
        feasibility.check_remaining(
            rounds_left=remaining,
            tables=tables,
            people=people,
            visited=visited,
            pins=pins,
            stays=rules.stays,
        )
        plan_set = plan_sets(score, visited, pins, lo, cap, r_left, rules, rules.apart)
        flow, movers = plan_set.flow, plan_set.movers
        bound += plan_set.value
        info["flow_groups"] = flow.groups
        info["method"] = plan_set.method
        m_index = {int(p): i for i, p in enumerate(movers)}
        m_pins = {(m_index[p], r): t for (p, r), t in plan_set.pins.items() if p in m_index}
        local_tab = np.empty((n, r_left), dtype=np.int64)
        for p, t in plan_set.stay_table.items():
            local_tab[p] = t
        start = None
        constant = (score[movers].max(axis=1) == score[movers].min(axis=1)).all()
        if rules.simple and not pins and not played and constant:
            start = design_start(n, lo, cap, r_left, org)
        if start is not None:
            local_tab[:] = start
            info["method"] += " + finite-field design"
        elif not len(movers):
            pass  # everybody stays: the stayers' tables are the plan
        else:
            taken = np.bincount(list(plan_set.stay_table.values()), minlength=n_tables).astype(
                np.int64
            )
            m_tab, ok, note = split_into_rounds(
                flow.sets,
                m_pins,
                score[movers],
                visited[movers],
                np.maximum(0, lo - taken),
                cap - taken,
                seed,
                deadline_total,
                org[movers],
            )
            if ok:
                local_tab[movers] = m_tab
            else:
                local_tab, optimal, note = _exact(
                    score,
                    visited,
                    fixed,
                    local,
                    lo,
                    cap,
                    r_left,
                    deadline_total,
                    plan_set.value,
                    rules,
                )
            info["method"] += note
        face_ok = plan_set.proven_face and optimal and start is None
        tab[:, remaining] = local_tab
        info["seconds_exact"] = round(time.perf_counter() - started, 3)
        info["repeat_pairs_random_order_flow_sets"] = metrics.random_order_repeats(
            tab, n_tables, locked, seed
        )
    rep_bound = _repeat_bound(tab, rules, flow, face_ok, visited, played, lo, cap, n_tables)
    org_bound = same_org_lower_bound(org, n_tables, rounds)
    if remaining and n > SEARCH_MAX_PEOPLE and not rules.apart:
        info["mixing"] = _no_search(tab, n_tables, org)
    elif remaining:
        search_locked = locked.copy()
        search_locked[rules.stays] = True
        for members in rules.parties:
            if len(members) > 1:
                search_locked[members] = True
        if time_limit is None:
            seconds = default_mixing_seconds(n, len(remaining), rounds)
        else:
            seconds = 0.8 * time_limit
        seconds = max(0.0, seconds - (time.perf_counter() - started if time_limit else 0.0))
        deadline = time.perf_counter() + seconds
        if deadline_total is not None:
            deadline = min(deadline, deadline_total)
        mixer = Mixer(tab, search_locked, score, org, lo, cap, n_tables, rules.apart)
        even = _even_balance(n, lo, cap, rounds)
        tab, report = tabu_search(
            mixer,
            bound=(rep_bound, org_bound),
            budget=int(seconds * iterations_per_second(n)),
            patience=max(400, min(4000, 4 * n)),
            seed=seed,
            deadline=deadline,
            even_balance=even,
        )
        if report.cost_after[0]:
            local_tab, optimal, note = _exact(
                score,
                visited,
                fixed,
                local,
                lo,
                cap,
                len(remaining),
                deadline_total,
                bound - played_score,
                rules,
            )
            tab[:, remaining] = local_tab
            info["method"] += note
        info["mixing"] = {
            "moves": report.iterations,
            "budget": report.budget,
            "accepted": report.improvements,
            "stopped_by": report.stopped_by,
            "stopped_by_time_limit": report.stopped_by == "deadline",
            "wasted_meetings_before": report.cost_before[1] + report.cost_before[2],
            "wasted_meetings_after": report.cost_after[1] + report.cost_after[2],
        }
    _verify(tab, fixed, cap, lo, rules)
    info["optimal"] = optimal
    info["preference_upper_bound"] = bound
    info["repeat_pairs_lower_bound"] = rep_bound
    info["same_org_pairs_lower_bound"] = org_bound
    return _plan(problem, tab, score, org, started, info, seed=seed, locked=locked)


def _no_search(tab, n_tables, org) -> dict:
    """The mixing report when the plan is too big for the search to pay (see below)."""
    wasted = metrics.repeat_pairs(tab, n_tables) + metrics.same_org_pairs(tab, n_tables, org)
    return {
        "moves": 0,
        "budget": 0,
        "accepted": 0,
        "stopped_by": "size",
        "stopped_by_time_limit": False,
        "wasted_meetings_before": wasted,
        "wasted_meetings_after": wasted,
    }


def _even_balance(n: int, lo, cap, rounds: int) -> int:
    """Smallest sum of squared loads: ``sum L^2 = 2 sum C(L, 2) + n`` in every round."""
    return rounds * (2 * (waterfill(lo, cap, n, 1) or 0) + n)


def _exact(score, visited, fixed, local, lo, cap, r_left, deadline_total, value, rules):
    pins = {(p, local[r]): t for (p, r), t in fixed.items() if r in local}
    together = [(m[0], q) for m in rules.parties for q in m[1:]]
    args = {"stays": rules.stays, "together": tuple(together), "apart": tuple(rules.apart)}
    return exact_rounds(score, visited, pins, lo, cap, r_left, deadline_total, value, args)


def _repeat_bound(tab, rules, flow, face_ok, visited, played, lo, cap, n_tables) -> int:
    """Inputs of :func:`.bound.repeat_lower_bound` for this problem."""
    n, rounds = tab.shape
    movers = np.nonzero(~rules.stays)[0]
    rows = np.zeros((len(movers), n_tables), dtype=bool)
    rows[np.arange(len(movers))[:, None], tab[movers]] = True
    visits = rows.sum(axis=0)
    seen = visited[movers]
    played_visits = seen.sum(axis=0)
    levelled = 0
    if face_ok and flow is not None and len(movers):
        always = seen | flow.face.always[flow.inverse]
        possible = seen | ~flow.face.never[flow.inverse]
        fixed_v = flow.face.visits_fixed
        v_min = played_visits + lo * (rounds - len(played))
        if flow.levelled and not played:  # the flow's totals, not the searched plan's
            totals = np.bincount(np.concatenate(flow.sets), minlength=n_tables)
            levelled = int(spread(totals, rounds).sum())
    else:
        always = seen.copy()
        possible = np.ones_like(seen)
        fixed_v = np.zeros(n_tables, dtype=bool)
        v_min = played_visits
    played_meetings = metrics.meetings(tab[:, played], n_tables) if played else 0
    value = repeat_lower_bound(
        rounds=rounds,
        n=n,
        lo=lo,
        cap=cap,
        visits=visits,
        visits_min=v_min,
        visits_fixed=fixed_v,
        always=always,
        possible=possible,
        weight=np.ones(len(movers), dtype=np.int64),
        played_meetings=played_meetings,
        played_rounds=len(played),
        together_pairs=rules.together_pairs,
        table_meetings=levelled,
    )
    if len(played) >= 2:
        value = max(value, metrics.repeat_pairs(tab[:, played], n_tables))
    return value


def _verify(tab: np.ndarray, fixed, cap, lo, rules) -> None:
    """Last line of defence: every hard constraint holds (raises RuntimeError if not)."""
    n, rounds = tab.shape
    n_tables = len(cap)
    if (tab < 0).any():
        raise RuntimeError("rotation has unassigned seats")
    movers = tab[~rules.stays]
    if len(movers) and rounds > 1 and (np.diff(np.sort(movers, axis=1), axis=1) == 0).any():
        raise RuntimeError("rotation repeats a table")
    if rules.stays.any() and (tab[rules.stays] != tab[rules.stays][:, :1]).any():
        raise RuntimeError("rotation moves a participant who stays at one table")
    for members in rules.parties:
        if len(members) > 1 and (tab[members] != tab[members[0]]).any():
            raise RuntimeError("rotation splits a party that sits together")
    for p, q in rules.apart:
        if (tab[p] == tab[q]).any():
            raise RuntimeError("rotation seats an apart pair together")
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
    # Sorted by round, table, participant (ids compared as _id_key) with one lexsort.
    t_rank = np.empty(n_tables, dtype=np.int64)
    t_rank[sorted(range(n_tables), key=lambda i: _id_key(tables[i].id))] = np.arange(n_tables)
    p_rank = np.empty(n, dtype=np.int64)
    p_rank[sorted(range(n), key=lambda i: _id_key(people[i].id))] = np.arange(n)
    who = np.repeat(np.arange(n), rounds)
    when = np.tile(np.arange(rounds), n)
    where = tab.reshape(-1)
    order = np.lexsort((p_rank[who], t_rank[where], when)) if n else np.zeros(0, dtype=np.int64)
    p_ids = [person.id for person in people]
    t_ids = [table.id for table in tables]
    assignments = [
        Assignment(p_ids[p], r, t_ids[t])
        for p, r, t in zip(
            who[order].tolist(), when[order].tolist(), where[order].tolist(), strict=True
        )
    ]
    pref = int(score[np.arange(n)[:, None], tab].sum()) if n else 0
    if locked is None:
        locked = np.zeros_like(tab, dtype=bool)
    stats: dict[str, Any] = {
        "preference_score": pref,
        "optimal_preference_score": pref if info.get("optimal", True) else None,
        "optimal": info.pop("optimal", True),
        "preference_upper_bound": info.pop("preference_upper_bound", pref),
        "repeat_pairs": metrics.repeat_pairs(tab, n_tables),
        "repeat_pairs_lower_bound": info.pop("repeat_pairs_lower_bound", 0),
        "repeat_pairs_random_order": metrics.random_order_repeats(tab, n_tables, locked, seed),
        "same_org_pairs": metrics.same_org_pairs(tab, n_tables, org),
        "same_org_pairs_lower_bound": info.pop("same_org_pairs_lower_bound", 0),
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
