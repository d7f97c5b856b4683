"""An independent solver for the benchmark: OR-Tools CP-SAT on the full rotation model.

Booleans ``x[p, t, r]`` (participant ``p`` at table ``t`` in round ``r``): one table per
participant and round, distinct tables per participant, every table within ``[min_seats,
capacity]`` in every round, fixed seats kept, and the preference score *equal to* the
optimum found by the planner (so both solvers search the same preference-optimal plans).
``y[p, q, r]`` is forced to 1 when ``p`` and ``q`` share a table in round ``r``; the
objective is ``sum_{p<q} max(0, sum_r y[p, q, r] - 1)``, the planner's repeated encounters.
Nothing here reuses the planner's code.
"""

from __future__ import annotations

import time
from itertools import combinations


def solve_cpsat(problem, optimum: int, seconds: float, workers: int = 2) -> dict:
    """``{"repeats", "bound", "status", "seconds"}`` from CP-SAT (``repeats`` None if none)."""
    from ortools.sat.python import cp_model

    people, tables, rounds = problem.participants, problem.tables, problem.rounds
    n, n_t = len(people), len(tables)
    t_of = {t.id: i for i, t in enumerate(tables)}
    p_of = {p.id: i for i, p in enumerate(people)}
    model = cp_model.CpModel()
    x = {
        (p, t, r): model.NewBoolVar(f"x{p}_{t}_{r}")
        for p in range(n)
        for t in range(n_t)
        for r in range(rounds)
    }
    for p in range(n):
        for r in range(rounds):
            model.AddExactlyOne(x[p, t, r] for t in range(n_t))
        for t in range(n_t):
            model.AddAtMostOne(x[p, t, r] for r in range(rounds))
    for t, table in enumerate(tables):
        for r in range(rounds):
            load = sum(x[p, t, r] for p in range(n))
            model.Add(load <= table.capacity)
            model.Add(load >= table.min_seats)
    for fix in problem.fixed:
        model.Add(x[p_of[fix.participant], t_of[fix.table], fix.round] == 1)
    score = []
    for p, person in enumerate(people):
        for rank, table in enumerate(person.picks):
            value = problem.max_picks - rank
            score += [value * x[p, t_of[table], r] for r in range(rounds)]
    model.Add(sum(score) == optimum)
    repeats = []
    for p, q in combinations(range(n), 2):
        meets = []
        for r in range(rounds):
            y = model.NewBoolVar("")
            for t in range(n_t):
                model.AddBoolOr([x[p, t, r].Not(), x[q, t, r].Not(), y])
            meets.append(y)
        extra = model.NewIntVar(0, rounds - 1, "")
        model.Add(extra >= sum(meets) - 1)
        repeats.append(extra)
    model.Minimize(sum(repeats))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = 0
    start = time.perf_counter()
    status = solver.Solve(model)
    elapsed = time.perf_counter() - start
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    return {
        "repeats": int(solver.ObjectiveValue()) if found else None,
        "bound": int(round(solver.BestObjectiveBound())) if found else None,
        "status": solver.StatusName(status),
        "seconds": elapsed,
    }
